"""Who may read, edit and delete which note: the permission and the owner rule.

A view's ``permission=`` says what kind of thing a request may do
(``notes.edit``, ``notes.delete``); this module says on which notes:

- a user edits and deletes **their own** notes with ``notes.edit`` and
  ``notes.delete``;
- ``notes.edit_any`` widens both to **every** note, ownerless ones
  included (a note written anonymously, imported, or whose user is gone).
  It widens them, it does not replace them: deleting someone else's note
  needs ``notes.delete`` and ``notes.edit_any``.  There is no separate
  ``notes.delete_any``: whoever may rewrite a note may as well empty it.

:func:`may` is the one answer, used by the views (:func:`check`, which
refuses through the core's forbidden view: 401 for nobody, 403 for a user)
and by the templates (``request.notes_may(...)``), so that a page never
shows a button whose request would be refused.

Reading: with the setting ``notes.public_read`` off, reading needs a
logged-in user (:func:`check_reader`), whatever ``everyone`` is granted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPForbidden
from pyramid.request import Request

from .permissions import DELETE, EDIT, EDIT_ANY

if TYPE_CHECKING:
    from .models import Note

#: Where :func:`includeme` keeps the typed ``notes.public_read``.
PUBLIC_READ_KEY = "notes.public_read"

_VERBS = {EDIT: "edit", DELETE: "delete"}


def owner_for_new_note(request: Request) -> int | None:
    """The owner a note created by this request gets: its user, or nobody."""
    identity = request.identity
    return None if identity is None else int(identity.user_id)


def owns(request: Request, note: Note) -> bool:
    """Whether the request's user is the note's owner (never for nobody, nor
    for an ownerless note)."""
    identity = request.identity
    return identity is not None and note.owner_id == identity.user_id


def may(request: Request, action: str, note: Note) -> bool:
    """Whether the request may ``action`` (``notes.edit`` or ``notes.delete``)
    this note: the permission, and either ownership or ``notes.edit_any``."""
    if action not in _VERBS:
        raise ValueError(f"{action!r} is not one of {', '.join(_VERBS)}")
    if not request.has_permission(action):
        return False
    return owns(request, note) or bool(request.has_permission(EDIT_ANY))


def check(request: Request, action: str, note: Note) -> None:
    """Refuse (``HTTPForbidden``, answered by the core's forbidden view) unless
    :func:`may`; called before anything is changed."""
    if may(request, action, note):
        return
    verb = _VERBS[action]
    if note.owner_id is None:
        raise HTTPForbidden(f"This note has no owner: only a user with {EDIT_ANY} may "
                            f"{verb} it.")
    raise HTTPForbidden(f"Only the note's owner, or a user with {EDIT_ANY}, may {verb} it.")


def public_read(request: Request) -> bool:
    return bool(request.registry.get(PUBLIC_READ_KEY, True))


def check_reader(request: Request) -> None:
    """With ``notes.public_read`` off, refuse nobody (401, or the login page)."""
    if request.identity is None and not public_read(request):
        raise HTTPForbidden("Notes are read by logged-in users only on this site.")


def includeme(config: Configurator) -> None:
    # request.notes_may("notes.edit", note): the same answer in the templates.
    config.add_request_method(may, "notes_may")
