"""The OAuth 2.0 authorization server: the authorize endpoint, authorization codes, client
authentication, the token endpoint, introspection, revocation, metadata and discovery
(DESIGN §3, docs/oauth.md). Clients themselves live in ``tsp_auth.clients``."""
