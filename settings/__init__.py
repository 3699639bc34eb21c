"""Scrapy settings for provnews: ``base`` plus ``dev`` / ``test`` / ``prod`` overrides.

``scrapy.cfg`` points at ``settings.dev``; the ``provnews`` CLI picks the module from
``PROVNEWS_ENV`` (dev, test, prod; default dev). The site registry is data here too:
``sites.toml`` (real sources) and ``replica_sites.toml`` (the bundled replica sites).
"""
