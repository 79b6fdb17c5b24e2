from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Archive"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # What follows a write: each part listens for itself (receivers connect on import).
        from . import checks, receivers  # noqa: F401
        from .cache_backends import create_cache_tables
        from .comments import transfer as comments_transfer
        from .importers import loader
        from .importers.comments_loader import load_comments
        from .importers.redirects_loader import load_redirects
        from .links import receivers as links_receivers  # noqa: F401
        from .media.importing import load_media
        from .oai import receivers as oai_receivers  # noqa: F401
        from .related import receivers as related_receivers  # noqa: F401
        from .revisions import record_import
        from .search import receivers as search_receivers  # noqa: F401

        comments_transfer.register()
        post_migrate.connect(create_cache_tables, sender=self)
        # The pages' receivers connect last, so their work follows the others' where a write asks for both.
        from .pages import receivers as pages_receivers  # noqa: F401
        # What an import loads beyond the article itself; each hook runs once per article. The
        # revision snapshot comes last, so it holds the footnotes, authors and tags just loaded.
        for hook in (load_comments, load_redirects, load_media, record_import):
            if hook not in loader.after_load_hooks:
                loader.after_load_hooks.append(hook)
