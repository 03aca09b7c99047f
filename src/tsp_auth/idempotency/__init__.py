"""``Idempotency-Key`` on creating POSTs: a retried create replays its first answer."""
