"""A signed-in form post of the pages, through the one HTML decide flow (``web.decide``:
Origin, sign-in, attempt budget, CSRF, then the decision; a refusal is an error page)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import Response
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from tsp_auth.kit.errors import AppError, BadRequest
from tsp_auth.kit.rate_limits import Endpoint
from tsp_auth.policy import Reason
from tsp_auth.web.browser import Browser
from tsp_auth.web.decide import decide
from tsp_auth.web.error_pages import ErrorWording, error_page
from tsp_auth.web.sign_in import SignedIn

Body = TypeVar("Body", bound=BaseModel)
Run = Callable[[SignedIn, FormData], Awaitable[Response]]


class FormPost:
    """``web.decide.PageDecision`` for a form whose CSRF token is bound to its page."""

    def __init__(self, here: str, attempt: Endpoint, wording: ErrorWording, run: Run) -> None:
        self.here, self.attempt, self.wording, self._run = here, attempt, wording, run

    async def bound_to(self, who: SignedIn) -> str:
        return self.here

    async def decide(self, who: SignedIn, form: FormData) -> Response:
        return await self._run(who, form)

    async def refused(self, who: SignedIn, form: FormData, refusal: AppError) -> Response:
        return error_page(refusal, self.wording)


async def post(
    browser: Browser, here: str, attempt: Endpoint, wording: ErrorWording, run: Run
) -> Response:
    return await decide(browser, FormPost(here, attempt, wording, run))


def field(form: FormData, name: str, *, max_length: int = 40) -> str:
    """A required short text field of the form (ids), or 400 ``invalid_request``."""
    value = form.get(name)
    if not isinstance(value, str) or not value or len(value) > max_length:
        raise BadRequest(f"the form's {name} is missing or too long", error=Reason.INVALID_REQUEST)
    return value


def body(schema: type[Body], **values: Any) -> Body:
    """The API's request body built from form fields: a value it refuses is 400, as in the API."""
    try:
        return schema(**values)
    except ValidationError:
        raise BadRequest("the form's choices are not valid", error=Reason.INVALID_REQUEST) from None
