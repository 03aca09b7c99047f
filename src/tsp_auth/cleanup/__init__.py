"""Deletes rows that stopped mattering: used codes, expired tokens, ended sessions, old outbox."""
