"""Importers: a pure parse step per format (``seedtext``, ``wxr``) and one shared load step.

Callers (the ``import_articles`` command, the admin upload page) use
``articles.importers.pipeline.import_stream`` or ``import_path`` and read the returned
``ImportResult``. This package's ``__init__`` imports nothing that needs Django, so the parse
modules stay usable (and testable) without a database.
"""
