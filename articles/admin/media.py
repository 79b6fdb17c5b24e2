"""The media library in the admin: upload a file, replace one, describe it (alt text, caption,
credit); missing files and failed fixity checks filtered for the overview's links."""

from __future__ import annotations

import hashlib

from django import forms
from django.contrib import admin
from django.template.defaultfilters import filesizeformat

from articles.media.fetch import sniff
from articles.media.library import copy_of, relink_users_of, replace_in_users
from articles.media.store import store_bytes
from articles.models import Media


class MediaForm(forms.ModelForm):
    original_url = forms.URLField(max_length=1000, required=False, assume_scheme="https",
                                  help_text="Where the file was on the old site (empty: uploaded here).")

    class Meta:
        model = Media
        fields = ["file", "alt_text", "caption", "credit", "original_url"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload or "file" not in self.changed_data:
            return upload
        data = upload.read()
        upload.seek(0)
        if not sniff(data[:64]):
            raise forms.ValidationError(
                "This is not an image, audio or video file the archive keeps (JPEG, PNG, GIF, WebP, MP3, "
                "Ogg, FLAC, WAV, MP4 or WebM); choose another file."
            )
        digest = hashlib.sha256(data).hexdigest()
        same = Media.objects.filter(sha256=digest).exclude(pk=self.instance.pk).first()
        if same is not None:
            raise forms.ValidationError(f"This file is already in the library as “{same}” (#{same.pk}).")
        self.uploaded_bytes = data
        return upload


@admin.register(Media)
class MediaAdmin(admin.ModelAdmin):
    form = MediaForm
    list_display = ["__str__", "status", "content_type", "size_shown", "dimensions", "original_url"]
    list_filter = ["status", "fixity_ok", "content_type"]
    search_fields = ["original_url", "alt_text", "caption", "credit", "sha256"]
    readonly_fields = ["status", "problem", "sha256", "size_shown", "content_type", "dimensions", "duplicate_of",
                       "fixity_ok", "fixity_checked_at", "used_by"]
    fieldsets = [
        (None, {"fields": ["file", "alt_text", "caption", "credit"]}),
        ("Where it came from", {"fields": ["original_url", "status", "problem", "duplicate_of"]}),
        ("The stored file", {"fields": ["sha256", "size_shown", "content_type", "dimensions", "fixity_ok",
                                        "fixity_checked_at", "used_by"]}),
    ]

    @admin.display(description="size")
    def size_shown(self, obj):
        return filesizeformat(obj.size) if obj.size is not None else "—"

    @admin.display(description="width × height")
    def dimensions(self, obj):
        return f"{obj.width} × {obj.height}" if obj.width and obj.height else "—"

    @admin.display(description="articles using it")
    def used_by(self, obj):
        return ", ".join(a.title for a in obj.articles.all()[:20]) or "—"

    def save_model(self, request, obj, form, change):
        data = getattr(form, "uploaded_bytes", None)
        if data is None:
            super().save_model(request, obj, form, change)
            return
        old = copy_of(Media.objects.get(pk=obj.pk)) if obj.pk else None
        name = form.cleaned_data["file"].name
        obj.file = None  # the upload is stored by its digest, not where the form would put it
        if obj.pk is None:
            super().save_model(request, obj, form, change)
        store_bytes(obj, data, sniff(data[:64]), name=name)
        if old is not None:
            replace_in_users(obj, old)
        relink_users_of(obj)
