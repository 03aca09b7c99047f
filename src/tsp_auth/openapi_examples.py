"""Request and response examples for the OpenAPI document, by operationId (docs/api/operations.md).

They use the demo data (`tsp-auth demo`): the UK seller `slr_demo_uk` and its main account, the
partner `ptn_demo_row` with its services, the TAP partner `ptn_demo_tap` and its apps, the
Business Center `bc_demo`. Generated ids (`grt_…`) are made up in the same shape as
``new_id``. `tests/test_openapi_docs.py` validates every example against its schema, so an
example cannot drift from the API it shows.
"""

from __future__ import annotations

from typing import Any

from tsp_auth.config import Settings
from tsp_auth.oauth.metadata import server_metadata

EXAMPLE_NAME = "demo"
EXAMPLE_SUMMARY = "With the demo data of `tsp-auth demo`"

ISSUER = "http://127.0.0.1:8000"
RETURN_URL = f"{ISSUER}/demo/partner-callback"
AT = "2026-12-01T09:30:00Z"
LATER = "2026-12-01T09:35:00Z"
EXPIRES = "2027-03-01T09:30:00Z"

SELLER = "slr_demo_uk"
MAIN = "acc_demo_main_uk"
PARTNER = "ptn_demo_row"
ADMIN = "acc_demo_admin_row"
MEMBER = "acc_demo_member_row"
OPERATOR = "acc_demo_operator"
SERVICE = "svc_demo_row_shop"
GRANT = "grt_5f0c3a9e2b7d4c1e8a6f9b2d4e7c1a3f"
OTHER_GRANT = "grt_8d2e4f6a1b3c5d7e9f0a2b4c6d8e0f1a"
BINDING = "bnd_1c3e5a7b9d0f2e4a6c8b0d2f4a6c8e0b"
REQUEST = "azr_7b9d1f3a5c7e9b1d3f5a7c9e1b3d5f7a"
STATE = "k3Jq9xVZ2mW8pL4tR7nY1cB6dF0hS5gA"
TAP_PARTNER = "ptn_demo_tap"
TAP_ADMIN = "acc_demo_admin_tap"
APP = "cli_demo_tap_live"
APP_SERVICE = "app_demo_tap_live"
BC = "bc_demo"
BC_ADMIN = "acc_demo_bc_admin"
BC_MEMBER = "acc_demo_bc_member"
TIKTOK = "acc_demo_tiktok_owner"
BC_GRANT = "grt_2a4c6e8f0b1d3f5a7c9e1b3d5f7a9c0e"
BC_REQUEST = "bcr_4e6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e"
# Shortened JWTs (header.claims.signature): the shape, not a token that verifies.
_LOGIN_JWT_HEADER = "eyJhbGciOiJFUzI1NiIsImtpZCI6Im9aZ1JYcSIsInR5cCI6InRzcC1sb2dpbitqd3QifQ"
_ACCESS_JWT_HEADER = "eyJhbGciOiJFUzI1NiIsImtpZCI6Im9aZ1JYcSIsInR5cCI6ImF0K2p3dCJ9"
LOGIN_TOKEN = f"{_LOGIN_JWT_HEADER}.eyJzdWIiOiJzbHJfZGVtb191ayJ9.c2lnbmF0dXJl"
ACCESS_TOKEN = f"{_ACCESS_JWT_HEADER}.eyJzdWIiOiJwdG5fZGVtb190YXAifQ.c2lnbmF0dXJl"
SESSION_TOKEN = "Jd7xQ2mV9pW4tL8nR1cY6bF3hS0gK5aZ_e2uT7oI9qE"  # noqa: S105
ROLES = ["orders", "products"]
ACT = {"sub": MEMBER, "partner": PARTNER}

GRANT_READ: dict[str, Any] = {
    "id": GRANT,
    "kind": "tsp_access",
    "grantor": {"type": "seller", "id": SELLER},
    "grantee": {"type": "partner", "id": PARTNER},
    "seller_id": SELLER,
    "partner_id": PARTNER,
    "client_id": None,
    "service_id": SERVICE,
    "binding_id": BINDING,
    "market": "UK",
    "items": ["data_compass", "seller_center_access"],
    "roles": ROLES,
    "areas": ["live", "product"],
    "authorized_object": None,
    "duration_days": 90,
    "expires_at": EXPIRES,
    "status": "active",
    "status_reason": None,
    "version": 1,
    "consented_by": MAIN,
    "contact_email": "ops@demo-shop-uk.example",
    "terms_version": "2025-12",
    "created_at": AT,
    "updated_at": AT,
}
US_SERVICE = "svc_demo_us_shop"
US_SELLER = "slr_demo_us"
US_PARTNER = "ptn_demo_us"
PROPOSAL = "prp_3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a"
PROPOSAL_READ: dict[str, Any] = {
    "id": PROPOSAL,
    "status": "open",
    "partner_id": US_PARTNER,
    "partner_name": "Demo Partner US",
    "service_id": US_SERVICE,
    "service_name": "Shop management",
    "seller_id": US_SELLER,
    "items": [
        {
            "code": "data_compass",
            "label": "Data compass",
            "help": "The partner can check the data of the areas you choose.",
            "choices": [
                {"code": "live", "label": "LIVE"},
                {"code": "marketing", "label": "Marketing"},
            ],
        }
    ],
    "duration_days": 180,
    "duration_label": "180 days",
    "message": "Let us run your LIVE analytics for the season.",
    "warning": None,
    "terms_version": "2025-12",
    "created_at": AT,
    "expires_at": "2026-12-31T09:30:00Z",
    "decided_at": None,
    "grant_id": None,
}
ACCEPTED_PROPOSAL = {
    **PROPOSAL_READ,
    "status": "accepted",
    "decided_at": LATER,
    "grant_id": GRANT,
}
PARTNER_READ = {
    "id": PARTNER,
    "name": "Demo Partner ROW",
    "region": "ROW",
    "categories": ["seller_service"],
    "status": "active",
    "created_at": AT,
}
MEMBER_READ = {
    "id": MEMBER,
    "kind": "partner",
    "role": "member",
    "name": "Demo Partner ROW member",
    "email": "member@partner-row.example",
    "seller_id": None,
    "partner_id": PARTNER,
    "business_center_id": None,
}
SELLER_READ = {"id": SELLER, "shop_name": "Demo shop UK", "market": "UK", "created_at": AT}
SERVICE_READ = {
    "id": SERVICE,
    "partner_id": PARTNER,
    "name": "Shop management",
    "visibility": "public",
    "category": "seller_service",
    "markets": ["DE", "ID", "JP", "UK"],
    "qualified_items": [
        "authorized_object",
        "data_compass",
        "seller_center_access",
        "shop_operation_ticket",
    ],
    "valid": True,
    "partner_valid": True,
    "platform_invalidated": False,
    "return_url": RETURN_URL,
    "created_at": AT,
}
CLIENT_READ: dict[str, Any] = {
    "client_id": APP,
    "client_name": "Demo TAP app (live)",
    "client_type": "confidential",
    "partner_id": TAP_PARTNER,
    "service_id": APP_SERVICE,
    "redirect_uris": [RETURN_URL],
    "allowed_origins": [],
    "grant_types": ["authorization_code", "refresh_token"],
    "scope": "partner.affiliate.read partner.creator.read",
    "status": "live",
    "token_endpoint_auth_method": "client_secret_basic",
    "client_id_issued_at": 1796117400,
}
CLIENT_WITH_SECRET = {
    **CLIENT_READ,
    "client_secret": "q8V2mZ7xL4pW9tR1nY6cB3dF0hS5gKaJ_u2eT7oI9qE",
    "client_secret_expires_at": 0,
}
APP_SUMMARY = {
    "client_id": APP,
    "name": "Demo TAP app (live)",
    "service_id": APP_SERVICE,
    "status": "live",
}
TAP_OWNER = {"id": TAP_PARTNER, "name": "Demo TAP Partner", "region": "US"}
APP_AUTHORIZATION = {
    "grant_id": OTHER_GRANT,
    "status": "active",
    "status_reason": None,
    "version": 1,
    "scopes": ["partner.affiliate.read", "partner.creator.read"],
    "categories": ["tap"],
    "app": APP_SUMMARY,
    "owner": TAP_OWNER,
    "authorized_by": TAP_ADMIN,
    "created_at": AT,
    "updated_at": AT,
}
WEBHOOK_READ = {
    "id": "whk_6c8e0a2c4e6b8d0f2a4c6e8b0d2f4a6c",
    "partner_id": PARTNER,
    "url": "https://hooks.partner-row.example/tsp-auth",
    "events": ["grant.cancelled", "grant.created", "grant.updated"],
    "created_at": AT,
}
BC_READ = {"id": BC, "name": "Demo Business Center", "created_at": AT}
BC_GRANT_READ = {
    "id": BC_GRANT,
    "tiktok_account_id": TIKTOK,
    "business_center_id": BC,
    "scopes": ["ad_enabled_posts", "profile_info", "public_videos"],
    "status": "active",
    "status_reason": None,
    "version": 1,
    "expires_at": None,
    "created_at": AT,
    "updated_at": AT,
}
PERMISSIONS = {
    "member_id": BC_MEMBER,
    "tiktok_account_id": TIKTOK,
    "permissions": ["ad_enabled_posts", "profile_info", "public_videos"],
    "level": "operator",
    "sources": [
        {
            "source": "business_center",
            "permissions": ["ad_enabled_posts", "profile_info", "public_videos"],
            "grant_id": BC_GRANT,
            "level": "operator",
        }
    ],
}


def _cancelled(grant: dict[str, Any], reason: str) -> dict[str, Any]:
    return {**grant, "status": "cancelled", "status_reason": reason, "version": 2}


def _entries(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"code": code, "label": label} for code, label in pairs]


CONSENT_VIEW = {
    "id": REQUEST,
    "purpose": "authorize",
    "expires_at": "2026-12-01T09:45:00Z",
    "terms_version": "2025-12",
    "can_decide": True,
    "market": "UK",
    "partner": {"id": PARTNER, "name": "Demo Partner ROW", "region": "ROW"},
    "requested_service_id": SERVICE,
    "requested_service_unavailable": None,
    "services": [
        {
            "id": SERVICE,
            "name": "Shop management",
            "visibility": "public",
            "requested": True,
            "renews_grant_id": None,
            "items": _entries(
                ("shop_operation_ticket", "Shop operation ticket"),
                ("seller_center_access", "Seller center access"),
                ("data_compass", "Data compass"),
            ),
            "roles": _entries(("full_access", "Full access"), ("products", "Products")),
            "areas": _entries(("live", "LIVE"), ("product", "Product")),
            "authorized_objects": [],
            "durations": [{"days": 30, "label": "30 days"}, {"days": 90, "label": "90 days"}],
        }
    ],
    "already_authorized": [],
}

# The request body of each operation that takes one (JSON, or the OAuth endpoints' forms).
REQUEST_EXAMPLES: dict[str, dict[str, Any]] = {
    "decide": {"token": SESSION_TOKEN, "action": "seller_center.orders", "shop_id": SELLER},
    "decide_for_member": {"action": "data_compass.live", "seller_id": SELLER},
    "decide_for_app": {"token": ACCESS_TOKEN, "action": "data_compass.live", "seller_id": SELLER},
    "issue_token": {
        "grant_type": "authorization_code",
        "code": "Qm9yZWFsaXMtY29kZS1leGFtcGxlLTQzLWNoYXJzLWxvbmc",
        "redirect_uri": RETURN_URL,
        "code_verifier": "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
        "client_id": APP,
    },
    "introspect_token": {"token": ACCESS_TOKEN, "token_type_hint": "access_token"},
    "revoke_token": {
        "token": "Zm9yLXJldm9jYXRpb24tcmVmcmVzaC10b2tlbi1leGFtcGxl",
        "token_type_hint": "refresh_token",
    },
    "issue_login_token": {
        "seller_id": SELLER,
        "service_id": SERVICE,
        "browser_profile": "chrome-1",
    },
    "start_session": {"login_token": LOGIN_TOKEN, "browser_profile": "chrome-1"},
    "create_partner": {
        "name": "Demo Partner ROW",
        "region": "ROW",
        "categories": ["seller_service"],
    },
    "update_partner": {"categories": ["seller_service"]},
    "add_partner_member": {
        "name": "Demo Partner ROW member",
        "email": "member@partner-row.example",
        "role": "member",
    },
    "create_seller": {
        "shop_name": "Demo shop UK",
        "market": "UK",
        "main_account": {"name": "Main account, UK", "email": "owner@demo-shop-uk.example"},
    },
    "add_sub_account": {"name": "Sub-account, UK", "email": "staff@demo-shop-uk.example"},
    "create_service": {
        "partner_id": PARTNER,
        "name": "Shop management",
        "visibility": "public",
        "category": "seller_service",
        "markets": ["UK", "DE", "ID", "JP"],
        "qualified_items": [
            "authorized_object",
            "shop_operation_ticket",
            "seller_center_access",
            "data_compass",
        ],
        "return_url": RETURN_URL,
    },
    "update_service": {"name": "Shop management", "return_url": RETURN_URL},
    "offer_service": {"seller_id": SELLER},
    "create_proposal": {
        "service_id": US_SERVICE,
        "seller_id": US_SELLER,
        "items": ["data_compass"],
        "roles": [],
        "areas": ["live", "marketing"],
        "authorized_object": None,
        "duration_days": 180,
        "message": "Let us run your LIVE analytics for the season.",
    },
    "accept_proposal": {
        "contact_email": "ops@demo-shop-us.example",
        "terms_version": "2025-12",
        "terms_accepted": True,
    },
    "edit_grant": {"items": ["seller_center_access"], "roles": ["products"], "version": 1},
    "renew_grant": {"duration_days": 180, "version": 1},
    "deactivate_grant": {"reason": "platform_policy"},
    "create_authorization_link": {"service_id": SERVICE, "state": STATE, "purpose": "authorize"},
    "accept_authorization_request": {
        "services": [
            {
                "service_id": SERVICE,
                "items": ["seller_center_access", "data_compass"],
                "roles": ROLES,
                "areas": ["live", "product"],
            }
        ],
        "duration_days": 90,
        "contact_email": "ops@demo-shop-uk.example",
        "terms_version": "2025-12",
        "terms_accepted": True,
    },
    "create_assignment": {"member_id": MEMBER, "seller_id": SELLER, "roles": ROLES},
    "create_webhook": {
        "url": "https://hooks.partner-row.example/tsp-auth",
        "events": ["grant.created", "grant.updated", "grant.cancelled"],
    },
    "register_client": {
        "name": "Demo TAP app (live)",
        "client_type": "confidential",
        "redirect_uris": [RETURN_URL],
        "scopes": ["partner.affiliate.read", "partner.creator.read"],
    },
    "update_client": {"status": "live"},
    "create_app_authorization_link": {"client_id": APP, "redirect_uri": RETURN_URL, "state": STATE},
    "accept_app_authorization_request": {
        "category": "tap",
        "scopes": ["partner.affiliate.read", "partner.creator.read"],
    },
    "create_business_center": {
        "name": "Demo Business Center",
        "admin": {"name": "Demo BC admin", "email": "admin@bc-demo.example"},
    },
    "add_business_center_member": {
        "name": "Demo BC member",
        "email": "member@bc-demo.example",
        "role": "member",
    },
    "request_access": {"scope": "ad_delivery_existing_posts"},
    "start_seller_session": {"browser_profile": "profile-7f3a"},
    "give_ad_account_access": {
        "member_id": BC_MEMBER,
        "ad_account_id": "adv_7405123456789",
        "role": "operator",
    },
    "decide_member_action": {
        "tiktok_account_id": TIKTOK,
        "action": "spark_ads.pull_video",
        "ad_account_id": "adv_7405123456789",
        "member_id": BC_MEMBER,
    },
    "assign_member": {
        "member_id": BC_MEMBER,
        "tiktok_account_id": TIKTOK,
        "permission": "operator",
    },
    "change_assignment": {"permission": "analyst"},
    "change_ad_account_access": {"role": "analyst"},
    "link_accounts": {
        "tiktok_account_id": TIKTOK,
        "user_id": BC_MEMBER,
        "permissions": ["profile_info", "public_videos"],
    },
    "issue_identity_token": {"account_id": MAIN},
}

# The JSON success answer of each operation that has one.
RESPONSE_EXAMPLES: dict[str, dict[str, Any]] = {
    "decide": {"allow": True, "reason": "ok", "acting_as": SELLER, "actor": ACT},
    "decide_for_member": {
        "allow": True,
        "reason": "ok",
        "seller_id": SELLER,
        "partner_id": PARTNER,
        "member_id": MEMBER,
        "grant_id": GRANT,
    },
    "decide_for_app": {
        "allow": False,
        "reason": "scope_not_granted",
        "seller_id": SELLER,
        "client_id": APP,
        "grant_id": GRANT,
    },
    "issue_token": {
        "access_token": ACCESS_TOKEN,
        "token_type": "Bearer",
        "expires_in": 900,
        "refresh_token": "cmVmcmVzaC10b2tlbi1leGFtcGxlLTQzLWNoYXJhY3RlcnM",
        "scope": "partner.affiliate.read partner.creator.read",
    },
    "introspect_token": {
        "active": True,
        "scope": "partner.affiliate.read partner.creator.read",
        "client_id": APP,
        "token_type": "Bearer",
        "exp": 1796118300,
        "iat": 1796117400,
        "sub": TAP_PARTNER,
        "aud": f"{ISSUER}/api",
        "iss": ISSUER,
        "jti": "Xk2v9QmT4pL8wR1nY6cB3g",
        "grant_id": OTHER_GRANT,
    },
    "jwks": {
        "keys": [
            {
                "kid": "oZgRXq0tH3k8Vx2mLw9pN4cY7bF1dS6aJ5eU0iT8rQ",
                "kty": "EC",
                "crv": "P-256",
                "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
                "alg": "ES256",
                "use": "sig",
            }
        ]
    },
    # What the server answers with the default settings (not the environment's: this module is
    # imported before a bad setting can be reported), built by the code that answers it.
    "authorization_server_metadata": server_metadata(Settings.model_construct()).model_dump(
        mode="json"
    ),
    "list_sellers": {
        "items": [
            {
                "seller_id": SELLER,
                "shop_name": "Demo shop UK",
                "market": "UK",
                "grants": [
                    {
                        "grant_id": GRANT,
                        "service_id": SERVICE,
                        "version": 1,
                        "items": ["data_compass", "seller_center_access"],
                        "roles": ROLES,
                        "areas": ["live", "product"],
                        "expires_at": EXPIRES,
                        "login": {"allow": True, "reason": "ok"},
                    }
                ],
            }
        ],
        "next_cursor": None,
    },
    "issue_login_token": {
        "login_token": LOGIN_TOKEN,
        "login_url": "https://seller.tiktokshop.com/tsp-access/login",
        "expires_in": 300,
        "seller_id": SELLER,
        "grant_id": GRANT,
        "roles": ROLES,
        "act": ACT,
    },
    "start_session": {
        "session_token": SESSION_TOKEN,
        "token_type": "Bearer",
        "session_id": "cs_9f1b3d5a7c9e1f3b5d7a9c1e3f5b7d9a",
        "seller_id": SELLER,
        "acting_as": SELLER,
        "act": ACT,
        "grant_id": GRANT,
        "roles": ROLES,
        "browser_profile": "chrome-1",
        "expires_at": "2026-12-01T17:30:00Z",
    },
    "health": {"status": "ok"},
    "ready": {"status": "ready", "revision": ["0009_api"]},
    "read_me": {
        "account_id": MAIN,
        "kind": "seller",
        "role": "main",
        "name": "Main account, UK",
        "seller_id": SELLER,
        "partner_id": None,
        "business_centers": [],
    },
    "create_partner": PARTNER_READ,
    "read_partner": PARTNER_READ,
    "create_proposal": PROPOSAL_READ,
    "list_proposals": {"items": [PROPOSAL_READ], "next_cursor": None},
    "read_proposal": PROPOSAL_READ,
    "accept_proposal": ACCEPTED_PROPOSAL,
    "decline_proposal": {**PROPOSAL_READ, "status": "declined", "decided_at": LATER},
    "withdraw_proposal": {**PROPOSAL_READ, "status": "withdrawn", "decided_at": LATER},
    "update_partner": PARTNER_READ,
    "add_partner_member": MEMBER_READ,
    "list_members": {"items": [MEMBER_READ], "next_cursor": None},
    "create_seller": {
        **SELLER_READ,
        "main_account": {
            "id": MAIN,
            "kind": "seller",
            "role": "main",
            "name": "Main account, UK",
            "email": "owner@demo-shop-uk.example",
            "seller_id": SELLER,
            "partner_id": None,
            "business_center_id": None,
        },
    },
    "read_seller": SELLER_READ,
    "add_sub_account": {
        "id": "acc_demo_sub_uk",
        "kind": "seller",
        "role": "sub",
        "name": "Sub-account, UK",
        "email": "staff@demo-shop-uk.example",
        "seller_id": SELLER,
        "partner_id": None,
        "business_center_id": None,
    },
    "create_service": SERVICE_READ,
    "list_services": {"items": [SERVICE_READ], "next_cursor": None},
    "read_service": SERVICE_READ,
    "update_service": SERVICE_READ,
    "offer_service": {"service_id": "svc_demo_row_custom", "seller_id": SELLER},
    "list_grants": {"items": [GRANT_READ], "next_cursor": None},
    "read_grant": GRANT_READ,
    "edit_grant": {
        **GRANT_READ,
        "items": ["seller_center_access"],
        "roles": ["products"],
        "areas": [],
        "version": 2,
        "updated_at": LATER,
    },
    "renew_grant": {
        **GRANT_READ,
        "duration_days": 180,
        "expires_at": "2027-05-30T09:35:00Z",
        "version": 2,
        "updated_at": LATER,
    },
    "cancel_grant": {
        "cancelled": [GRANT],
        "grant": {**_cancelled(GRANT_READ, "seller_cancelled"), "updated_at": LATER},
    },
    "deactivate_grant": {
        **GRANT_READ,
        "status": "deactivated",
        "status_reason": "platform_policy",
        "version": 2,
        "updated_at": LATER,
    },
    "create_authorization_link": {
        "url": f"https://partner.tiktokshop.com/open/authorize?service_id={SERVICE}&state={STATE}",
        "service_id": SERVICE,
        "state": STATE,
        "purpose": "authorize",
    },
    "read_authorization_request": CONSENT_VIEW,
    "accept_authorization_request": {
        "redirect_to": f"{RETURN_URL}?state={STATE}",
        "grants": [
            {
                "id": GRANT,
                "service_id": SERVICE,
                "version": 1,
                "expires_at": EXPIRES,
                "renewed": False,
            }
        ],
    },
    "reject_authorization_request": {
        "redirect_to": f"{RETURN_URL}?error=access_denied&state={STATE}"
    },
    "create_assignment": {
        "id": "asg_0e2c4a6e8b0d2f4a6c8e0b2d4f6a8c0e",
        "partner_id": PARTNER,
        "member_id": MEMBER,
        "seller_id": SELLER,
        "roles": ROLES,
        "created_at": AT,
    },
    "list_assignments": {
        "items": [
            {
                "id": "asg_0e2c4a6e8b0d2f4a6c8e0b2d4f6a8c0e",
                "partner_id": PARTNER,
                "member_id": MEMBER,
                "seller_id": SELLER,
                "roles": ROLES,
                "created_at": AT,
            }
        ],
        "next_cursor": None,
    },
    "list_audit_events": {
        "items": [
            {
                "id": "aud_5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b",
                "occurred_at": AT,
                "action": "grant.created",
                "outcome": "success",
                "reason": None,
                "actor_id": MAIN,
                "actor_type": "account",
                "on_behalf_of": SELLER,
                "partner_id": PARTNER,
                "seller_id": SELLER,
                "grant_id": GRANT,
                "request_id": "3f9a1c5e7b2d4f600000000000000042",
                "detail": {"service_id": SERVICE, "version": 1},
            }
        ],
        "next_cursor": None,
    },
    "create_webhook": {**WEBHOOK_READ, "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
    "list_webhooks": {"items": [WEBHOOK_READ], "next_cursor": None},
    "rotate_webhook_secret": {
        "id": WEBHOOK_READ["id"],
        "secret": "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
        "previous_secret_signs_until": "2026-12-02T09:30:00Z",
    },
    "register_client": CLIENT_WITH_SECRET,
    "list_clients": {"items": [CLIENT_READ], "next_cursor": None},
    "read_client": CLIENT_READ,
    "update_client": CLIENT_READ,
    "rotate_secret": CLIENT_WITH_SECRET,
    "create_app_authorization_link": {
        "url": f"https://partner.us.tiktokshop.com/open/authorize?service_id={APP_SERVICE}"
        f"&state={STATE}&client_id={APP}&redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fdemo"
        "%2Fpartner-callback&response_type=code",
        "state": STATE,
    },
    "read_app_authorization_request": {
        "id": REQUEST,
        "expires_at": "2026-12-01T09:45:00Z",
        "app": APP_SUMMARY,
        "owner": TAP_OWNER,
        "grantor": TAP_OWNER,
        "scopes": ["partner.affiliate.read", "partner.creator.read"],
        "categories": [{"code": "tap", "label": "Seller and Scalable Creator Match-up"}],
        "can_decide": True,
        "refused_reason": None,
        "renews_grant_id": None,
    },
    "accept_app_authorization_request": {
        "redirect_to": f"{RETURN_URL}?code=Y29kZS1leGFtcGxl&state={STATE}"
        "&iss=http%3A%2F%2F127.0.0.1%3A8000",
        "grant_id": OTHER_GRANT,
        "version": 1,
        "renewed": False,
    },
    "reject_app_authorization_request": {
        "redirect_to": f"{RETURN_URL}?error=access_denied"
        f"&error_description=the+seller+refused+the+authorization&state={STATE}"
        "&iss=http%3A%2F%2F127.0.0.1%3A8000"
    },
    "list_authorizations": {"items": [APP_AUTHORIZATION], "next_cursor": None},
    "cancel_authorization": {
        **APP_AUTHORIZATION,
        "status": "cancelled",
        "status_reason": "partner_cancelled",
        "version": 2,
        "updated_at": LATER,
    },
    "create_business_center": {
        **BC_READ,
        "admin": {
            "id": BC_ADMIN,
            "kind": "business_center",
            "role": "admin",
            "name": "Demo BC admin",
            "email": "admin@bc-demo.example",
            "seller_id": None,
            "partner_id": None,
            "business_center_id": BC,
        },
    },
    "read_business_center": BC_READ,
    "add_business_center_member": {
        "id": BC_MEMBER,
        "kind": "business_center",
        "role": "member",
        "name": "Demo BC member",
        "email": "member@bc-demo.example",
        "seller_id": None,
        "partner_id": None,
        "business_center_id": BC,
    },
    "request_access": {
        "request_id": BC_REQUEST,
        "scope": "ad_delivery_existing_posts",
        "link": f"{ISSUER}/bc/authorize/aGVyZS1pcy10aGUtc2luZ2xlLXVzZS10b2tlbg",
        "qr_png_url": f"{ISSUER}/v1/business-centers/{BC}/access-requests/{BC_REQUEST}/qr.png",
        "card_url": f"{ISSUER}/bc/business-centers/{BC}/access-requests/{BC_REQUEST}",
        "expires_at": "2026-12-02T09:30:00Z",
    },
    "read_access_request": {
        "id": BC_REQUEST,
        "business_center_id": BC,
        "scope": "ad_delivery_existing_posts",
        "status": "approved",
        "tiktok_account_id": TIKTOK,
        "grant_id": BC_GRANT,
        "created_at": AT,
        "expires_at": "2026-12-02T09:30:00Z",
        "decided_at": LATER,
    },
    "assign_member": {
        "id": "bca_8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b",
        "business_center_id": BC,
        "member_id": BC_MEMBER,
        "tiktok_account_id": TIKTOK,
        "permission": "operator",
        "created_at": AT,
    },
    "change_assignment": {
        "id": "bca_8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b",
        "business_center_id": BC,
        "member_id": BC_MEMBER,
        "tiktok_account_id": TIKTOK,
        "permission": "analyst",
        "created_at": AT,
    },
    "list_tiktok_accounts": {
        "items": [
            {
                "tiktok_account_id": TIKTOK,
                "name": "@demo.creator",
                "grant_id": BC_GRANT,
                "scopes": ["ad_enabled_posts", "profile_info", "public_videos"],
                "grant_version": 1,
                "authorized_at": LATER,
                "permission": "operator",
            }
        ],
        "next_cursor": None,
    },
    "member_permissions": PERMISSIONS,
    "cancel_as_admin": _cancelled(BC_GRANT_READ, "business_center_cancelled"),
    "my_permissions": PERMISSIONS,
    "link_accounts": {
        "id": "lse_2c4e6a8c0e2b4d6f8a0c2e4b6d8f0a2c",
        "tiktok_account_id": TIKTOK,
        "user_id": BC_MEMBER,
        "permissions": ["profile_info", "public_videos"],
        "created_at": AT,
    },
    "list_owner_grants": {"items": [BC_GRANT_READ], "next_cursor": None},
    "cancel_as_owner": _cancelled(BC_GRANT_READ, "owner_cancelled"),
    "read_bc_access_offer": {
        "request_id": BC_REQUEST,
        "business_center_id": BC,
        "business_center_name": "Demo Business Center",
        "scope": "ad_delivery_existing_posts",
        "scope_label": "Ad delivery with existing posts",
        "permissions": _entries(
            ("profile_info", "Access profile info"),
            (
                "ad_enabled_posts",
                "Access posts enabled for ads (ad authorization turned on in TikTok)",
            ),
            ("public_videos", "Access public videos"),
        ),
        "expires_at": "2026-12-02T09:30:00Z",
        "expires": "never",
    },
    "approve_bc_access": {"status": "approved", "grant": BC_GRANT_READ},
    "reject_bc_access": {"status": "rejected", "grant": None},
    "issue_identity_token": {
        "id_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6ImlkK2p3dCJ9"
        ".eyJzdWIiOiJhY2NfZGVtb19tYWluX3VrIn0.c2lnbmF0dXJl",
        "token_type": "Bearer",
        "expires_in": 3600,
        "account_id": MAIN,
        "kind": "seller",
        "role": "main",
    },
}

PENDING_REQUEST = {
    "id": BC_REQUEST,
    "business_center_id": BC,
    "scope": "ad_delivery_existing_posts",
    "status": "pending",
    "tiktok_account_id": None,
    "grant_id": None,
    "created_at": AT,
    "expires_at": "2026-12-02T09:30:00Z",
    "decided_at": None,
}

RESPONSE_EXAMPLES.update(
    {
        "list_requestable": {
            "items": [
                {
                    "seller_id": SELLER,
                    "shop_name": "Demo shop UK",
                    "market": "UK",
                    "grant_id": GRANT,
                    "service_id": SERVICE,
                    "service_name": "Shop management",
                    "expires_at": EXPIRES,
                }
            ],
            "next_cursor": None,
        },
        "start_seller_session": {
            "session_token": "sst_Zk3q9xVZ2mW8pL4tR7nY1cB6dF0hS5gA",
            "token_type": "Bearer",
            "session_id": "ses_2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a",
            "kind": "seller_account",
            "account_id": MAIN,
            "seller_id": SELLER,
            "browser_profile": "profile-7f3a",
            "expires_at": "2026-12-01T17:30:00Z",
        },
        "remove_grant": {**_cancelled(GRANT_READ, "service_removed"), "updated_at": LATER},
        "list_pending_requests": {"items": [PENDING_REQUEST], "next_cursor": None},
        "withdraw_request": {**PENDING_REQUEST, "status": "withdrawn", "decided_at": LATER},
        "give_ad_account_access": {
            "id": "bad_6c8e0a2c4e6b8d0f2a4c6e8b0d2f4a6c",
            "business_center_id": BC,
            "ad_account_id": "adv_7405123456789",
            "member_id": BC_MEMBER,
            "role": "operator",
            "created_at": AT,
        },
        "change_ad_account_access": {
            "id": "bad_6c8e0a2c4e6b8d0f2a4c6e8b0d2f4a6c",
            "business_center_id": BC,
            "ad_account_id": "adv_7405123456789",
            "member_id": BC_MEMBER,
            "role": "analyst",
            "created_at": AT,
        },
        "decide_member_action": {
            "allow": True,
            "reason": "ok",
            "member_id": BC_MEMBER,
            "level": "operator",
            "ad_account_role": "operator",
        },
        "read_problem_type": {
            "type": "/problems/grant_not_active",
            "title": "The grant is not active.",
            "error": "grant_not_active",
        },
    }
)
