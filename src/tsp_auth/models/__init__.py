"""SQLAlchemy models. Importing this package registers every table on ``Base.metadata``."""

from tsp_auth.models.base import Base

__all__ = ["Base"]
