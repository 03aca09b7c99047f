"""Operator endpoints: liveness, readiness, metrics."""
