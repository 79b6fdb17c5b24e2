from django.urls import path

from .views import article, comments, listing

app_name = "articles"

urlpatterns = [
    path("", listing.HomeView.as_view(), name="home"),
    path("articles/<slug:slug>/", article.ArticleDetailView.as_view(), name="article"),
    path("articles/<slug:slug>/comment/", comments.CommentPostView.as_view(), name="comment_post"),
    path("category/<path:path>/", listing.CategoryView.as_view(), name="category"),
    path("tags/<slug:slug>/", listing.TagView.as_view(), name="tag"),
    path("authors/<slug:slug>/", listing.AuthorView.as_view(), name="author"),
    path("sources/<slug:key>/", listing.SourceView.as_view(), name="source"),
]
