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

More lookups repeat hundreds of times a reference with the same answer: an item's reference
(``CitationItem.reference``, a chain of three dict subclasses' ``__getattr__``, read by every
``cs:if`` test and every ``cs:text``), a locale's term or option (an XPath search or a find in each
locale, the first often failing) and whether an element calls a variable (a walk of its subtree).
``CitedItem`` keeps the first; the style's tables keep the others. A ``cs:if`` or ``cs:else-if``
(some sixty a reference) reads its attributes six times and splits its lists of types and variables
for every item; the style's table keeps what each one tests, read once.
"""

from __future__ import annotations

from functools import cached_property, lru_cache

from citeproc import CitationItem, CitationStylesStyle
from citeproc.model import CitationStylesElement, ConditionFailed, Else_If, If, Locale
from lxml import etree

CSL_NAMESPACE = "http://purl.org/net/xbiblio/csl"


class _StyleElement:
    """Mixed in before a citeproc class; ``macros`` is the style's table (set on each subclass)."""

    macros: dict[str, CitationStylesElement] = {}
    style_root: CitationStylesElement | None = None  # the root of the style's tree, every element's root

    def get_formatter(self):
        # citeproc's finds the root (``getroottree().getroot()``) each time, some 190 times a reference.
        return self.style_root.formatter

    def get_macro(self, name):
        found = self.macros.get(name)
        # A macro the style does not define: citeproc's own lookup fails as it always has.
        return found if found is not None else super().get_macro(name)

    def xpath_search(self, expression):
        return _compiled(expression)(self)


class _Localized(_StyleElement):
    """For every class but ``Locale`` (whose own ``get_term`` and ``get_option`` search its terms and
    options): an element of the style asks the style's locales (fixed once it is parsed) for a term
    or an option, whichever element it is, so the answer depends on the arguments alone (None too:
    no such term). The tables are the style's; not named ``terms``: citeproc reads a child element
    by attribute name (``locale.terms``)."""

    term_table: dict[tuple, CitationStylesElement | None] = {}
    locale_options: dict[str, str | None] = {}

    def get_term(self, name, form=None, fallback_locale=True, zero_padded=False):
        key = (name, form, fallback_locale, zero_padded)
        try:
            return self.term_table[key]
        except KeyError:
            found = self.term_table[key] = super().get_term(name, form, fallback_locale, zero_padded)
            return found

    def get_locale_option(self, name):
        try:
            return self.locale_options[name]
        except KeyError:
            found = self.locale_options[name] = super().get_locale_option(name)
            return found


class _Caller(_Localized):
    """For the classes that say whether they call a variable (what a ``cs:group`` asks of each child,
    twice): the answer depends only on the style, so each element's is found once. Keyed by the
    element, which keeps its object alive (lxml hands back that same object for the node): a few
    hundred a style, for as long as the style."""

    variable_callers: dict[CitationStylesElement, bool] = {}

    def calls_variable(self):
        try:
            return self.variable_callers[self]
        except KeyError:
            found = self.variable_callers[self] = super().calls_variable()
            return found


# The attributes of a condition ``_Condition`` tests itself, as citeproc's ``If.render`` does.
_TESTED = frozenset({"type", "variable", "match"})


class _Condition(_Caller):
    """For ``cs:if`` and ``cs:else-if``: the types and variables a condition tests depend only on the
    style, so each element's are read once, into the style's table (None: it makes a test citeproc
    makes itself, e.g. ``is-numeric`` or ``position``). The result is citeproc's: each type compared
    with the item's, each variable looked up in its reference (``locator`` in the cited item), then
    ``match`` (any, none, else all), and ``ConditionFailed`` raised when it fails."""

    condition_tests: dict[CitationStylesElement, tuple | None] = {}

    def render(self, item, context=None, delimiter="", **kwargs):
        try:
            tests = self.condition_tests[self]
        except KeyError:
            tests = self.condition_tests[self] = self._tests()
        if tests is None:
            return super().render(item, context=context, delimiter=delimiter, **kwargs)
        types, variables, match = tests
        reference = item.reference
        kind = reference.type if types else None  # read only when tested, as citeproc does
        results = [typ == kind for typ in types]
        results += [("locator" in item) if variable == "locator" else (variable in reference) for variable in variables]
        if match == "any":
            passed = any(results)
        elif match == "none":
            passed = not any(results)
        else:
            passed = all(results)
        if not passed:
            raise ConditionFailed
        return self.render_children(item, context=context, delimiter=delimiter, **kwargs)

    def _tests(self) -> tuple | None:
        if not set(self.attrib) <= _TESTED:
            return None
        types = tuple(typ.lower() for typ in self.get("type", "").split())
        variables = tuple(variable.replace("-", "_") for variable in self.get("variable", "").split())
        return types, variables, self.get("match")


def _mixin(cls) -> type:
    """The mixin of ``cls``'s subclass: ``Locale`` searches its own terms and options."""
    if cls is Locale:
        return _StyleElement
    if cls in (If, Else_If):
        return _Condition
    return _Caller if hasattr(cls, "calls_variable") else _Localized


@lru_cache(maxsize=256)
def _compiled(expression: str) -> etree.XPath:
    """citeproc's searches (the layout, its ancestors' options): a few expressions, compiled once."""
    return etree.XPath(expression, namespaces=CitationStylesElement.nsmap)


def use_tables(style: CitationStylesStyle) -> None:
    """Elements of ``style`` made from now on find its macros in a table, searches compiled once.

    Call it before rendering: the root's object (``style.root``) and its locales already exist
    and stay citeproc's own, which changes nothing (they call no macro)."""
    macros: dict[str, CitationStylesElement] = {}
    shared = {"macros": macros, "variable_callers": {}, "term_table": {}, "locale_options": {},
              "condition_tests": {}, "style_root": style.root,
              "__module__": __name__}
    lookup = etree.ElementNamespaceClassLookup()
    namespace = lookup.get_namespace(CSL_NAMESPACE)
    # The classes citeproc-py's own parser gives each name (``CitationStylesXML``), subclassed.
    namespace[None] = CitationStylesElement
    for cls in CitationStylesElement.__subclasses__():
        tag = cls.__name__.replace("_", "-").lower()
        namespace[tag] = type(cls.__name__, (_mixin(cls), cls), shared)
    style.parser.set_element_class_lookup(lookup)
    # The first macro of each name, as citeproc's ``cs:macro[@name=…][1]``.
    for macro in style.root.iterfind("cs:macro", CitationStylesElement.nsmap):
        macros.setdefault(macro.get("name"), macro)


class CitedItem(CitationItem):
    """A citation item that finds its reference once (citeproc reads it hundreds of times a
    reference). Registered in a bibliography before rendering, as ``CitationItem`` must be: the
    reference is then that of its key in the bibliography's source, which never changes."""

    @cached_property
    def reference(self):
        return super().reference
