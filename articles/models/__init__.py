from .article import Article, ArticleQuerySet
from .bylines import ArticleAuthor
from .comments import Comment
from .harvesting import DeletedRecord
from .links import Link, LinkCheck, LinkCitation, LostLinkNote
from .media import ArticleMedia, Media
from .provenance import ImportRecord
from .related import ArticleTerm, RelatedArticle, RelatedExclusion, RelatedPin, TermFrequency
from .rendering import ArticleRendering
from .sources import Footnote, Source
from .tagging import TaggedArticle
from .taxonomy import Author, Category
from .translations import TranslationGroup

__all__ = [
    "Article",
    "ArticleAuthor",
    "ArticleMedia",
    "ArticleQuerySet",
    "ArticleRendering",
    "ArticleTerm",
    "Author",
    "Category",
    "Comment",
    "DeletedRecord",
    "Footnote",
    "ImportRecord",
    "Link",
    "LinkCheck",
    "LinkCitation",
    "LostLinkNote",
    "Media",
    "RelatedArticle",
    "RelatedExclusion",
    "RelatedPin",
    "Source",
    "TaggedArticle",
    "TermFrequency",
    "TranslationGroup",
]
