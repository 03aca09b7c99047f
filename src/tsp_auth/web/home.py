"""`/`: a tiny index for local runs (`make run`), pointing at the docs and the demo flow.

Shown only while the development issuer is enabled; production answers 404 here.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tsp_auth.deps import SettingsDep
from tsp_auth.kit.errors import NotFound
from tsp_auth.web.pages import page

router = APIRouter(tags=["development"], include_in_schema=False)

DEMO_LINK = "/open/authorize?service_id=svc_demo_row_shop&state=demo-state-123"


@router.get("/")
async def index(request: Request, settings: SettingsDep) -> HTMLResponse:
    if not settings.dev_issuer_enabled:
        raise NotFound("nothing here")
    base_url = f"{request.url.scheme}://{request.url.netloc}"
    return page(
        "index.html",
        base_url=base_url,
        consent_link=DEMO_LINK,
        main_account="acc_demo_main_uk",
        sub_account="acc_demo_sub_uk",
    )
