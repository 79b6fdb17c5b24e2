from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Archive"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # noqa: F401
        from .comments import transfer as comments_io
        from .importers import loader
        from .importers.comments_loader import load_comments
        from .importers.redirects_loader import load_redirects
        from .revisions import record_import

        comments_io.register()
        # Generated articles are bulk-inserted (no signals): index them for search in one UPDATE.
        from .management.commands.generate_articles import after_generate_hooks
        from .search import refresh_search_vectors

        if refresh_search_vectors not in after_generate_hooks:
            after_generate_hooks.append(refresh_search_vectors)
        # What an import loads beyond the article itself; each hook runs once per article. The
        # revision snapshot comes last, so it holds the footnotes, authors and tags just loaded.
        for hook in (load_comments, load_redirects, record_import):
            if hook not in loader.after_load_hooks:
                loader.after_load_hooks.append(hook)
