"""The consent form's fields, read into what the seller picked and into a ``ConsentAccept``.

Field names (``application/x-www-form-urlencoded``): ``service`` (each service ticked),
``items:{service_id}``, ``roles:{service_id}``, ``areas:{service_id}``,
``object:{service_id}``, ``duration_days``, ``contact_email``, ``terms_version``,
``terms_accepted``, ``csrf_token`` and ``decision`` (``accept`` or ``reject``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pydantic import ValidationError

from tsp_auth.consent.schemas import ConsentAccept
from tsp_auth.kit.errors import BadRequest
from tsp_auth.policy import Reason

_MULTI = ("items", "roles", "areas")
MAX_SERVICES = 20


@dataclass(frozen=True, slots=True)
class Picked:
    """What the seller ticked: builds the decision, and re-fills the form after a refusal."""

    services: frozenset[str] = frozenset()
    codes: Mapping[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    objects: Mapping[str, str] = field(default_factory=dict)
    duration_days: str = ""
    contact_email: str = ""
    terms_version: str = ""
    terms_accepted: bool = False
    decision: str = ""

    def has(self, kind: str, service_id: str, code: str) -> bool:
        """Is ``code`` ticked among ``kind`` (items, roles, areas) of ``service_id``?"""
        return code in self.codes.get((kind, service_id), frozenset())


def read_form(fields: Iterable[tuple[str, object]]) -> Picked:
    """Collect the form's fields; unknown fields and non-text values are ignored."""
    services: set[str] = set()
    codes: dict[tuple[str, str], set[str]] = {}
    objects: dict[str, str] = {}
    single: dict[str, str] = {}
    for name, value in fields:
        if not isinstance(value, str):
            continue
        kind, _, service_id = name.partition(":")
        if name == "service":
            services.add(value)
        elif kind in _MULTI and service_id:
            codes.setdefault((kind, service_id), set()).add(value)
        elif kind == "object" and service_id:
            objects[service_id] = value
        else:
            single.setdefault(name, value)
    return Picked(
        services=frozenset(services),
        codes={key: frozenset(values) for key, values in codes.items()},
        objects=objects,
        duration_days=single.get("duration_days", ""),
        contact_email=single.get("contact_email", "").strip(),
        terms_version=single.get("terms_version", ""),
        terms_accepted=single.get("terms_accepted") == "yes",
        decision=single.get("decision", ""),
    )


def _service_pick(picked: Picked, service_id: str) -> dict[str, object]:
    return {
        "service_id": service_id,
        **{kind: sorted(picked.codes.get((kind, service_id), ())) for kind in _MULTI},
        "authorized_object": picked.objects.get(service_id),
    }


def _duration(value: str) -> int:
    if not value.isdigit():
        raise BadRequest(
            "choose how long the partner may have access", error=Reason.INVALID_REQUEST
        )
    return int(value)


def _described(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ()))
    return f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg"))


def consent_of(picked: Picked) -> ConsentAccept:
    """The decision the JSON API would receive for these picks.

    A ticked service that the page did not show still goes to the rules, which refuse it.
    """
    if not picked.services:
        raise BadRequest("choose at least one service to authorize", error=Reason.INVALID_REQUEST)
    if len(picked.services) > MAX_SERVICES:
        raise BadRequest(f"choose at most {MAX_SERVICES} services", error=Reason.INVALID_REQUEST)
    body = {
        "services": [_service_pick(picked, sid) for sid in sorted(picked.services)],
        "duration_days": _duration(picked.duration_days),
        "contact_email": picked.contact_email,
        # The version the page showed: if the terms changed meanwhile, the rules refuse it.
        "terms_version": picked.terms_version,
        "terms_accepted": picked.terms_accepted,
    }
    try:
        return ConsentAccept.model_validate(body)
    except ValidationError as exc:
        raise BadRequest(_described(exc), error=Reason.INVALID_REQUEST) from None
