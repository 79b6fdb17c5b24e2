"""The <wp:comment>s of a WXR item as ``ParsedComment`` objects. No database."""

from __future__ import annotations

import re

from articles.sanitize import html_to_text

from ..base import ParsedComment
from .reader import _wp_datetime

COMMENT_STATUS_MAP = {
    "1": "approved",
    "0": "pending",
    "spam": "spam",
    "trash": "removed",
    "post-trashed": "removed",
}
IMPORTED_COMMENT_TYPES = {"", "comment", "pingback", "trackback"}


def _comments(raw_comments, fallback_date, warnings: list[str]) -> list[ParsedComment]:
    comments: list[ParsedComment] = []
    for raw in raw_comments:
        kind = raw.get("wp:comment_type", "")
        if kind not in IMPORTED_COMMENT_TYPES:
            warnings.append(f"Comment {raw.get('wp:comment_id')} of type {kind!r} was skipped.")
            continue
        submitted = (
            _wp_datetime(raw.get("wp:comment_date_gmt", ""))
            or _wp_datetime(raw.get("wp:comment_date", ""))
            or fallback_date
        )
        if submitted is None:
            warnings.append(f"Comment {raw.get('wp:comment_id')} has no date and was skipped.")
            continue
        approved = raw.get("wp:comment_approved", "")
        status = COMMENT_STATUS_MAP.get(approved, "pending")
        if approved not in COMMENT_STATUS_MAP:
            warnings.append(f"Comment status {approved!r} is unknown; imported as pending.")
        parent = raw.get("wp:comment_parent", "0")
        website = raw.get("wp:comment_author_url", "")
        comments.append(
            ParsedComment(
                source_id=raw.get("wp:comment_id", ""),
                parent_id=None if parent in ("", "0") else parent,
                name=html_to_text(raw.get("wp:comment_author", "")),
                email=raw.get("wp:comment_author_email", ""),
                website=website if re.match(r"https?://", website, re.IGNORECASE) else "",
                submitted=submitted,
                body=html_to_text(raw.get("wp:comment_content", ""), keep_lines=True),
                status=status,
                kind=kind if kind in ("pingback", "trackback") else "comment",
            )
        )
    _detach_orphans(comments, warnings)
    return comments


def _detach_orphans(comments: list[ParsedComment], warnings: list[str]) -> None:
    """A reply whose parent was not imported becomes a top-level comment."""
    known = {c.source_id for c in comments}
    for comment in comments:
        if comment.parent_id is not None and comment.parent_id not in known:
            warnings.append(
                f"Comment {comment.source_id} replies to comment {comment.parent_id}, which is "
                "not in the export; imported as a top-level comment."
            )
            comment.parent_id = None
