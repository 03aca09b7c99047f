"""OAuth clients: partner apps (seed 004) and first-party clients, and how they authenticate."""
