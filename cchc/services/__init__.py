"""Use cases. Each takes the storage and the acting user, checks permission and state, writes in
one transaction with its audit row, and returns plain values. Refusals raise ServiceError or
PermissionDenied with a Vietnamese message."""

from cchc.core.permissions import PermissionDenied  # noqa: F401  (re-exported for callers)
from cchc.services.common import ServiceError  # noqa: F401
