"""The OAuth 2.0 authorization server: authorization codes, the token endpoint, introspection
and revocation (DESIGN §3, docs/oauth.md). Clients themselves live in ``tsp_auth.clients``."""
