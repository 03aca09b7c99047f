"""Grants: the one grant model and its lifecycle (DESIGN §2, seed 002)."""
