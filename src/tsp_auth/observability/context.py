"""The request id, as observability sets it (``middleware``) and logs it (``logs``).

The value lives in ``tsp_auth.request_id``, below ``errors`` and ``observability`` both:
``errors`` puts it in every error body, and ``observability`` answers with ``errors``.
"""

from tsp_auth.request_id import current_request_id, reset_request_id, set_request_id

__all__ = ["current_request_id", "reset_request_id", "set_request_id"]
