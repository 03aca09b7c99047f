"""tsp-auth: authorization service for TikTok Shop Partner access."""

__version__ = "0.1.0"
