from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Archive"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import comments_io, signals  # noqa: F401
        from .importers.loader import after_load_hooks
        from .revisions import record_import

        comments_io.register()
        # Each import's revision holds the footnotes, authors and tags it loaded: snapshot last.
        if record_import not in after_load_hooks:
            after_load_hooks.append(record_import)
