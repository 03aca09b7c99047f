"""Business Center account access: QR-code requests, owner approval, member assignments
(seed 003, docs/business-center.md)."""
