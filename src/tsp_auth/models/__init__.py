"""SQLAlchemy models. Importing this package registers every table on ``Base.metadata``."""

from tsp_auth.models.assignments import MemberAssignment
from tsp_auth.models.audit import AuditEvent
from tsp_auth.models.base import Base
from tsp_auth.models.business_centers import (
    AccountLinkage,
    BcAccessRequest,
    BcAdAccountAccess,
    BcAssignment,
    BusinessCenter,
)
from tsp_auth.models.clients import Client
from tsp_auth.models.coherence import CoherenceAck, CoherenceLease
from tsp_auth.models.fapi import PushedAuthorizationRequest, UsedJti
from tsp_auth.models.grants import AuthorizationRequest, Grant
from tsp_auth.models.idempotency import IdempotencyKey
from tsp_auth.models.keys import SigningKeyRecord
from tsp_auth.models.proposals import ServiceProposal
from tsp_auth.models.registry import Account, Binding, Partner, Seller, Service, ServiceOffer
from tsp_auth.models.tokens import (
    AuthorizationCode,
    ConsoleSession,
    LoginToken,
    RefreshToken,
    RevokedToken,
    TokenFamily,
)
from tsp_auth.models.webhooks import (
    GrantReminder,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

__all__ = [
    "Account",
    "AccountLinkage",
    "AuditEvent",
    "AuthorizationCode",
    "AuthorizationRequest",
    "Base",
    "BcAccessRequest",
    "BcAdAccountAccess",
    "BcAssignment",
    "Binding",
    "BusinessCenter",
    "Client",
    "CoherenceAck",
    "CoherenceLease",
    "ConsoleSession",
    "Grant",
    "GrantReminder",
    "IdempotencyKey",
    "LoginToken",
    "MemberAssignment",
    "Partner",
    "PushedAuthorizationRequest",
    "RefreshToken",
    "RevokedToken",
    "Seller",
    "Service",
    "ServiceOffer",
    "ServiceProposal",
    "SigningKeyRecord",
    "TokenFamily",
    "UsedJti",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
