"""Every role's permissions and where each comes from (a setting, a plugin's
proposal, the store), as ``podium roles list`` and the admin console show them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..plugins.permissions import PermissionCatalog
from . import grants


def role_permission_rows(catalog: PermissionCatalog,
                         session: Session) -> list[tuple[str, str, str]]:
    """``(role, permission, source)`` sorted, one per grant."""
    rows: set[tuple[str, str, str]] = set()
    for role, names in catalog.defaults().items():
        source = (f"setting podium.roles.{role}" if role in catalog.configured
                  else "proposed by a plugin")
        rows.update((role, name, source) for name in names)
    rows.update((g.role, g.permission, "store") for g in grants.list_grants(session))
    return sorted(rows)
