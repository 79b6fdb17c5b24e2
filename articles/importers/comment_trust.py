"""Whose imports may publish comments: a policy for the status an imported comment arrives with.

A WordPress export says which of its comments were approved there, and anyone may write an export.
An import keeps that word only when whoever runs it may moderate comments here (the permission
``articles.change_comment``: Moderators, superusers), or on the command line (the operator). Any
other import (an Editor's upload) brings the comments approved in the export in pending, for a
moderator to approve, and each article's report says how many. Every other status (pending, spam,
removed) keeps nobody from anything and is kept as the export gives it.

The admin's import task says who imports (``comments_imported_by``); the loader asks the policy
of the import under way (``current_policy``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from articles.comments.transfer import IMPORTED_STATUS
from articles.models import Comment

MODERATE_PERMISSION = "articles.change_comment"


@dataclass(frozen=True)
class ImportedCommentPolicy:
    keeps_approval: bool

    def status(self, exported) -> str:
        """The status a new imported comment arrives with, from the export's."""
        status = IMPORTED_STATUS.get(str(exported).strip().lower(), Comment.Status.PENDING)
        if status == Comment.Status.APPROVED and not self.keeps_approval:
            return Comment.Status.PENDING
        return status

    def held_back(self, exported) -> bool:
        """Whether a comment the export approved arrives pending under this policy."""
        return self.status(exported) != IMPORTED_STATUS.get(str(exported).strip().lower(), Comment.Status.PENDING)

    @staticmethod
    def note(held: int) -> str:
        return (
            f"{held} comment(s) approved in the export arrived pending: you may not moderate comments, so "
            "a moderator approves them in the moderation queue."
        )


KEEPS_APPROVAL = ImportedCommentPolicy(keeps_approval=True)
HOLDS_APPROVAL = ImportedCommentPolicy(keeps_approval=False)

_current: ContextVar[ImportedCommentPolicy] = ContextVar("imported_comment_policy", default=KEEPS_APPROVAL)


def current_policy() -> ImportedCommentPolicy:
    """The policy of the import under way (the command line's, keeping approval, by default)."""
    return _current.get()


def policy_for(user) -> ImportedCommentPolicy:
    may_moderate = user is not None and user.is_active and user.has_perm(MODERATE_PERMISSION)
    return KEEPS_APPROVAL if may_moderate else HOLDS_APPROVAL


@contextmanager
def comments_imported_by(user) -> Iterator[ImportedCommentPolicy]:
    """Imports inside this block are ``user``'s (None: a user who is gone, trusted with nothing)."""
    token = _current.set(policy_for(user))
    try:
        yield _current.get()
    finally:
        _current.reset(token)
