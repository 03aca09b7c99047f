"""Who is calling: identity tokens from the platform's login, resolved to accounts."""
