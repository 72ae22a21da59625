"""Where Podium reads a dependency's private attribute or extends its private
method, because no public way does the job.

One module per workaround, named for what it works around.  Each declares
``DEPENDENCY`` and ``SUPPORTED`` (the version range it was written and
tested for); ``tests/unit/test_workarounds.py`` fails when an installed
version leaves that range, so a library upgrade is checked against the
workaround instead of breaking it silently.  CONTRIBUTING.md says when a new
one is acceptable.
"""
