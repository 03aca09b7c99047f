"""The TSP Access fixtures: ``world``."""

from tests.tsp_access.conftest import world

__all__ = ["world"]
