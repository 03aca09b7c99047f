"""Signing keys of the JWTs we issue: storage, rotation, the process's key ring, the JWK Set."""
