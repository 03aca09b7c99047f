"""The TSP Access fixtures: ``world`` and the SEA-launched app."""

from tests.tsp_access.conftest import sea_app, sea_client, sea_factory, world

__all__ = ["sea_app", "sea_client", "sea_factory", "world"]
