"""The signed-in account: `GET /v1/me`, and the development issuer of identity tokens.

Above ``identity`` (who is calling, which every feature and ``deps`` import): what `/v1/me`
tells reads other features (Business Centers), so it cannot sit in ``identity`` itself.
"""
