"""The articles' trash in the admin: deleting an article moves it there (gone for readers, kept
with its notes, tags, bylines and comments), the status filter's "In the trash" lists it, and from
there it is restored or deleted for good. Import records outlive even that (they keep the import key).
"""

from functools import partial

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from articles.models import Article

TRASHED = Article.Status.TRASHED


def trash_url():
    return reverse("admin:articles_article_changelist") + f"?status__exact={TRASHED}"


class StatusFilter(admin.ChoicesFieldListFilter):
    """The status filter, whose "All" leaves the trash out: the trash is one of its choices."""

    def queryset(self, request, queryset):
        if not self.used_parameters:
            return queryset.outside_trash()
        return super().queryset(request, queryset)

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if choice["display"] == "All":
                choice = {**choice, "display": "All but the trash"}
            yield choice


def _viewing_trash(request):
    return request.GET.get("status__exact") == TRASHED


class TrashAdminMixin:
    """For ``ArticleAdmin``: deleting trashes, deleting from the trash deletes; restore and empty."""

    delete_confirmation_template = "admin/articles/article/delete_confirmation.html"

    def delete_model(self, request, obj):
        if obj.in_trash:
            super().delete_model(request, obj)
        else:
            obj.move_to_trash()

    def delete_queryset(self, request, queryset):
        # Those already in the trash go for good; the others go to the trash (read before, not after).
        trashed = list(queryset.in_trash().values_list("pk", flat=True))
        queryset.move_to_trash()
        Article.objects.filter(pk__in=trashed).delete()

    def log_deletions(self, request, queryset):
        """The admin's history says what happened: a move to the trash is a change, not a deletion."""
        objs = list(queryset)
        for obj in objs:
            if not obj.in_trash:
                self.log_change(request, obj, "Moved to the trash.")
        gone = [obj for obj in objs if obj.in_trash]
        if gone:
            super().log_deletions(request, gone)

    def get_deleted_objects(self, objs, request):
        """Moving to the trash deletes nothing: the confirmation lists the articles alone."""
        objs = list(objs)
        if any(obj.in_trash for obj in objs):
            return super().get_deleted_objects(objs, request)
        return [str(obj) for obj in objs], {Article._meta.verbose_name_plural: len(objs)}, set(), []

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        context = {"moving_to_trash": obj is not None and not obj.in_trash, **(extra_context or {})}
        return super().delete_view(request, object_id, context)

    def response_delete(self, request, obj_display, obj_id):
        if Article.objects.in_trash().filter(pk=obj_id).exists():
            self.message_user(
                request, f"“{obj_display}” is in the trash: gone from the site, restorable until the trash is emptied.",
            )
            return HttpResponseRedirect(trash_url())
        return super().response_delete(request, obj_display, obj_id)

    def has_change_permission(self, request, obj=None):
        # A trashed article is read-only until restored: its status is the trash's own.
        if obj is not None and obj.in_trash:
            return False
        return super().has_change_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if _viewing_trash(request):
            for name in ("publish", "unpublish", "move_to_trash"):
                actions.pop(name, None)
        else:
            actions.pop("restore_from_trash", None)
            actions.pop("delete_selected", None)  # moving to the trash asks no confirmation: it is undone
        return actions

    @admin.action(description="Move the selected articles to the trash", permissions=["delete"])
    def move_to_trash(self, request, queryset):
        self.log_deletions(request, queryset.outside_trash())
        moved = queryset.move_to_trash()
        self.message_user(request, f"Moved {moved} article(s) to the trash.")

    @admin.action(description="Restore the selected articles from the trash", permissions=["delete"])
    def restore_from_trash(self, request, queryset):
        for article in queryset.in_trash():
            self.log_change(request, article, "Restored from the trash.")
        restored = queryset.restore_from_trash()
        self.message_user(request, f"Restored {restored} article(s) with their notes, tags, authors and comments.")

    def trash_urls(self):
        """admin/articles/article/trash/empty/ for ``ArticleAdmin.get_urls``."""
        view = self.admin_site.admin_view(partial(empty_trash_view, model_admin=self))
        return [path("trash/empty/", view, name="articles_article_empty_trash")]


def empty_trash_view(request, model_admin):
    """GET: how many articles the trash holds and a button; POST: every one deleted for good."""
    if not model_admin.has_delete_permission(request):
        raise PermissionDenied
    trashed = Article.objects.in_trash()
    if request.method == "POST":
        count = trashed.count()
        model_admin.log_deletions(request, trashed)
        trashed.delete()
        model_admin.message_user(request, f"Emptied the trash: {count} article(s) deleted for good.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:articles_article_changelist"))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Article._meta,
        "title": "Empty the trash",
        "trashed": trashed.only("title").order_by("title"),
    }
    return TemplateResponse(request, "admin/articles/article/empty_trash.html", context)
