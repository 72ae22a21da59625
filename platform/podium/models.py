"""The core's models, gathered where ``podium db revision --autogenerate`` and
the no-drift test look for them (``podium.store.migrations.import_models``
imports ``podium.store`` and ``podium.models`` for the core's branch)."""

from .accounts.models import ApiToken, Membership, Role, User
from .accounts.throttle import LoginFailure

__all__ = ["ApiToken", "LoginFailure", "Membership", "Role", "User"]
