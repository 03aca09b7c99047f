from tests.consent_page.conftest import platform_app, platform_client

__all__ = ["platform_app", "platform_client"]
