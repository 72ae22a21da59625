"""Accounts in the core store: users, roles, memberships, API tokens.

``models`` declares the tables (the core's migration ``podium_0002``),
``passwords`` hashes and checks passwords with argon2id, ``service`` is
what the ``podium users`` and ``podium tokens`` commands (and, later, the
login page and the security policy) do with them.  Nothing here runs at
import time.
"""
