"""Citations: an article or a source as a reference a researcher takes away.

- ``records``: the article or source as a CSL-JSON item (plain dicts), the one description every
  format is written from;
- ``bibtex``, ``ris``: that item written by bibtexparser and rispy; ``formats``: the formats by name
  (file extension, media type, writer), CSL-JSON among them;
- ``styles``: the item rendered by citeproc-py in the CSL styles shipped in ``styles/``;
- ``metadata``: the Highwire Press (``citation_*``) and Dublin Core meta tags of the article page;
- ``views``: the download addresses (thin: a record, a format, a response).

The article page's Cite block and meta tags are rendered with the page, when the article is
written (``articles.pages.rendering``), from the rows that page already reads.
"""
