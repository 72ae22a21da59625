"""The notes plugin's permissions, declared in :data:`podium_notes.plugin`.

``notes.edit`` and ``notes.delete`` act on the user's own notes;
``notes.edit_any`` widens both to every note (:mod:`podium_notes.owners`).

The proposed defaults are what an operator expects of a fresh site:
anonymous visitors read (while ``notes.public_read`` is on), signed-in users
write and change their own notes, and the role ``editor`` (which nobody has
until ``podium users grant NAME editor``) edits, deletes and exports
anyone's.  An operator opens a site to anonymous writers with
``podium.roles.everyone = notes.view notes.create`` (the README's
"Permissions"); a ``podium.roles.<role>`` setting replaces the proposal for
its role in full.
"""

from podium.api import AUTHENTICATED, EVERYONE, Permission

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

#: The role the plugin proposes its wider permissions to.
EDITOR = "editor"

DEFAULT_GRANTS = {
    EVERYONE: [VIEW],
    AUTHENTICATED: [VIEW, CREATE, EDIT, DELETE],
    EDITOR: [EDIT_ANY, EXPORT],
}
