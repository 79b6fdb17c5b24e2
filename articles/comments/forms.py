"""The readers' comment form: what it accepts, and the signed timestamp that times the reader."""

import time
from urllib.parse import urlsplit

from django import forms
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from articles.models import Comment

TOKEN_SALT = "articles.comments.form"


def form_token(article, now=None):
    """A signed note of which article's form was shown, and when."""
    return signing.dumps({"a": article.pk, "t": now if now is not None else time.time()}, salt=TOKEN_SALT)


def form_token_payload(token):
    """What a form's token says (which form; when it was shown), or None for a token not ours."""
    try:
        return signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None


def reshown_form_token(payload):
    """The token of the form ``payload`` describes, as if shown now: a page served from the shared
    cache was rendered earlier, and the "sent too soon after showing the form" check must count
    from this reader's view."""
    return signing.dumps({**payload, "t": time.time()}, salt=TOKEN_SALT)


class CommentForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": gettext_lazy("Please give your name."),
                        "max_length": gettext_lazy("Please shorten your name to at most %(limit_value)d characters.")},
    )
    email = forms.EmailField(
        label=gettext_lazy("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=gettext_lazy("Your email address will not be published."),
        error_messages={"required": gettext_lazy("Please give your email address; it will not be published."),
                        "invalid": gettext_lazy("Please enter a whole email address, like name@example.org.")},
    )
    website = forms.URLField(
        label=gettext_lazy("Website"), max_length=300, required=False, assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
        error_messages={"invalid": gettext_lazy("Please enter a web address starting with http:// or https://.")},
    )
    body = forms.CharField(
        label=gettext_lazy("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8, "cols": 60}),
        error_messages={"required": gettext_lazy("Please write your comment."),
                        "max_length": gettext_lazy("Please shorten your comment to at most %(limit_value)d characters "
                                                   "(it has %(show_value)d).")},
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    token = forms.CharField(required=False, widget=forms.HiddenInput)
    # The honeypot: hidden from people by CSS and from screen readers by aria-hidden; robots fill it.
    homepage = forms.CharField(label=gettext_lazy("Leave this field empty"), required=False, max_length=200,
                               widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args, article, max_depth=3, max_form_age=2 * 24 * 3600, **kwargs):
        self.article = article
        self.max_depth = max_depth
        self.max_form_age = max_form_age
        self.parent_comment = None
        self.seconds_taken = None
        super().__init__(*args, **kwargs)

    def clean_website(self):
        url = self.cleaned_data["website"]
        if url and urlsplit(url).scheme not in ("http", "https"):
            raise forms.ValidationError(_("Please enter a web address starting with http:// or https://."))
        return url

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_parent(self):
        parent_id = self.cleaned_data["parent"]
        if not parent_id:
            return None
        parent = Comment.objects.approved().filter(article=self.article, pk=parent_id).first()
        if parent is None:
            raise forms.ValidationError(
                _("The comment you are replying to is not available any more; send again to comment on the article.")
            )
        self.parent_comment = parent
        return parent_id

    def clean_token(self):
        raw = self.cleaned_data["token"]
        try:
            data = signing.loads(raw, salt=TOKEN_SALT)
            shown_at = float(data["t"])
        except (signing.BadSignature, TypeError, KeyError, ValueError):
            raise forms.ValidationError(_("The form was incomplete; please check your comment and send it again."))
        if data.get("a") != self.article.pk:
            raise forms.ValidationError(_("The form belongs to another article; please send your comment again."))
        age = time.time() - shown_at
        if age > self.max_form_age:
            raise forms.ValidationError(
                _("This form was open for too long; please check your comment and send it again.")
            )
        self.seconds_taken = max(0.0, age)
        return raw

    def valid_token(self):
        """The submitted token when it checked out (the reader's clock keeps running), else None."""
        if self.is_bound and "token" in getattr(self, "cleaned_data", {}):
            return self.cleaned_data["token"]
        return None

    def clean(self):
        data = super().clean()
        # Errors of hidden fields go to the top of the form, where the reader looks.
        for field in ("parent", "token"):
            for error in self._errors.pop(field, []):
                self.add_error(None, error)
        return data

    def build_comment(self, *, ip_hash=""):
        data = self.cleaned_data
        parent_id = data.get("parent")
        return Comment(
            article=self.article,
            parent_id=parent_id,
            name=data["name"].strip(),
            email=data["email"],
            website=data.get("website", ""),
            body=data["body"].strip(),
            submitted_at=timezone.now(),
            ip_hash=ip_hash,
            fingerprint=Comment.fingerprint_for(data["email"], parent_id, data["body"]),
        )
