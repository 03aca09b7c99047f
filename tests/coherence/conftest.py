"""PostgreSQL-only modules here are named ``test_postgres_*.py``: not collected without
TSP_AUTH_TEST_DATABASE_URL (CI always sets it), and parametrised on ``postgresql`` only."""

from __future__ import annotations

from tests.conftest import PG_URL

collect_ignore_glob = [] if PG_URL else ["test_postgres_*.py"]
