"""The database layer (DESIGN §5): the engine, the request's unit of work, the direct
statements of the hot path and the helpers every repository shares (docs/architecture.md)."""

from tsp_auth.db.engine import create_engine, create_sessionmaker

__all__ = ["create_engine", "create_sessionmaker"]
