"""Every reason code the API answers, with what it means in plain words.

The code is what a client switches on: the ``error`` of an RFC 9457 problem, of an RFC 6749
error body, or the ``reason`` of a decision. Its message here is the problem's ``title``
(the same for every occurrence, RFC 9457 §3.1.3), ``GET /problems/{code}`` serves it
(``tsp_auth.problems``), and the OpenAPI document lists the codes as an enum (docs/api.md,
"Reason codes"). Data only: ``errors`` reads it, so it imports nothing of the app.
tests/test_reasons.py keeps this table complete: every code the source can raise is here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

REASONS: Mapping[str, str] = MappingProxyType(
    {
        # Generic answers (tsp_auth.errors) ------------------------------------------------------
        "invalid_request": "The request is malformed or a value in it cannot be used.",
        "unauthorized": "An identity token is required.",
        "forbidden": "The caller may not do this.",
        "not_found": "There is no such resource, or it belongs to someone else.",
        "method_not_allowed": "This method is not allowed on this path.",
        "conflict": "The request conflicts with the resource's current state.",
        "gone": "This resource no longer exists.",
        "payload_too_large": "The request body is larger than the server accepts.",
        "rate_limited": "Too many attempts: wait for Retry-After, then try again.",
        "temporarily_unavailable": "The database is unreachable: retry after Retry-After.",
        "not_ready": "The service is not ready: the database is unreachable or not migrated.",
        # OAuth 2.0 (RFC 6749 §4.1.2.1, §5.2) ---------------------------------------------------
        "invalid_client": "Client authentication failed.",
        "invalid_grant": "The code or refresh token is invalid, expired, used or revoked.",
        "invalid_scope": "A requested scope is unknown or not granted to this client.",
        "unauthorized_client": "This client may not use this grant type.",
        "unsupported_grant_type": "The token endpoint does not offer this grant type.",
        "unsupported_response_type": "Only response_type=code is offered.",
        "access_denied": "The resource owner refused the authorization.",
        "invalid_redirect_uri": "The redirect URI is missing or not registered for the client.",
        "invalid_state": "The state parameter is not acceptable.",
        "origin_not_allowed": "This origin is not allowed to call the endpoint from a browser.",
        "invalid_origin": "An origin must be written as a browser sends it: scheme://host[:port].",
        # Callers and roles ---------------------------------------------------------------------
        "invalid_token": "The identity token was refused.",
        "unknown_account": "No such account.",
        "operator_required": "Only a platform operator may do this.",
        "partner_account_required": "Only a partner's accounts may do this.",
        "partner_admin_required": "Only a partner admin may do this.",
        "seller_required": "Only a seller's accounts may do this.",
        "seller_only": "Only the seller may do this.",
        "not_main_account": "Only the seller's main account may authorize, edit or cancel.",
        "seller_account_required": "Only a seller's own account may open this session.",
        "bc_admin_required": "Only a Business Center admin may do this.",
        "login_required": "Sign in first.",
        "first_party_only": "Only a first-party client may do this.",
        "member_is_admin": "Admins see every seller already; assignments are for members.",
        # Forms and pages (docs/security.md) ----------------------------------------------------
        "origin_mismatch": "The form was posted from another site.",
        "cross_site_request": "The form was posted from another site.",
        "csrf_token_invalid": "The form is stale or forged: open the page again.",
        # Registry ------------------------------------------------------------------------------
        "unknown_seller": "No such seller.",
        "unknown_service": "No such service of this partner.",
        "already_offered": "The service is already offered to this seller.",
        "service_has_client": "This service already has an app.",
        "public_client": "A public client has no secret.",
        "service_invalidated_by_platform": "The platform invalidated this service; only it "
        "can make it valid again.",
        # Links and authorization requests (seeds 001, 002, 004) -------------------------------
        "wrong_market_host": "This link was opened on another market's host.",
        "request_already_decided": "This authorization request was already decided.",
        "request_expired": "This authorization request has expired: ask for a new link.",
        "app_in_development": "An app in development accepts authorization from its owner only.",
        "partner_not_tap_enrolled": "The partner is not enrolled in TAP.",
        "category_not_supported": "Choose the Seller and Scalable Creator Match-up category.",
        # Consent and grants: the policy (tsp_auth.policy.decisions.Reason) ---------------------
        "ok": "Allowed.",
        "already_authorized": "This service is already authorized by the seller.",
        "binding_cancelled": "The seller cancelled its work with this partner.",
        "grant_expired": "The grant has expired.",
        "grant_not_active": "The grant is not active.",
        "grant_changed": "The grant changed since it was read: read it again.",
        "service_not_valid": "The service is not valid any more.",
        "service_not_in_market": "The service is not offered in the seller's market.",
        "service_not_offered": "The service is not offered to this seller.",
        "service_not_authorized": "The seller has not authorized this service.",
        "terms_not_accepted": "The terms must be accepted.",
        "items_required": "A grant needs at least one authorization item.",
        "roles_required": "Seller center access needs at least one permission role.",
        "areas_required": "Data compass needs at least one area.",
        "full_access_exclusive": "Choose either full access or specific roles.",
        "authorized_object_required": "Choose the authorized object.",
        "item_not_granted": "Choices were made for an item that is not granted.",
        "item_not_qualified": "The service does not qualify for this item.",
        "item_not_requested": "This link asks for another item.",
        "unknown_item": "Unknown authorization item.",
        "unknown_role": "Unknown permission role.",
        "unknown_area": "Unknown data compass area.",
        "unknown_authorized_object": "Unknown authorized object.",
        "unknown_duration": "Choose one of the offered access durations.",
        "unknown_action": "Unknown action.",
        "market_disallows_console_access": "The seller's market allows no console login "
        "through TSP access: data compass only.",
        "market_disallows_authorized_object": "The seller's market has no authorized object "
        "to choose.",
        "seller_center_access_not_granted": "The grant does not include seller center access.",
        "role_not_granted": "The grant does not include the role this action needs.",
        "area_not_granted": "The grant does not include the data compass area.",
        "object_not_authorized": "The grant's authorized object does not cover this action.",
        "not_assigned": "The member is not assigned to this seller.",
        # TSP Access sessions (tsp_auth.tsp_access.reasons) -------------------------------------
        "invalid_login_token": "The login token was refused.",
        "login_token_expired": "The login token has expired.",
        "login_token_used": "The login token was already redeemed.",
        "invalid_session": "The console session is not valid.",
        "session_ended": "The console session has ended.",
        "wrong_shop": "The session is for another shop.",
        "service_id_required": "Name the service: the seller granted several.",
        "browser_profile_required": "A console session needs a browser profile.",
        "browser_profile_mismatch": "The login token was made for another browser profile.",
        "browser_profile_in_use": "The browser profile holds another session: log out first.",
        "logout": "The session was logged out.",
        "expired": "The session expired.",
        "grant_ended": "The grant behind the session stopped being active.",
        "assignment_removed": "The member's assignment to the seller was removed or narrowed.",
        "replaced": "A newer session on the same browser profile replaced this one.",
        # Assignments, Business Center (seed 003) -----------------------------------------------
        "already_assigned": "The member is already assigned to this account.",
        "unknown_member": "No such member of this Business Center.",
        "unknown_user": "No such user.",
        "unknown_tiktok_account": "No such TikTok account.",
        "already_linked": "These accounts are already linked.",
        "tiktok_account_required": "Only the TikTok account's owner may answer this request.",
        "tiktok_account_not_authorized": "The Business Center has no access to this account.",
        "request_not_pending": "The access request is not pending any more.",
        "request_withdrawn": "The Business Center admin withdrew this access request.",
        "scope_not_granted": "The account did not grant the scope this action needs.",
        "permission_level_too_low": "The member's permission on the account is too low.",
        "ad_account_required": "Name the ad account.",
        "ad_account_role_required": "The member needs admin or operator access to the ad account.",
        # API conventions (docs/api.md) -----------------------------------------------------------
        "invalid_cursor": "The cursor was not issued by this API for this list.",
        "invalid_idempotency_key": "An Idempotency-Key is 1 to 255 visible ASCII characters.",
        "idempotency_key_reused": "This Idempotency-Key was used with another request.",
        "idempotency_key_in_flight": "A request with this Idempotency-Key is still running.",
        # Webhooks --------------------------------------------------------------------------------
        "invalid_url": "A webhook URL must be https to a public host.",
        "too_many_endpoints": "A partner has at most 10 webhook endpoints.",
    }
)


def message(code: str) -> str:
    """The plain words of ``code``; a code missing here still reads, as itself in words."""
    return REASONS.get(code) or code.replace("_", " ").capitalize()
