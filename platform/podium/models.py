"""The core's models, gathered where ``podium db revision --autogenerate`` and
the no-drift test look for them (``podium.store.migrations.import_models``
imports ``podium.store`` and ``podium.models`` for the core's branch)."""

from .accounts.grants import RoleGrant
from .accounts.models import ApiToken, Membership, Role, User
from .accounts.throttle import LoginFailure
from .admin.audit import AuditEntry
from .store.ownership_records import BranchRevision, BranchTable

__all__ = ["ApiToken", "AuditEntry", "BranchRevision", "BranchTable", "LoginFailure",
           "Membership", "Role", "RoleGrant", "User"]
