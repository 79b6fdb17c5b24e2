from .article import Article, ArticleAuthor, ArticleQuerySet
from .provenance import ImportRecord
from .sources import Footnote, Source
from .taxonomy import Author, Category

__all__ = [
    "Article",
    "ArticleAuthor",
    "ArticleQuerySet",
    "Author",
    "Category",
    "Footnote",
    "ImportRecord",
    "Source",
]
