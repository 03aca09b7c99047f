from tests.grants.conftest import world

__all__ = ["world"]
