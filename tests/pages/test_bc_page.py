"""Business Center "TikTok accounts" (seed 003) in-process: what each role sees, and the
refusals of the page's forms (the services' own), with nothing written."""

from __future__ import annotations

from httpx import AsyncClient

from tests.business_centers.helpers import approve, count, make_world
from tests.consent_page.helpers import csrf_of, sign_in
from tests.factories import Factory
from tsp_auth.identity.callers import IDENTITY_COOKIE
from tsp_auth.models import BcAccessRequest, BcAssignment
from tsp_auth.web.csrf import csrf_token

SAME_ORIGIN = {"origin": "http://127.0.0.1:8000"}
HERE = "/bc/tiktok-accounts"


async def test_the_admin_generates_a_qr_code_and_withdraws_it(
    client: AsyncClient, factory: Factory
) -> None:
    world = await make_world(factory)
    await sign_in(client, world.admin)
    page = await client.get(HERE)
    assert page.status_code == 200 and 'id="no-accounts"' in page.text
    form = {"csrf_token": csrf_of(page.text), "scope": "ad_delivery_existing_posts"}
    made = await client.post(f"{HERE}/requests", data=form, headers=SAME_ORIGIN)
    assert made.status_code == 303
    assert made.headers["location"].startswith(f"/bc/business-centers/{world.bc.id}/access-")
    [request_id] = [p for p in made.headers["location"].split("/") if p.startswith("bcr_")]
    listed = await client.get(HERE)
    assert f'id="request-{request_id}"' in listed.text
    gone = await client.post(
        f"{HERE}/requests/{request_id}/withdraw", data=form, headers=SAME_ORIGIN
    )
    assert gone.status_code == 303
    assert "No pending request." in (await client.get(HERE)).text


async def test_a_bad_scope_is_400_and_nothing_is_requested(
    client: AsyncClient, factory: Factory
) -> None:
    world = await make_world(factory)
    await sign_in(client, world.admin)
    form = {"csrf_token": csrf_of((await client.get(HERE)).text), "scope": "everything"}
    refused = await client.post(f"{HERE}/requests", data=form, headers=SAME_ORIGIN)
    assert refused.status_code == 400
    assert '<code id="error">invalid_request</code>' in refused.text
    assert await count(factory, BcAccessRequest) == 0


async def test_a_standard_member_sees_its_accounts_only_and_cannot_assign(
    client: AsyncClient, factory: Factory
) -> None:
    world = await make_world(factory)
    await approve(client, world)
    await sign_in(client, world.member)
    page = await client.get(HERE)
    assert page.status_code == 200
    assert world.owner.name not in page.text and "Generate QR code" not in page.text
    token = csrf_token(
        factory.app.state.settings.id_token_secret.get_secret_value(),
        request_id=HERE,
        account_id=world.member.id,
        identity_token=client.cookies[IDENTITY_COOKIE],
    )
    form = {
        "csrf_token": token,
        "member_id": world.member.id,
        "tiktok_account_id": world.owner.id,
        "permission": "admin",
    }
    refused = await client.post(f"{HERE}/assignments", data=form, headers=SAME_ORIGIN)
    assert refused.status_code == 403
    assert '<code id="error">bc_admin_required</code>' in refused.text
    assert await count(factory, BcAssignment) == 0


async def test_an_assigned_member_sees_the_account_with_its_level(
    client: AsyncClient, factory: Factory
) -> None:
    world = await make_world(factory)
    await approve(client, world)
    await sign_in(client, world.admin)
    form = {
        "csrf_token": csrf_of((await client.get(HERE)).text),
        "member_id": world.member.id,
        "tiktok_account_id": world.owner.id,
        "permission": "operator",
    }
    assigned = await client.post(f"{HERE}/assignments", data=form, headers=SAME_ORIGIN)
    assert assigned.status_code == 303
    await sign_in(client, world.member)
    page = await client.get(HERE)
    assert f'id="account-{world.owner.id}"' in page.text
    assert '<td data-label="Your level">operator</td>' in page.text


async def test_a_partner_account_has_no_business_center_here(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    admin = await factory.account("partner", "admin", partner_id=partner.id)
    await sign_in(client, admin)
    assert (await client.get(HERE)).status_code == 404


async def test_the_admin_gives_up_access_to_an_account(
    client: AsyncClient, factory: Factory
) -> None:
    world = await make_world(factory)
    grant = await approve(client, world)
    await sign_in(client, world.admin)
    page = await client.get(HERE)
    assert f'action="/bc/tiktok-accounts/grants/{grant["id"]}/cancel"' in page.text
    form = {"csrf_token": csrf_of(page.text)}
    done = await client.post(f"{HERE}/grants/{grant['id']}/cancel", data=form, headers=SAME_ORIGIN)
    assert done.status_code == 303
    assert 'id="no-accounts"' in (await client.get(HERE)).text
    again = await client.post(f"{HERE}/grants/{grant['id']}/cancel", data=form, headers=SAME_ORIGIN)
    assert again.status_code == 409


async def test_the_owner_sees_and_cancels_its_business_center_authorization(
    client: AsyncClient, factory: Factory
) -> None:
    world = await make_world(factory)
    grant = await approve(client, world)
    await sign_in(client, world.owner)
    page = await client.get("/bc-access")
    assert page.status_code == 200 and f'id="bc-grant-{grant["id"]}"' in page.text
    form = {"csrf_token": csrf_of(page.text)}
    done = await client.post(f"/bc-access/{grant['id']}/cancel", data=form, headers=SAME_ORIGIN)
    assert done.status_code == 303
    assert 'class="status-ended">Cancelled</td>' in (await client.get("/bc-access")).text
    await sign_in(client, world.admin)
    assert 'id="no-accounts"' in (await client.get(HERE)).text


async def test_another_owner_cannot_cancel_it(client: AsyncClient, factory: Factory) -> None:
    world = await make_world(factory)
    grant = await approve(client, world)
    stranger = await factory.tiktok_account()
    await sign_in(client, stranger)
    page = await client.get("/bc-access")
    assert 'id="no-bc-authorizations"' in page.text
    token = csrf_token(
        factory.app.state.settings.id_token_secret.get_secret_value(),
        request_id="/bc-access",
        account_id=stranger.id,
        identity_token=client.cookies[IDENTITY_COOKIE],
    )
    form = {"csrf_token": token}
    refused = await client.post(f"/bc-access/{grant['id']}/cancel", data=form, headers=SAME_ORIGIN)
    assert refused.status_code == 404
    await sign_in(client, world.admin)
    assert f'id="account-{world.owner.id}"' in (await client.get(HERE)).text
