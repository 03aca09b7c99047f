"""Business Center "TikTok accounts" (seed 003): an admin requests access (scope → the QR
card), sees and withdraws pending requests, sees the accounts with their members and levels,
and assigns members; a standard member sees only the accounts assigned to it.

Every read and change is the JSON API's service: ``business_centers.service.request_access``,
``pending``, ``access.tiktok_accounts``, ``access.assign``, ``roster``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import get_args

from fastapi import APIRouter, Response
from starlette.datastructures import FormData

from tsp_auth.business_centers import approval, catalogue, members, owner, pending, roster, service
from tsp_auth.business_centers.schemas import AccessRequestRead, BusinessCenterAssignmentCreate
from tsp_auth.identity.callers import Caller
from tsp_auth.kit import urls
from tsp_auth.kit.errors import BadRequest, NotFound
from tsp_auth.kit.pagination import PageQuery
from tsp_auth.models import Account
from tsp_auth.pages import forms
from tsp_auth.pages.forms import body, post
from tsp_auth.policy import Reason
from tsp_auth.web.browser import Browser, BrowserDep
from tsp_auth.web.csrf import form_token
from tsp_auth.web.error_pages import ErrorWording
from tsp_auth.web.pages import page, see_other
from tsp_auth.web.sign_in import SignedIn, signed_in_page
from tsp_auth.web.who import who_of

router = APIRouter(tags=["pages"], include_in_schema=False)

HERE = "/bc/tiktok-accounts"
WORDING = ErrorWording(
    default_title="TikTok accounts",
    titles={
        Reason.BC_ADMIN_REQUIRED: "Only a Business Center admin can do this",
        Reason.ALREADY_ASSIGNED: "This member is assigned to this account already",
    },
    status_titles={404: "Not found"},
    default_help="Go back to TikTok accounts.",
)
_ALL = PageQuery(limit=100)


def _bc_of(caller: Caller) -> str:
    if caller.business_center_id is None:
        # As the API answers another tenant's business center: it does not exist for you.
        raise NotFound("no business center of yours")
    return caller.business_center_id


@dataclass(frozen=True, slots=True)
class AdminView:
    """What only an admin sees: pending requests with their cards, members, who uses what."""

    requests: list[tuple[AccessRequestRead, str]] = field(default_factory=list)
    members: list[Account] = field(default_factory=list)
    by_account: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


async def _admin_view(browser: Browser, caller: Caller, bc_id: str) -> AdminView:
    team = await roster.roster(browser.session, caller, bc_id)
    waiting = await pending.list_pending(browser.session, caller, bc_id, _ALL)
    names = {m.id: m.name for m in team.members}
    view = AdminView(
        requests=[(r, urls.bc_card_path(bc_id, r.id)) for r in waiting.items],
        members=[m for m in team.members if m.role == "member"],
    )
    for a in team.assignments:
        used_by = view.by_account.setdefault(a.tiktok_account_id, [])
        used_by.append((names.get(a.member_id, a.member_id), a.permission))
    return view


async def _show(browser: Browser, who: SignedIn) -> Response:
    caller = who.caller
    bc_id = _bc_of(caller)
    accounts = await members.tiktok_accounts(browser.session, caller, bc_id)
    admin = await _admin_view(browser, caller, bc_id) if caller.is_bc_admin else AdminView()
    return page(
        "bc_accounts.html",
        who=who_of(caller),
        is_admin=caller.is_bc_admin,
        accounts=accounts,
        admin=admin,
        scopes=[(code, spec.label) for code, spec in catalogue.ACCESS_SCOPES.items()],
        levels=get_args(catalogue.PermissionLevel),
        csrf_token=form_token(browser.settings, HERE, who),
    )


@router.get(HERE)
async def tiktok_accounts(browser: BrowserDep) -> Response:
    return await signed_in_page(browser, HERE, WORDING, lambda who: _show(browser, who))


@router.post(HERE + "/requests")
async def request_access(browser: BrowserDep) -> Response:
    """Generate the QR code (seed 003 step 1), then the QR card to copy and share."""

    async def run(who: SignedIn, form: FormData) -> Response:
        scope = forms.field(form, "scope", max_length=64)
        if scope not in catalogue.ACCESS_SCOPES:
            raise BadRequest("choose a scope of access", error=Reason.INVALID_REQUEST)
        bc_id = _bc_of(who.caller)
        made = await service.request_access(
            browser.session, browser.settings, who.caller, bc_id, scope
        )
        return see_other(urls.bc_card_path(bc_id, made.request_id))

    return await post(browser, HERE, "approval", WORDING, run)


@router.post(HERE + "/requests/{request_id}/withdraw")
async def withdraw(request_id: str, browser: BrowserDep) -> Response:
    async def run(who: SignedIn, form: FormData) -> Response:
        await pending.withdraw(browser.session, who.caller, _bc_of(who.caller), request_id)
        return see_other(f"{HERE}?withdrawn=1")

    return await post(browser, HERE, "approval", WORDING, run)


@router.post(HERE + "/assignments")
async def assign(browser: BrowserDep) -> Response:
    async def run(who: SignedIn, form: FormData) -> Response:
        data = body(
            BusinessCenterAssignmentCreate,
            member_id=forms.field(form, "member_id"),
            tiktok_account_id=forms.field(form, "tiktok_account_id"),
            permission=forms.field(form, "permission"),
        )
        await members.assign(browser.session, who.caller, _bc_of(who.caller), data)
        return see_other(f"{HERE}?assigned=1")

    return await post(browser, HERE, "approval", WORDING, run)


@router.post(HERE + "/grants/{grant_id}/cancel")
async def give_up(grant_id: str, browser: BrowserDep) -> Response:
    """The admin gives up the business center's access to one account (seed 003); its
    members' assignments to it go with it (``approval.cancel_by_admin``)."""

    async def run(who: SignedIn, form: FormData) -> Response:
        await approval.cancel_by_admin(browser.session, who.caller, _bc_of(who.caller), grant_id)
        return see_other(f"{HERE}?cancelled=1")

    return await post(browser, HERE, "approval", WORDING, run)


OWNER = "/bc-access"


@router.get(OWNER)
async def owner_page(browser: BrowserDep) -> Response:
    """The TikTok account owner's Business Center authorizations, with cancel (seed 003)."""

    async def show(who: SignedIn) -> Response:
        found = await owner.owner_authorizations(browser.session, who.caller)
        return page(
            "bc_owner.html",
            who=who_of(who.caller),
            rows=found,
            csrf_token=form_token(browser.settings, OWNER, who),
        )

    return await signed_in_page(browser, OWNER, WORDING, show)


@router.post(OWNER + "/{grant_id}/cancel")
async def owner_cancel(grant_id: str, browser: BrowserDep) -> Response:
    async def run(who: SignedIn, form: FormData) -> Response:
        await approval.cancel_by_owner(browser.session, who.caller, grant_id)
        return see_other(f"{OWNER}?cancelled=1")

    return await post(browser, OWNER, "approval", WORDING, run)
