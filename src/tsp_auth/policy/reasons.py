"""Every reason code the API answers, with its plain-language message (issue 11, item 6).

A code is a problem's or an OAuth error's ``error``, a decision's ``reason``, a grant's
``status_reason``, a session's ``end_reason``; its message is the problem's ``title``. The policy
returns codes and imports nothing else of the app, so the catalogue lives here. Values are API
contract (add, never rename); code elsewhere writes ``Reason.X`` (scripts/reason_codes.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class Reason(StrEnum):
    """Every reason code; a member's name is its value in capitals."""

    # Generic answers (tsp_auth.kit.errors)
    INVALID_REQUEST = "invalid_request"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    CONFLICT = "conflict"
    GONE = "gone"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    RATE_LIMITED = "rate_limited"
    TEMPORARILY_UNAVAILABLE = "temporarily_unavailable"
    NOT_READY = "not_ready"
    SERVER_ERROR = "server_error"
    # OAuth 2.0 (RFC 6749 §4.1.2.1, §5.2)
    INVALID_CLIENT = "invalid_client"
    INVALID_GRANT = "invalid_grant"
    INVALID_SCOPE = "invalid_scope"
    UNAUTHORIZED_CLIENT = "unauthorized_client"
    UNSUPPORTED_GRANT_TYPE = "unsupported_grant_type"
    UNSUPPORTED_RESPONSE_TYPE = "unsupported_response_type"
    ACCESS_DENIED = "access_denied"
    INVALID_REDIRECT_URI = "invalid_redirect_uri"
    INVALID_STATE = "invalid_state"
    ORIGIN_NOT_ALLOWED = "origin_not_allowed"
    INVALID_ORIGIN = "invalid_origin"
    # Callers and roles
    INVALID_TOKEN = "invalid_token"  # noqa: S105 (a reason code)
    UNKNOWN_ACCOUNT = "unknown_account"
    OPERATOR_REQUIRED = "operator_required"
    PARTNER_ACCOUNT_REQUIRED = "partner_account_required"
    PARTNER_ADMIN_REQUIRED = "partner_admin_required"
    SELLER_REQUIRED = "seller_required"
    SELLER_ONLY = "seller_only"
    NOT_MAIN_ACCOUNT = "not_main_account"
    SELLER_ACCOUNT_REQUIRED = "seller_account_required"
    BC_ADMIN_REQUIRED = "bc_admin_required"
    LOGIN_REQUIRED = "login_required"
    FIRST_PARTY_ONLY = "first_party_only"
    MEMBER_IS_ADMIN = "member_is_admin"
    # Forms and pages (docs/security.md)
    ORIGIN_MISMATCH = "origin_mismatch"
    CROSS_SITE_REQUEST = "cross_site_request"
    CSRF_TOKEN_INVALID = "csrf_token_invalid"  # noqa: S105 (a reason code)
    # Registry
    UNKNOWN_SELLER = "unknown_seller"
    UNKNOWN_SERVICE = "unknown_service"
    ALREADY_OFFERED = "already_offered"
    SERVICE_HAS_CLIENT = "service_has_client"
    PUBLIC_CLIENT = "public_client"
    SERVICE_INVALIDATED_BY_PLATFORM = "service_invalidated_by_platform"
    # Links and authorization requests (seeds 001, 002, 004)
    WRONG_MARKET_HOST = "wrong_market_host"
    REQUEST_ALREADY_DECIDED = "request_already_decided"
    REQUEST_EXPIRED = "request_expired"
    APP_IN_DEVELOPMENT = "app_in_development"
    PARTNER_NOT_TAP_ENROLLED = "partner_not_tap_enrolled"
    CATEGORY_NOT_SUPPORTED = "category_not_supported"
    # Consent and grants: the policy decisions
    OK = "ok"
    ALREADY_AUTHORIZED = "already_authorized"
    BINDING_CANCELLED = "binding_cancelled"
    GRANT_EXPIRED = "grant_expired"
    GRANT_NOT_ACTIVE = "grant_not_active"
    # The grant moved on (edit, renewal) since the token or session was read or minted from it.
    GRANT_CHANGED = "grant_changed"
    SERVICE_NOT_VALID = "service_not_valid"
    SERVICE_NOT_IN_MARKET = "service_not_in_market"
    SERVICE_NOT_OFFERED = "service_not_offered"
    SERVICE_NOT_AUTHORIZED = "service_not_authorized"
    TERMS_NOT_ACCEPTED = "terms_not_accepted"
    # A grant that grants nothing is no grant: ending one is a cancel, not an edit.
    ITEMS_REQUIRED = "items_required"
    ROLES_REQUIRED = "roles_required"
    AREAS_REQUIRED = "areas_required"
    FULL_ACCESS_EXCLUSIVE = "full_access_exclusive"
    AUTHORIZED_OBJECT_REQUIRED = "authorized_object_required"
    ITEM_NOT_GRANTED = "item_not_granted"
    ITEM_NOT_QUALIFIED = "item_not_qualified"
    # A "Request TSP Access" link asks for seller center access only (seed 001).
    ITEM_NOT_REQUESTED = "item_not_requested"
    UNKNOWN_ITEM = "unknown_item"
    UNKNOWN_ROLE = "unknown_role"
    UNKNOWN_AREA = "unknown_area"
    UNKNOWN_AUTHORIZED_OBJECT = "unknown_authorized_object"
    UNKNOWN_DURATION = "unknown_duration"
    UNKNOWN_ACTION = "unknown_action"
    MARKET_DISALLOWS_CONSOLE_ACCESS = "market_disallows_console_access"
    MARKET_DISALLOWS_AUTHORIZED_OBJECT = "market_disallows_authorized_object"
    SELLER_CENTER_ACCESS_NOT_GRANTED = "seller_center_access_not_granted"
    ROLE_NOT_GRANTED = "role_not_granted"
    AREA_NOT_GRANTED = "area_not_granted"
    # seed 002 US L2L: the authorized object bounds what the grant reaches.
    OBJECT_NOT_AUTHORIZED = "object_not_authorized"
    NOT_ASSIGNED = "not_assigned"
    # TSP Access sessions and tokens; the last five also end a session (tsp_access EndReason)
    INVALID_LOGIN_TOKEN = "invalid_login_token"  # noqa: S105 (a reason code)
    LOGIN_TOKEN_EXPIRED = "login_token_expired"  # noqa: S105 (a reason code)
    LOGIN_TOKEN_USED = "login_token_used"  # noqa: S105 (a reason code)
    INVALID_SESSION = "invalid_session"
    SESSION_ENDED = "session_ended"
    WRONG_SHOP = "wrong_shop"
    SERVICE_ID_REQUIRED = "service_id_required"
    # seed 000 FAQ Q1: a console session lives on one browser profile, one identity at a time.
    BROWSER_PROFILE_REQUIRED = "browser_profile_required"
    BROWSER_PROFILE_MISMATCH = "browser_profile_mismatch"
    BROWSER_PROFILE_IN_USE = "browser_profile_in_use"
    LOGOUT = "logout"
    EXPIRED = "expired"
    GRANT_ENDED = "grant_ended"
    ASSIGNMENT_REMOVED = "assignment_removed"
    # seed 000 FAQ: one identity per Chrome profile; a new login on the profile replaces the old.
    REPLACED = "replaced"
    # Assignments, Business Center (seed 003)
    ALREADY_ASSIGNED = "already_assigned"
    UNKNOWN_MEMBER = "unknown_member"
    UNKNOWN_USER = "unknown_user"
    UNKNOWN_TIKTOK_ACCOUNT = "unknown_tiktok_account"
    ALREADY_LINKED = "already_linked"
    TIKTOK_ACCOUNT_REQUIRED = "tiktok_account_required"
    TIKTOK_ACCOUNT_NOT_AUTHORIZED = "tiktok_account_not_authorized"
    REQUEST_NOT_PENDING = "request_not_pending"
    REQUEST_WITHDRAWN = "request_withdrawn"
    SCOPE_NOT_GRANTED = "scope_not_granted"
    PERMISSION_LEVEL_TOO_LOW = "permission_level_too_low"
    AD_ACCOUNT_REQUIRED = "ad_account_required"
    AD_ACCOUNT_ROLE_REQUIRED = "ad_account_role_required"
    # API conventions (docs/api.md)
    INVALID_CURSOR = "invalid_cursor"
    INVALID_IDEMPOTENCY_KEY = "invalid_idempotency_key"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    IDEMPOTENCY_KEY_IN_FLIGHT = "idempotency_key_in_flight"
    # Webhooks
    INVALID_URL = "invalid_url"
    TOO_MANY_ENDPOINTS = "too_many_endpoints"
    # Why a grant ended: its ``status_reason`` (docs/grants.md); deactivations are DESIGN §2's
    SELLER_CANCELLED = "seller_cancelled"
    PARTNER_CANCELLED = "partner_cancelled"
    OWNER_CANCELLED = "owner_cancelled"
    BUSINESS_CENTER_CANCELLED = "business_center_cancelled"
    SERVICE_REMOVED = "service_removed"
    PARTNER_SUSPENDED = "partner_suspended"
    MARKET_RULE_WITHDRAWN = "market_rule_withdrawn"
    PLATFORM_POLICY = "platform_policy"


MESSAGES: Mapping[Reason, str] = MappingProxyType(
    {
        Reason.INVALID_REQUEST: "The request is malformed or a value in it cannot be used.",
        Reason.UNAUTHORIZED: "An identity token is required.",
        Reason.FORBIDDEN: "The caller may not do this.",
        Reason.NOT_FOUND: "There is no such resource, or it belongs to someone else.",
        Reason.METHOD_NOT_ALLOWED: "This method is not allowed on this path.",
        Reason.CONFLICT: "The request conflicts with the resource's current state.",
        Reason.GONE: "This resource no longer exists.",
        Reason.PAYLOAD_TOO_LARGE: "The request body is larger than the server accepts.",
        Reason.RATE_LIMITED: "Too many attempts: wait for Retry-After, then try again.",
        Reason.TEMPORARILY_UNAVAILABLE: "The database is unreachable: retry after Retry-After.",
        Reason.NOT_READY: "The service is not ready: the database is unreachable or not migrated.",
        Reason.SERVER_ERROR: "Server error.",
        Reason.INVALID_CLIENT: "Client authentication failed.",
        Reason.INVALID_GRANT: "The code or refresh token is invalid, expired, used or revoked.",
        Reason.INVALID_SCOPE: "A requested scope is unknown or not granted to this client.",
        Reason.UNAUTHORIZED_CLIENT: "This client may not use this grant type.",
        Reason.UNSUPPORTED_GRANT_TYPE: "The token endpoint does not offer this grant type.",
        Reason.UNSUPPORTED_RESPONSE_TYPE: "Only response_type=code is offered.",
        Reason.ACCESS_DENIED: "The resource owner refused the authorization.",
        Reason.INVALID_REDIRECT_URI: "The redirect URI is missing or not registered for the "
        "client.",
        Reason.INVALID_STATE: "The state parameter is not acceptable.",
        Reason.ORIGIN_NOT_ALLOWED: "This origin is not allowed to call the endpoint from a "
        "browser.",
        Reason.INVALID_ORIGIN: "An origin must be written as a browser sends it: "
        "scheme://host[:port].",
        Reason.INVALID_TOKEN: "The identity token was refused.",
        Reason.UNKNOWN_ACCOUNT: "No such account.",
        Reason.OPERATOR_REQUIRED: "Only a platform operator may do this.",
        Reason.PARTNER_ACCOUNT_REQUIRED: "Only a partner's accounts may do this.",
        Reason.PARTNER_ADMIN_REQUIRED: "Only a partner admin may do this.",
        Reason.SELLER_REQUIRED: "Only a seller's accounts may do this.",
        Reason.SELLER_ONLY: "Only the seller may do this.",
        Reason.NOT_MAIN_ACCOUNT: "Only the seller's main account may authorize, edit or cancel.",
        Reason.SELLER_ACCOUNT_REQUIRED: "Only a seller's own account may open this session.",
        Reason.BC_ADMIN_REQUIRED: "Only a Business Center admin may do this.",
        Reason.LOGIN_REQUIRED: "Sign in first.",
        Reason.FIRST_PARTY_ONLY: "Only a first-party client may do this.",
        Reason.MEMBER_IS_ADMIN: "Admins see every seller already; assignments are for members.",
        Reason.ORIGIN_MISMATCH: "The form was posted from another site.",
        Reason.CROSS_SITE_REQUEST: "The form was posted from another site.",
        Reason.CSRF_TOKEN_INVALID: "The form is stale or forged: open the page again.",
        Reason.UNKNOWN_SELLER: "No such seller.",
        Reason.UNKNOWN_SERVICE: "No such service of this partner.",
        Reason.ALREADY_OFFERED: "The service is already offered to this seller.",
        Reason.SERVICE_HAS_CLIENT: "This service already has an app.",
        Reason.PUBLIC_CLIENT: "A public client has no secret.",
        Reason.SERVICE_INVALIDATED_BY_PLATFORM: "The platform invalidated this service; only it "
        "can make it valid again.",
        Reason.WRONG_MARKET_HOST: "This link was opened on another market's host.",
        Reason.REQUEST_ALREADY_DECIDED: "This authorization request was already decided.",
        Reason.REQUEST_EXPIRED: "This authorization request has expired: ask for a new link.",
        Reason.APP_IN_DEVELOPMENT: "An app in development accepts authorization from its owner "
        "only.",
        Reason.PARTNER_NOT_TAP_ENROLLED: "The partner is not enrolled in TAP.",
        Reason.CATEGORY_NOT_SUPPORTED: "Choose the Seller and Scalable Creator Match-up category.",
        Reason.OK: "Allowed.",
        Reason.ALREADY_AUTHORIZED: "This service is already authorized by the seller.",
        Reason.BINDING_CANCELLED: "The seller cancelled its work with this partner.",
        Reason.GRANT_EXPIRED: "The grant has expired.",
        Reason.GRANT_NOT_ACTIVE: "The grant is not active.",
        Reason.GRANT_CHANGED: "The grant changed since it was read: read it again.",
        Reason.SERVICE_NOT_VALID: "The service is not valid any more.",
        Reason.SERVICE_NOT_IN_MARKET: "The service is not offered in the seller's market.",
        Reason.SERVICE_NOT_OFFERED: "The service is not offered to this seller.",
        Reason.SERVICE_NOT_AUTHORIZED: "The seller has not authorized this service.",
        Reason.TERMS_NOT_ACCEPTED: "The terms must be accepted.",
        Reason.ITEMS_REQUIRED: "A grant needs at least one authorization item.",
        Reason.ROLES_REQUIRED: "Seller center access needs at least one permission role.",
        Reason.AREAS_REQUIRED: "Data compass needs at least one area.",
        Reason.FULL_ACCESS_EXCLUSIVE: "Choose either full access or specific roles.",
        Reason.AUTHORIZED_OBJECT_REQUIRED: "Choose the authorized object.",
        Reason.ITEM_NOT_GRANTED: "Choices were made for an item that is not granted.",
        Reason.ITEM_NOT_QUALIFIED: "The service does not qualify for this item.",
        Reason.ITEM_NOT_REQUESTED: "This link asks for another item.",
        Reason.UNKNOWN_ITEM: "Unknown authorization item.",
        Reason.UNKNOWN_ROLE: "Unknown permission role.",
        Reason.UNKNOWN_AREA: "Unknown data compass area.",
        Reason.UNKNOWN_AUTHORIZED_OBJECT: "Unknown authorized object.",
        Reason.UNKNOWN_DURATION: "Choose one of the offered access durations.",
        Reason.UNKNOWN_ACTION: "Unknown action.",
        Reason.MARKET_DISALLOWS_CONSOLE_ACCESS: "The seller's market allows no console login "
        "through TSP access: data compass only.",
        Reason.MARKET_DISALLOWS_AUTHORIZED_OBJECT: "The seller's market has no authorized object "
        "to choose.",
        Reason.SELLER_CENTER_ACCESS_NOT_GRANTED: "The grant does not include seller center access.",
        Reason.ROLE_NOT_GRANTED: "The grant does not include the role this action needs.",
        Reason.AREA_NOT_GRANTED: "The grant does not include the data compass area.",
        Reason.OBJECT_NOT_AUTHORIZED: "The grant's authorized object does not cover this action.",
        Reason.NOT_ASSIGNED: "The member is not assigned to this seller.",
        Reason.INVALID_LOGIN_TOKEN: "The login token was refused.",
        Reason.LOGIN_TOKEN_EXPIRED: "The login token has expired.",
        Reason.LOGIN_TOKEN_USED: "The login token was already redeemed.",
        Reason.INVALID_SESSION: "The console session is not valid.",
        Reason.SESSION_ENDED: "The console session has ended.",
        Reason.WRONG_SHOP: "The session is for another shop.",
        Reason.SERVICE_ID_REQUIRED: "Name the service: the seller granted several.",
        Reason.BROWSER_PROFILE_REQUIRED: "A console session needs a browser profile.",
        Reason.BROWSER_PROFILE_MISMATCH: "The login token was made for another browser profile.",
        Reason.BROWSER_PROFILE_IN_USE: "The browser profile holds another session: log out first.",
        Reason.LOGOUT: "The session was logged out.",
        Reason.EXPIRED: "The session expired.",
        Reason.GRANT_ENDED: "The grant behind the session stopped being active.",
        Reason.ASSIGNMENT_REMOVED: "The member's assignment to the seller was removed or narrowed.",
        Reason.REPLACED: "A newer session on the same browser profile replaced this one.",
        Reason.ALREADY_ASSIGNED: "The member is already assigned to this account.",
        Reason.UNKNOWN_MEMBER: "No such member of this Business Center.",
        Reason.UNKNOWN_USER: "No such user.",
        Reason.UNKNOWN_TIKTOK_ACCOUNT: "No such TikTok account.",
        Reason.ALREADY_LINKED: "These accounts are already linked.",
        Reason.TIKTOK_ACCOUNT_REQUIRED: "Only the TikTok account's owner may answer this request.",
        Reason.TIKTOK_ACCOUNT_NOT_AUTHORIZED: "The Business Center has no access to this account.",
        Reason.REQUEST_NOT_PENDING: "The access request is not pending any more.",
        Reason.REQUEST_WITHDRAWN: "The Business Center admin withdrew this access request.",
        Reason.SCOPE_NOT_GRANTED: "The account did not grant the scope this action needs.",
        Reason.PERMISSION_LEVEL_TOO_LOW: "The member's permission on the account is too low.",
        Reason.AD_ACCOUNT_REQUIRED: "Name the ad account.",
        Reason.AD_ACCOUNT_ROLE_REQUIRED: "The member needs admin or operator access to the ad "
        "account.",
        Reason.INVALID_CURSOR: "The cursor was not issued by this API for this list.",
        Reason.INVALID_IDEMPOTENCY_KEY: "An Idempotency-Key is 1 to 255 visible ASCII characters.",
        Reason.IDEMPOTENCY_KEY_REUSED: "This Idempotency-Key was used with another request.",
        Reason.IDEMPOTENCY_KEY_IN_FLIGHT: "A request with this Idempotency-Key is still running.",
        Reason.INVALID_URL: "A webhook URL must be https to a public host.",
        Reason.TOO_MANY_ENDPOINTS: "A partner has at most 10 webhook endpoints.",
        Reason.SELLER_CANCELLED: "The seller cancelled the grant.",
        Reason.PARTNER_CANCELLED: "The partner cancelled the app's authorization.",
        Reason.OWNER_CANCELLED: "The TikTok account's owner cancelled the Business Center's "
        "access.",
        Reason.BUSINESS_CENTER_CANCELLED: "The Business Center gave up its access to the account.",
        Reason.SERVICE_REMOVED: "The seller removed the service.",
        Reason.PARTNER_SUSPENDED: "The platform suspended the partner.",
        Reason.MARKET_RULE_WITHDRAWN: "The market withdrew the rule the grant relied on.",
        Reason.PLATFORM_POLICY: "The platform deactivated the grant under its policy.",
    }
)
