"""What the generated OpenAPI document says beyond FastAPI's default: ``spec`` builds it, the
examples are data files beside it (``examples.py`` loads them)."""
