"""Time-driven grant work: store ``expired``, and remind partners before expiry."""
