"""SQLAlchemy models. Importing this package registers every table on ``Base.metadata``."""

from tsp_auth.models.base import Base
from tsp_auth.models.grants import AuthorizationRequest, Grant
from tsp_auth.models.registry import Account, Binding, Partner, Seller, Service, ServiceOffer

__all__ = [
    "Account",
    "AuthorizationRequest",
    "Base",
    "Binding",
    "Grant",
    "Partner",
    "Seller",
    "Service",
    "ServiceOffer",
]
