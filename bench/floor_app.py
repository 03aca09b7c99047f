"""The floor: a bare FastAPI endpoint served exactly like tsp-auth, measured in the same run."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/floor")
async def floor() -> dict[str, bool]:
    return {"ok": True}
