"""Signed webhooks to partners: endpoints, a transactional outbox, and their delivery."""
