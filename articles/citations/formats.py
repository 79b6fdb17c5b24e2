"""The citation formats a researcher downloads, by file extension: BibTeX, RIS and CSL-JSON.

Each format writes a list of CSL-JSON items (``records``) to text; the media types are the ones
the article page announces in its ``<link rel="alternate">`` elements.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from . import bibtex, ris


def write_csl_json(items: list[dict], *, article: bool = False) -> str:
    """CSL-JSON is the items themselves: a JSON array."""
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


@dataclass(frozen=True)
class Format:
    extension: str
    label: str
    media_type: str
    write: Callable[..., str]

    def download_name(self, stem: str) -> str:
        return f"{stem}.{self.extension}"


BIBTEX = Format("bib", "BibTeX", "application/x-bibtex", bibtex.write)
RIS = Format("ris", "RIS", "application/x-research-info-systems", ris.write)
CSL_JSON = Format("json", "CSL-JSON", "application/vnd.citationstyles.csl+json", write_csl_json)
FORMATS = {f.extension: f for f in (BIBTEX, RIS, CSL_JSON)}
# For the URL converter: the extensions, one alternative each.
EXTENSION_PATTERN = "|".join(FORMATS)
