"""Small factories: rows inserted through the app's own sessionmaker (so they join the test's
transaction), and identity tokens obtained from the development issuer like any frontend would."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from tsp_auth.clients.credentials import hash_secret, new_secret
from tsp_auth.clock import now
from tsp_auth.models import (
    Account,
    AccountLinkage,
    Binding,
    BusinessCenter,
    Client,
    Grant,
    MemberAssignment,
    Partner,
    Seller,
    Service,
    ServiceOffer,
)
from tsp_auth.models.base import new_id

ALL_ITEMS = ("authorized_object", "shop_operation_ticket", "seller_center_access", "data_compass")


@dataclass
class Factory:
    app: FastAPI
    client: AsyncClient

    async def _add(self, *rows: object) -> None:
        async with self.app.state.sessionmaker() as session:
            session.add_all(rows)
            await session.commit()

    async def account(
        self, kind: str, role: str, *, seller_id: str | None = None, partner_id: str | None = None
    ) -> Account:
        account = Account(
            id=new_id("acc"),
            kind=kind,
            role=role,
            name=f"{kind} {role}",
            email=f"{role}@example.com",
            seller_id=seller_id,
            partner_id=partner_id,
            created_at=now(),
        )
        await self._add(account)
        return account

    async def operator(self) -> Account:
        return await self.account("operator", "operator")

    async def partner(
        self, *, region: str = "ROW", categories: Iterable[str] = ("seller_service",)
    ) -> Partner:
        partner = Partner(
            id=new_id("ptn"),
            name="Acme Partners",
            region=region,
            categories=frozenset(categories),
            status="active",
            created_at=now(),
        )
        await self._add(partner)
        return partner

    async def seller(self, market: str = "UK") -> tuple[Seller, Account]:
        seller = Seller(
            id=new_id("slr"), shop_name=f"Shop {market}", market=market, created_at=now()
        )
        await self._add(seller)
        return seller, await self.account("seller", "main", seller_id=seller.id)

    async def service(
        self,
        partner: Partner,
        *,
        markets: Iterable[str] = ("UK",),
        items: Iterable[str] = ALL_ITEMS,
        visibility: str = "public",
        valid: bool = True,
        return_url: str | None = "https://partner.example.com/callback",
        offered_to: Iterable[str] = (),
    ) -> Service:
        service = Service(
            id=new_id("svc"),
            partner_id=partner.id,
            name=f"Service {len(list(markets))}",
            visibility=visibility,
            category="seller_service",
            markets=frozenset(markets),
            qualified_items=frozenset(items),
            valid=valid,
            partner_valid=valid,
            return_url=return_url,
            created_at=now(),
        )
        offers = [ServiceOffer(service_id=service.id, seller_id=s) for s in offered_to]
        await self._add(service)
        if offers:
            await self._add(*offers)
        return service

    async def grant(
        self,
        seller: Seller,
        service: Service,
        *,
        items: Iterable[str] = ("seller_center_access", "data_compass"),
        roles: Iterable[str] = ("products", "orders"),
        areas: Iterable[str] = ("live",),
        authorized_object: str | None = None,
        duration_days: int = 90,
        expires_at: datetime | None = None,
        status: str = "active",
        consented_by: Account | None = None,
    ) -> Grant:
        """A TSP access grant (version 1) of ``seller`` to the partner of ``service``, on the
        pair's active binding (made if there is none)."""
        async with self.app.state.sessionmaker() as session:
            binding = await session.scalar(
                select(Binding).where(
                    Binding.seller_id == seller.id,
                    Binding.partner_id == service.partner_id,
                    Binding.status == "active",
                )
            )
        if binding is None:
            binding = Binding(
                id=new_id("bnd"),
                seller_id=seller.id,
                partner_id=service.partner_id,
                status="active",
                created_at=now(),
            )
            await self._add(binding)
        at = now()
        grant = Grant(
            id=new_id("grt"),
            kind="tsp_access",
            grantor_id=seller.id,
            grantee_id=service.partner_id,
            service_id=service.id,
            binding_id=binding.id,
            market=seller.market,
            items=frozenset(items),
            roles=frozenset(roles),
            areas=frozenset(areas),
            scopes=frozenset(),
            authorized_object=authorized_object,
            duration_days=duration_days,
            expires_at=expires_at or at + timedelta(days=duration_days),
            consented_by=consented_by.id if consented_by else None,
            contact_email="owner@example.com",
            terms_version="2025-01",
            status=status,
            status_reason=None,
            version=1,
            created_at=at,
            updated_at=at,
        )
        await self._add(grant)
        return grant

    async def assignment(
        self, member: Account, seller: Seller, *, roles: Iterable[str] | None = None
    ) -> MemberAssignment:
        """``member`` (of its partner) may act for ``seller``; ``roles`` None: all the grant's."""
        assert member.partner_id is not None
        row = MemberAssignment(
            id=new_id("asg"),
            partner_id=member.partner_id,
            member_id=member.id,
            seller_id=seller.id,
            roles=None if roles is None else frozenset(roles),
            created_at=now(),
        )
        await self._add(row)
        return row

    async def oauth_client(
        self,
        partner: Partner | None = None,
        *,
        service: Service | None = None,
        client_type: str = "confidential",
        redirect_uris: Iterable[str] = ("https://app.example.com/callback",),
        scopes: Iterable[str] = ("partner.affiliate.read", "partner.creator.read"),
        status: str = "live",
        allowed_origins: Iterable[str] = (),
        **columns: Any,
    ) -> tuple[Client, str | None]:
        """An OAuth client and its secret (None for a public client or a ``private_key_jwt``
        one). A partner app is tied to ``service`` when given; ``client_type="first_party"``
        makes a platform client; ``columns``: other ``Client`` columns (issue 23's settings).
        (Named ``oauth_client``: ``client`` is this factory's HTTP client.)"""
        keyed = columns.get("token_endpoint_auth_method") == "private_key_jwt"
        secret = None if client_type == "public" or keyed else new_secret()
        row = Client(
            id=new_id("cli"),
            partner_id=partner.id if partner else None,
            service_id=service.id if service else (f"app_{new_id('x')[2:]}" if partner else None),
            name=f"{client_type} client",
            client_type=client_type,
            secret_hash=hash_secret(secret) if secret else None,
            redirect_uris=list(redirect_uris),
            allowed_origins=list(allowed_origins),
            scopes=frozenset(scopes),
            status=status,
            created_at=now(),
            **columns,
        )
        await self._add(row)
        return row, secret

    async def headers(self, account: Account) -> dict[str, str]:
        """An identity token from the development issuer, as a frontend would obtain it."""
        response = await self.client.post("/dev/identity-tokens", json={"account_id": account.id})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['id_token']}"}

    # Business Center (seed 003) ---------------------------------------------------------------

    async def business_center(self) -> tuple[BusinessCenter, Account]:
        """A business center and its first admin."""
        bc = BusinessCenter(id=new_id("bc"), name="Brand BC", created_at=now())
        await self._add(bc)
        return bc, await self.bc_account(bc, "admin")

    async def bc_account(self, bc: BusinessCenter | None, role: str = "member") -> Account:
        """A TikTok For Business user: an admin or standard member of ``bc`` (None: of none)."""
        account = Account(
            id=new_id("acc"),
            kind="business_center",
            role=role,
            name=f"BC {role}",
            email=f"bc-{role}@example.com",
            business_center_id=bc.id if bc else None,
            created_at=now(),
        )
        await self._add(account)
        return account

    async def tiktok_account(self) -> Account:
        """A TikTok account; its owner signs in as it."""
        return await self.account("tiktok", "owner")

    async def linkage(self, tiktok: Account, user: Account, permissions: Iterable[str]) -> None:
        row = AccountLinkage(
            id=new_id("lnk"),
            tiktok_account_id=tiktok.id,
            user_id=user.id,
            permissions=frozenset(permissions),
            created_at=now(),
        )
        await self._add(row)
