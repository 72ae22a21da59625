"""Which installed plugins run: the ``podium.plugins`` setting.

Names are listed in include order; ``*`` means every installed plugin, by
name (see :func:`podium.plugins.resolution.listing_of`).
"""

ALL = "*"
