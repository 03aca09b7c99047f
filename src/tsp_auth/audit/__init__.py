"""The audit trail: who did what, on whose behalf, when; and what was refused."""
