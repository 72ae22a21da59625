"""The notes plugin's permissions, declared in :data:`podium_notes.plugin`.

``notes.edit`` and ``notes.delete`` act on the user's own notes;
``notes.edit_any`` widens both to every note (:mod:`podium_notes.owners`).

For now every one of them is proposed to ``everyone``, which keeps the plugin
as open as it was before permissions existed (the JSON API is used without an
identity, and anybody may change any note).  An operator tightens it with
``podium.roles.everyone = notes.view`` and ``podium.roles.authenticated =
notes.view notes.create notes.edit notes.delete`` (the README's "Permissions").
"""

from podium.api import EVERYONE, Permission

VIEW = "notes.view"
CREATE = "notes.create"
EDIT = "notes.edit"
DELETE = "notes.delete"
#: Edit and delete anyone's notes, with notes.edit and notes.delete.
EDIT_ANY = "notes.edit_any"
EXPORT = "notes.export"

PERMISSIONS = (
    Permission(VIEW, "View notes", "Read the list of notes and each note, pages and API."),
    Permission(CREATE, "Create notes", "Write new notes, pages and API."),
    Permission(EDIT, "Edit notes", "Change your own notes, pages and API."),
    Permission(DELETE, "Delete notes", "Delete your own notes, pages and API."),
    Permission(EDIT_ANY, "Edit anyone's notes",
               "Edit and delete (with notes.edit and notes.delete) other users' notes and "
               "ownerless ones."),
    Permission(EXPORT, "Export notes", "Download every note as CSV."),
)

#: Transitional: everything open to everyone, as before permissions.
DEFAULT_GRANTS = {EVERYONE: [p.name for p in PERMISSIONS]}
