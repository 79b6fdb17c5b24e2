from .article import Article, ArticleAuthor, ArticleQuerySet
from .comments import Comment
from .provenance import ImportRecord
from .sources import Footnote, Source
from .taxonomy import Author, Category

__all__ = [
    "Article",
    "ArticleAuthor",
    "ArticleQuerySet",
    "Author",
    "Category",
    "Comment",
    "Footnote",
    "ImportRecord",
    "Source",
]
