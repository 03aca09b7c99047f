"""What the consent template shows: a ``ConsentView`` and the seller's picks, laid out.

Pure functions, no I/O: the router loads the view, these decide order, labels and ticks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from tsp_auth.consent.form import Picked
from tsp_auth.consent.offers import ServiceChoice
from tsp_auth.consent.service import ConsentView
from tsp_auth.kit.errors import AppError
from tsp_auth.policy import Entry, Item, Reason
from tsp_auth.web.pages import Refusal

# seed 000: what each authorization item lets the partner do.
ITEM_HELP: Mapping[str, str] = MappingProxyType(
    {
        Item.AUTHORIZED_OBJECT: "Which of your accounts the partner acts for.",
        Item.SHOP_OPERATION_TICKET: "The partner can raise tickets on behalf of your shop.",
        Item.SELLER_CENTER_ACCESS: (
            "TSP access: the partner can open the Seller Center pages you choose. "
            "Optional: leave it unticked to skip TSP access."
        ),
        Item.DATA_COMPASS: "The partner can check the data of the areas you choose.",
    }
)

# Item code -> (form field, legend, input type) of the choices that come with it.
_SCOPES: Mapping[str, tuple[str, str, str]] = MappingProxyType(
    {
        Item.AUTHORIZED_OBJECT: ("object", "Authorized object", "radio"),
        Item.SELLER_CENTER_ACCESS: ("roles", "Seller Center permissions", "checkbox"),
        Item.DATA_COMPASS: ("areas", "Data compass areas", "checkbox"),
    }
)

# What a refusal means in the seller's words (seeds 001/002: the page speaks of services and
# permissions, not ids and codes; the code stays in the API and as a support reference).
_CHOOSE_SHOWN = "Choose among the options shown on this page."
REASON_HELP: Mapping[str, str] = MappingProxyType(
    {
        Reason.TERMS_NOT_ACCEPTED: "Tick the box to accept the terms.",
        Reason.ROLES_REQUIRED: "Seller center access needs at least one permission.",
        Reason.FULL_ACCESS_EXCLUSIVE: "Choose either full access or specific permissions.",
        Reason.AREAS_REQUIRED: "Data compass needs at least one area.",
        Reason.AUTHORIZED_OBJECT_REQUIRED: "Choose the authorized object.",
        Reason.SELLER_CENTER_ACCESS_NOT_GRANTED: (
            "Permissions were chosen without ticking seller center access."
        ),
        Reason.ITEM_NOT_GRANTED: "Choices were made for an item that is not ticked.",
        Reason.ALREADY_AUTHORIZED: "This service is already authorized.",
        Reason.UNKNOWN_DURATION: "Choose one of the offered durations.",
        Reason.SERVICE_NOT_VALID: "This service is not available any more.",
        Reason.SERVICE_NOT_IN_MARKET: "This service is not offered in your shop's market.",
        Reason.SERVICE_NOT_OFFERED: "This service is not offered to your shop.",
        Reason.BINDING_CANCELLED: "Your work with this partner was cancelled.",
        Reason.ITEM_NOT_QUALIFIED: "One of the ticked items is not part of this service.",
        # seed 002 "For US CB and other markets": data compass only, no TSP access login.
        Reason.MARKET_DISALLOWS_CONSOLE_ACCESS: (
            "In your market a partner cannot open Seller Center for you: only data compass "
            "can be authorized."
        ),
        # seed 002 "For EU + SEA": "there is no Authorized object".
        Reason.MARKET_DISALLOWS_AUTHORIZED_OBJECT: (
            "In your market there is no authorized object to choose."
        ),
        Reason.UNKNOWN_ITEM: _CHOOSE_SHOWN,
        Reason.UNKNOWN_ROLE: _CHOOSE_SHOWN,
        Reason.UNKNOWN_AREA: _CHOOSE_SHOWN,
        Reason.UNKNOWN_AUTHORIZED_OBJECT: _CHOOSE_SHOWN,
    }
)


def _service_names(view: ConsentView) -> Mapping[str, str]:
    return {sid: service.name for sid, service in view.catalogue.services.items()}


def refusal_of(exc: AppError, view: ConsentView) -> Refusal:
    """The refusal in words, naming the service by its name when the rules named its id."""
    names = _service_names(view)
    # Longest id first: one id may be the start of another.
    named = [names[sid] for sid in sorted(names, key=len, reverse=True) if sid in exc.description]
    help_text = REASON_HELP.get(exc.error)
    if help_text is None:
        # A form mistake: its description is already written for people (consent.form).
        return Refusal(exc.description, exc.error)
    return Refusal(f"{named[0]}: {help_text}" if named else help_text, exc.error)


def unavailable_text(view: ConsentView) -> str | None:
    """Why the service the link names is not on the page, in words (None: it is)."""
    reason = view.requested_unavailable
    if reason is None:
        return None
    name = _service_names(view).get(view.request.service_id, "The service named by this link")
    return f"{name} cannot be authorized for your shop. {REASON_HELP.get(reason, '')}".strip()


@dataclass(frozen=True, slots=True)
class Option:
    code: str
    label: str
    checked: bool


@dataclass(frozen=True, slots=True)
class ItemBlock:
    code: str
    label: str
    help: str
    checked: bool
    field: str | None  # roles | areas | object, the choices that come with this item
    legend: str
    input_type: str
    options: tuple[Option, ...]


@dataclass(frozen=True, slots=True)
class ServiceBlock:
    id: str
    name: str
    requested: bool
    renews: bool
    checked: bool
    items: tuple[ItemBlock, ...]

    @property
    def expanded(self) -> bool:
        """Unticked services stay collapsed (seed 002 lists every service of the partner);
        one with anything ticked opens, so a refused form shows what was chosen."""
        return self.checked or any(item.checked for item in self.items)


def _options(entries: tuple[Entry, ...], ticked: frozenset[str]) -> tuple[Option, ...]:
    return tuple(Option(e.code, e.label, e.code in ticked) for e in entries)


def _item(choice: ServiceChoice, entry: Entry, picked: Picked) -> ItemBlock:
    field, legend, input_type = _SCOPES.get(entry.code, (None, "", "checkbox"))
    if field == "object":
        chosen = picked.objects.get(choice.id)
        ticked = frozenset() if chosen is None else frozenset({chosen})
        options = _options(choice.authorized_objects, ticked)
    elif field is not None:
        entries = choice.roles if field == "roles" else choice.areas
        options = _options(entries, picked.codes.get((field, choice.id), frozenset()))
    else:
        options = ()
    return ItemBlock(
        code=entry.code,
        label=entry.label,
        help=ITEM_HELP.get(entry.code, ""),
        checked=picked.has("items", choice.id, entry.code),
        field=field,
        legend=legend,
        input_type=input_type,
        options=options,
    )


def service_block(choice: ServiceChoice, picked: Picked, purpose: str) -> ServiceBlock:
    items = list(choice.items)
    if purpose == "tsp_access":
        # seed 001 "Request TSP Access": the page puts seller center access first.
        items.sort(key=lambda e: e.code != Item.SELLER_CENTER_ACCESS)
    return ServiceBlock(
        id=choice.id,
        name=choice.name,
        requested=choice.requested,
        renews=choice.renews_grant_id is not None,
        checked=choice.id in picked.services,
        items=tuple(_item(choice, entry, picked) for entry in items),
    )


def durations(view: ConsentView) -> tuple[tuple[int, str], ...]:
    """Every duration offered for some service, shortest first (one duration for all)."""
    offered = {d.days: d.label for choice in view.services for d in choice.durations}
    return tuple(sorted(offered.items()))


def initial_picks(view: ConsentView) -> Picked:
    """A fresh page ticks only the service the link names: every grant is the seller's act."""
    requested = {c.id for c in view.services if c.requested}
    return Picked(services=frozenset(requested))


@dataclass(frozen=True, slots=True)
class Authorized:
    name: str
    until: str


def when(at: datetime | None) -> str:
    return "no end date" if at is None else at.strftime("%Y-%m-%d %H:%M UTC")


def already_authorized(view: ConsentView) -> tuple[Authorized, ...]:
    """The seller's grants to this partner in force now (seed 002 "Active")."""
    services = view.catalogue.services
    names = {sid: service.name for sid, service in services.items()}
    return tuple(
        Authorized(names.get(g.service_id or "", g.service_id or "—"), when(g.expires_at))
        for g in view.catalogue.active
    )
