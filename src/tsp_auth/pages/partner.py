"""A partner admin's pages besides TSP Access (seeds 000, 001, 004):

- **Request TSP Access** (seed 001): the sellers whose grant lacks seller center access, each
  with a link to copy and send (``tsp_access.requestable``, ``links.service.create_link``);
- **assignments** (DESIGN §2): which member may act for which seller, assign and remove
  (``assignments.service``, ``tsp_access.assignment_removal``, which also ends the member's
  console sessions for that seller);
- **My account > My authorizations** (seed 004): the partner's app authorizations, with
  cancel (``partner_apps.authorizations``).
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from starlette.datastructures import FormData

from tsp_auth.assignments import service as assignments
from tsp_auth.assignments.schemas import AssignmentCreate
from tsp_auth.kit.pagination import PageQuery
from tsp_auth.links.schemas import AuthorizationLinkCreate
from tsp_auth.links.service import create_link
from tsp_auth.pages.forms import body, field, post
from tsp_auth.partner_apps import authorizations
from tsp_auth.policy import GrantStatus, label_of
from tsp_auth.policy.catalogue import ROLE_CODES, ROLES
from tsp_auth.registry.service import partner_members
from tsp_auth.tsp_access import requestable, sellers
from tsp_auth.tsp_access.assignment_removal import remove_assignment
from tsp_auth.web.browser import Browser, BrowserDep
from tsp_auth.web.csrf import form_token
from tsp_auth.web.error_pages import ErrorWording
from tsp_auth.web.pages import page, see_other
from tsp_auth.web.sign_in import SignedIn, signed_in_page
from tsp_auth.web.who import who_of

router = APIRouter(tags=["pages"], include_in_schema=False)

REQUEST = "/tsp-access/request"
ASSIGNMENTS = "/tsp-access/assignments"
AUTHORIZATIONS = "/my-account/authorizations"
WORDING = ErrorWording(
    default_title="Partner Center",
    status_titles={403: "Only your partner's admin can do this", 404: "Not found"},
    default_help="Go back to TSP Access.",
)
_ALL = PageQuery(limit=100)


async def _request_page(
    browser: Browser, who: SignedIn, made: tuple[str, str] | None = None
) -> Response:
    listed = await requestable.list_requestable(browser.session, browser.settings, who.caller)
    return page(
        "partner_request.html",
        who=who_of(who.caller),
        rows=listed.items,
        made=made,
        csrf_token=form_token(browser.settings, REQUEST, who),
    )


@router.get(REQUEST)
async def request_access(browser: BrowserDep) -> Response:
    return await signed_in_page(browser, REQUEST, WORDING, lambda who: _request_page(browser, who))


@router.post(REQUEST)
async def make_request_link(browser: BrowserDep) -> Response:
    async def run(who: SignedIn, form: FormData) -> Response:
        data = body(
            AuthorizationLinkCreate, service_id=field(form, "service_id"), purpose="tsp_access"
        )
        link = await create_link(browser.session, browser.settings, who.caller, data)
        return await _request_page(browser, who, (field(form, "seller_id"), link.url))

    return await post(browser, REQUEST, "link_creation", WORDING, run)


def _role_label(code: str) -> str:
    return label_of(ROLES, code) or code


@router.get(ASSIGNMENTS)
async def assignment_list(browser: BrowserDep) -> Response:
    async def show(who: SignedIn) -> Response:
        caller = who.caller
        listed = await assignments.list_assignments(browser.session, caller, _ALL)
        shops = await sellers.list_sellers(browser.session, browser.settings, caller)
        members, _ = await partner_members(browser.session, caller, caller.partner_id or "", _ALL)
        names = {m.id: m.name for m in members} | {s.seller_id: s.shop_name for s in shops.items}
        return page(
            "partner_assignments.html",
            who=who_of(caller),
            is_admin=caller.is_partner_admin,
            assignments=listed.items,
            names=names,
            members=[m for m in members if m.role == "member"],
            sellers=shops.items,
            roles=[(code, _role_label(code)) for code in sorted(ROLE_CODES)],
            csrf_token=form_token(browser.settings, ASSIGNMENTS, who),
        )

    return await signed_in_page(browser, ASSIGNMENTS, WORDING, show)


@router.post(ASSIGNMENTS)
async def assign(browser: BrowserDep) -> Response:
    async def run(who: SignedIn, form: FormData) -> Response:
        roles = sorted({r for r in form.getlist("roles") if isinstance(r, str)}) or None
        data = body(
            AssignmentCreate,
            member_id=field(form, "member_id"),
            seller_id=field(form, "seller_id"),
            roles=roles,
        )
        await assignments.create_assignment(browser.session, who.caller, data)
        return see_other(f"{ASSIGNMENTS}?assigned=1")

    return await post(browser, ASSIGNMENTS, "approval", WORDING, run)


@router.post(ASSIGNMENTS + "/{assignment_id}/remove")
async def unassign(assignment_id: str, browser: BrowserDep) -> Response:
    async def run(who: SignedIn, form: FormData) -> Response:
        await remove_assignment(browser.session, who.caller, assignment_id)
        return see_other(f"{ASSIGNMENTS}?removed=1")

    return await post(browser, ASSIGNMENTS, "approval", WORDING, run)


@router.get(AUTHORIZATIONS)
async def my_authorizations(browser: BrowserDep) -> Response:
    async def show(who: SignedIn) -> Response:
        listed = await authorizations.list_authorizations(browser.session, who.caller)
        return page(
            "partner_authorizations.html",
            who=who_of(who.caller),
            is_admin=who.caller.is_partner_admin,
            rows=listed,
            active=GrantStatus.ACTIVE,
            csrf_token=form_token(browser.settings, AUTHORIZATIONS, who),
        )

    return await signed_in_page(browser, AUTHORIZATIONS, WORDING, show)


@router.post(AUTHORIZATIONS + "/{grant_id}/cancel")
async def cancel_authorization(grant_id: str, browser: BrowserDep) -> Response:
    async def run(who: SignedIn, form: FormData) -> Response:
        await authorizations.cancel_authorization(browser.session, who.caller, grant_id)
        return see_other(f"{AUTHORIZATIONS}?cancelled=1")

    return await post(browser, AUTHORIZATIONS, "approval", WORDING, run)
