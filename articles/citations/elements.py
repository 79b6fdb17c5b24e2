"""citeproc-py's element classes for one parsed style, with its macros found in a table.

Most of a reference's cost in citeproc-py 0.11 is XPath: each time a style calls a macro,
``CitationStylesElement.get_macro`` searches the whole style for it, and each search (the macro,
the layout, an inherited option) compiles its expression again, thousands of times a reference.
A style's parser (``CitationStylesStyle.parser``) makes the Python object of each XML element from
a class lookup (lxml's public ``set_element_class_lookup``, read whenever an element's object is
made); ``use_tables`` gives it, for that style only, a subclass of each of citeproc's classes that
finds a macro in a table of the style's macros made once, and runs citeproc's own expressions
compiled once. citeproc's classes are unchanged: other styles and other users of citeproc-py are
untouched, and the references are the same, byte for byte (``tests/test_citation_style_tables.py``).
"""

from __future__ import annotations

from functools import lru_cache

from citeproc import CitationStylesStyle
from citeproc.model import CitationStylesElement
from lxml import etree

CSL_NAMESPACE = "http://purl.org/net/xbiblio/csl"


class _StyleElement:
    """Mixed in before a citeproc class; ``macros`` is the style's table (set on each subclass)."""

    macros: dict[str, CitationStylesElement] = {}

    def get_macro(self, name):
        found = self.macros.get(name)
        # A macro the style does not define: citeproc's own lookup fails as it always has.
        return found if found is not None else super().get_macro(name)

    def xpath_search(self, expression):
        return _compiled(expression)(self)


class _Macro(_StyleElement):
    """Whether a macro calls a variable (what a group tests) depends only on the style: found once
    for each macro of the table (whose element objects live as long as the style)."""

    variable_callers: dict[str, bool] = {}

    def calls_variable(self):
        name = self.get("name")
        if self.macros.get(name) is not self:
            return super().calls_variable()
        known = self.variable_callers.get(name)
        if known is None:
            known = self.variable_callers[name] = super().calls_variable()
        return known


@lru_cache(maxsize=256)
def _compiled(expression: str) -> etree.XPath:
    """citeproc's searches (the layout, its ancestors' options): a few expressions, compiled once."""
    return etree.XPath(expression, namespaces=CitationStylesElement.nsmap)


def use_tables(style: CitationStylesStyle) -> None:
    """Elements of ``style`` made from now on find its macros in a table, searches compiled once.

    Call it before rendering: the root's object (``style.root``) and its locales already exist
    and stay citeproc's own, which changes nothing (they call no macro)."""
    macros: dict[str, CitationStylesElement] = {}
    shared = {"macros": macros, "variable_callers": {}, "__module__": __name__}
    lookup = etree.ElementNamespaceClassLookup()
    namespace = lookup.get_namespace(CSL_NAMESPACE)
    # The classes citeproc-py's own parser gives each name (``CitationStylesXML``), subclassed.
    namespace[None] = CitationStylesElement
    for cls in CitationStylesElement.__subclasses__():
        tag = cls.__name__.replace("_", "-").lower()
        namespace[tag] = type(cls.__name__, (_Macro if tag == "macro" else _StyleElement, cls), shared)
    style.parser.set_element_class_lookup(lookup)
    # The first macro of each name, as citeproc's ``cs:macro[@name=…][1]``.
    for macro in style.root.iterfind("cs:macro", CitationStylesElement.nsmap):
        macros.setdefault(macro.get("name"), macro)
