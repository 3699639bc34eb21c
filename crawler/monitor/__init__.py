"""Monitoring for analysts and operators: site health from the run history, watchlists
and their alerts, full-text search, exports and the daily report.

Library code takes the session first and ``now`` as an argument; nothing here reads the
clock. The CLI (``crawler/cli/health.py``, ``watch.py``, ``search.py``, ``export.py``,
``report.py``) is a thin layer over these modules.
"""
