"""The limit for a Python HTTP service here: a bare ASGI callable on the same uvicorn, answering a
constant JSON body with no framework at all (issue 24 item 1). Every row's CPU per request is
read against it as well as against the FastAPI floor (``floor_app``).

Copied from ``shared/peers/raw_floor.py`` (the session's shared folder, read-only in CI and not
in this repository); only this docstring differs.
"""

BODY = b'{"ok":true}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    if scope["method"] == "POST":
        more = True
        while more:
            more = (await receive()).get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
