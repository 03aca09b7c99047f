"""Small factories: rows inserted through the app's own sessionmaker (so they join the test's
transaction), and identity tokens obtained from the development issuer like any frontend would."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fastapi import FastAPI
from httpx import AsyncClient

from tsp_auth.clock import now
from tsp_auth.models import Account, Partner, Seller, Service, ServiceOffer
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
            return_url=return_url,
            created_at=now(),
        )
        offers = [ServiceOffer(service_id=service.id, seller_id=s) for s in offered_to]
        await self._add(service)
        if offers:
            await self._add(*offers)
        return service

    async def headers(self, account: Account) -> dict[str, str]:
        """An identity token from the development issuer, as a frontend would obtain it."""
        response = await self.client.post("/dev/identity-tokens", json={"account_id": account.id})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['id_token']}"}
