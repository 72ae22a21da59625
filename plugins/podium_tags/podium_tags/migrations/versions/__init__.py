"""The tags plugin's alembic revisions: the branch ``tags``."""
