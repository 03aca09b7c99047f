"""Signed webhooks to partners: endpoints, a transactional outbox, and the delivery worker."""
