"""OAI-PMH 2.0 at ``/oai/``: libraries and aggregators harvest the published articles.

By role: ``errors`` (the protocol's error codes), ``identifiers`` (identifiers, set specs, datestamps),
``tokens`` (signed resumption tokens), ``formats`` (metadata formats as policy objects: ``oai_dc``),
``records`` (keyset pages of published articles and deleted records), ``document`` (the XML
envelope and headers), ``verbs`` (the six verbs and their arguments), ``views`` and ``urls`` (the
endpoint), ``receivers`` (deleted records written when an article leaves the public archive).
See docs/harvesting.md.
"""
