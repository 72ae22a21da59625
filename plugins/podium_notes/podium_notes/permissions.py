"""The notes plugin's permissions, declared in :data:`podium_notes.plugin`.

Until notes have owners, every one of them is proposed to ``everyone``, which
keeps the plugin as open as it was before permissions existed (the JSON API
is used without an identity).  An operator tightens it with
``podium.roles.everyone = notes.view`` and gives the rest to roles
(``podium.roles.editor = notes.view notes.create notes.edit notes.delete``).
"""

from podium.api import EVERYONE, Permission

VIEW = "notes.view"
CREATE = "notes.create"
EDIT = "notes.edit"
DELETE = "notes.delete"
#: Edit and delete anyone's notes; used once notes have owners.
EDIT_ANY = "notes.edit_any"
EXPORT = "notes.export"

PERMISSIONS = (
    Permission(VIEW, "View notes", "Read the list of notes and each note, pages and API."),
    Permission(CREATE, "Create notes", "Write new notes, pages and API."),
    Permission(EDIT, "Edit notes", "Change notes, pages and API."),
    Permission(DELETE, "Delete notes", "Delete notes, pages and API."),
    Permission(EDIT_ANY, "Edit anyone's notes",
               "Edit and delete notes of other users (once notes have owners)."),
    Permission(EXPORT, "Export notes", "Download every note as CSV."),
)

#: Transitional: everything open to everyone, as before permissions.
DEFAULT_GRANTS = {EVERYONE: [p.name for p in PERMISSIONS]}
