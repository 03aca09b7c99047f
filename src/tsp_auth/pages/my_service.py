"""Seller Center "My Service" (seed 002): the seller's authorizations by partner and service,
with status and expiry; remove one service; cancel the binding after a confirmation that says
what ends; the audit trail with its CSV export. A sub-account sees the same, read-only (seed
002: only the main account authorizes, edits and cancels).

Every read and decision is the JSON API's service (``grants.service``, ``grants.removal``,
``audit.service``): the page refuses what the API refuses, with the same reason codes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import groupby
from types import MappingProxyType

from fastapi import APIRouter, Response
from fastapi.responses import StreamingResponse
from starlette.datastructures import FormData

from tsp_auth.audit import service as audit
from tsp_auth.audit.schemas import AuditQuery
from tsp_auth.grants import removal
from tsp_auth.grants import service as grants
from tsp_auth.grants.schemas import GrantQuery, GrantRead, GrantUpdate
from tsp_auth.kit.errors import AppError, Forbidden
from tsp_auth.kit.rate_limits import Endpoint
from tsp_auth.pages.forms import body, post
from tsp_auth.policy import GrantStatus, Item, Reason, label_of
from tsp_auth.policy.catalogue import AREAS, ITEMS, ROLES, Entry
from tsp_auth.registry.service import names_of, offered_items
from tsp_auth.web.browser import Browser, BrowserDep
from tsp_auth.web.csrf import form_token
from tsp_auth.web.decide import decide
from tsp_auth.web.error_pages import ErrorWording, error_page
from tsp_auth.web.pages import page, see_other
from tsp_auth.web.sign_in import SignedIn, signed_in_page
from tsp_auth.web.who import who_of

router = APIRouter(tags=["pages"], include_in_schema=False)

HERE = "/my-service"
AUDIT = "/my-service/audit"
STATUS_LABELS: Mapping[str, str] = MappingProxyType(
    {
        GrantStatus.ACTIVE: "Active",
        GrantStatus.EXPIRED: "Expired",
        GrantStatus.CANCELLED: "Cancelled",
        GrantStatus.DEACTIVATED: "Deactivated",
    }
)
WORDING = ErrorWording(
    default_title="My Service",
    titles={
        Reason.NOT_MAIN_ACCOUNT: "Only the main account can change authorizations",
        Reason.SELLER_ONLY: "My Service is for sellers",
        Reason.GRANT_NOT_ACTIVE: "This authorization has already ended",
    },
    status_titles={404: "Authorization not found"},
    default_help="Go back to My Service.",
    help={
        Reason.NOT_MAIN_ACCOUNT: (
            "Sub-accounts see the authorizations; the main account of the shop edits and "
            "cancels them."
        ),
    },
)
_MAX_SHOWN = 100  # one page of the API: a seller has a handful of partners


def _labels(codes: Sequence[str], catalogue: tuple[Entry, ...]) -> str:
    return ", ".join(label_of(catalogue, c) or c for c in codes)


def _view(grant: GrantRead, names: Mapping[str, str]) -> dict[str, object]:
    return {
        "grant": grant,
        "service": names.get(grant.service_id or "", grant.service_id or "—"),
        "status": STATUS_LABELS.get(grant.status, grant.status),
        "active": grant.status == GrantStatus.ACTIVE,
        "granted": _labels(grant.items, ITEMS),
        "roles": _labels(grant.roles, ROLES),
        "areas": _labels(grant.areas, AREAS),
    }


async def _grants(browser: Browser, who: SignedIn) -> list[GrantRead]:
    if who.caller.kind != "seller":
        # A partner's authorizations are on TSP Access; this page is the seller's side.
        raise Forbidden("My Service is the seller's page", error=Reason.SELLER_ONLY)
    listed = await grants.list_grants(browser.session, who.caller, GrantQuery(limit=_MAX_SHOWN))
    return [g for g in listed.items if g.kind == "tsp_access"]


@router.get(HERE)
async def my_service(browser: BrowserDep) -> Response:
    async def show(who: SignedIn) -> Response:
        shown = await _grants(browser, who)
        names = await names_of(
            browser.session,
            [g.partner_id for g in shown if g.partner_id],
            [g.service_id for g in shown if g.service_id],
        )
        by_partner = sorted(shown, key=lambda g: (names.get(g.partner_id or "", ""), g.id))
        partners = [
            (names.get(pid or "", pid), [_view(g, names) for g in group])
            for pid, group in groupby(by_partner, key=lambda g: g.partner_id)
        ]
        return page(
            "my_service.html",
            who=who_of(who.caller),
            partners=partners,
            can_change=who.caller.is_seller_main,
            csrf_token=form_token(browser.settings, HERE, who),
        )

    return await signed_in_page(browser, HERE, WORDING, show)


@router.get(HERE + "/{grant_id}/cancel")
async def confirm_cancel(grant_id: str, browser: BrowserDep) -> Response:
    """What a cancel ends (seed 002): the binding and every active grant with that partner."""

    async def show(who: SignedIn) -> Response:
        grant = await grants.read_grant(browser.session, who.caller, grant_id)
        ending = [
            g
            for g in await _grants(browser, who)
            if g.partner_id == grant.partner_id and g.status == GrantStatus.ACTIVE
        ]
        names = await names_of(
            browser.session, [grant.partner_id or ""], [g.service_id or "" for g in ending]
        )
        return page(
            "my_service_cancel.html",
            who=who_of(who.caller),
            grant=grant,
            partner=names.get(grant.partner_id or "", grant.partner_id),
            ending=[_view(g, names) for g in ending],
            csrf_token=form_token(browser.settings, HERE, who),
        )

    return await signed_in_page(browser, f"{HERE}/{grant_id}/cancel", WORDING, show)


class Change:
    """Cancel the binding, or remove one service (``web.decide.PageDecision``)."""

    attempt: Endpoint = "consent"
    wording = WORDING

    def __init__(self, browser: Browser, grant_id: str, what: str) -> None:
        self.browser, self.grant_id, self.what = browser, grant_id, what
        self.here = HERE

    async def bound_to(self, who: SignedIn) -> str:
        return HERE

    async def decide(self, who: SignedIn, form: FormData) -> Response:
        session = self.browser.session
        if self.what == "cancel":
            done = await grants.cancel_grant(session, who.caller, self.grant_id)
            return see_other(f"{HERE}?cancelled={len(done.cancelled)}")
        await removal.remove_grant(session, who.caller, self.grant_id)
        return see_other(f"{HERE}?removed=1")

    async def refused(self, who: SignedIn, form: FormData, refusal: AppError) -> Response:
        return error_page(refusal, self.wording)


@router.get(HERE + "/{grant_id}/edit")
async def edit_form(grant_id: str, browser: BrowserDep) -> Response:
    """seed 002 "Edit authorisations": items, Seller Center roles, data compass areas."""

    async def show(who: SignedIn) -> Response:
        grant = await grants.read_grant(browser.session, who.caller, grant_id)
        offered = await offered_items(browser.session, grant.service_id or "")
        names = await names_of(browser.session, [grant.partner_id or ""], [grant.service_id or ""])
        return page(
            "my_service_edit.html",
            who=who_of(who.caller),
            grant=grant,
            service=names.get(grant.service_id or "", grant.service_id),
            partner=names.get(grant.partner_id or "", grant.partner_id),
            items=[e for e in ITEMS if e.code in offered],
            roles=ROLES,
            areas=AREAS,
            csrf_token=form_token(browser.settings, HERE, who),
        )

    return await signed_in_page(browser, f"{HERE}/{grant_id}/edit", WORDING, show)


def _ticked(form: FormData, name: str) -> list[str]:
    return sorted({v for v in form.getlist(name) if isinstance(v, str)})


@router.post(HERE + "/{grant_id}/edit")
async def edit(grant_id: str, browser: BrowserDep) -> Response:
    async def run(who: SignedIn, form: FormData) -> Response:
        version, items = form.get("version"), _ticked(form, "items")
        # A scope goes with its item: unticking the item empties it, whatever stays ticked.
        data = body(
            GrantUpdate,
            items=items,
            roles=_ticked(form, "roles") if Item.SELLER_CENTER_ACCESS in items else [],
            areas=_ticked(form, "areas") if Item.DATA_COMPASS in items else [],
            version=int(version) if isinstance(version, str) and version.isdigit() else None,
        )
        sea_launch = browser.settings.sea_launch_date
        await grants.edit_grant(browser.session, who.caller, grant_id, data, sea_launch=sea_launch)
        return see_other(f"{HERE}?edited=1")

    return await post(browser, HERE, "consent", WORDING, run)


@router.post(HERE + "/{grant_id}/cancel")
async def cancel(grant_id: str, browser: BrowserDep) -> Response:
    return await decide(browser, Change(browser, grant_id, "cancel"))


@router.post(HERE + "/{grant_id}/remove")
async def remove(grant_id: str, browser: BrowserDep) -> Response:
    return await decide(browser, Change(browser, grant_id, "remove"))


@router.get(AUDIT)
async def audit_trail(browser: BrowserDep) -> Response:
    """The newest events first (the API's ``order=desc``), and a link to all of them as CSV."""

    async def show(who: SignedIn) -> Response:
        query = AuditQuery(order="desc", limit=100)
        events = await audit.list_events(browser.session, who.caller, query)
        return page("audit.html", who=who_of(who.caller), events=events.items)

    return await signed_in_page(browser, AUDIT, WORDING, show)


@router.get(AUDIT + ".csv")
async def audit_csv(browser: BrowserDep) -> Response:
    async def show(who: SignedIn) -> Response:
        audit.check_export(who.caller)
        # The export reads in short transactions of its own while it streams: end the
        # sign-in's read first, so it holds no lock meanwhile (docs/architecture.md, rule 4).
        await browser.session.rollback()
        return StreamingResponse(
            audit.export_csv(browser.sessionmaker, who.caller, AuditQuery(format="csv")),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": 'attachment; filename="audit-events.csv"',
                "Cache-Control": "no-store",
            },
        )

    return await signed_in_page(browser, AUDIT + ".csv", WORDING, show)
