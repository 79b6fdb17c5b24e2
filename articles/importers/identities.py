"""A WordPress post id reused for another post: told apart by the GUID, both kept.

A post's identity is its site and id (``wxr:SITE#ID``). A later export of the same site can give an
id an earlier post had to a new post (the site was reinstalled, or the post deleted and the database
reset): its GUID differs. Such a post gets an identity of its own, ``wxr:SITE#ID~guid:DIGEST``, so it
is created beside the earlier one (and updated on its next import), and the report says so.
"""

import hashlib

from articles.models import Article


def guid_identity(identity: str, guid: str) -> str:
    return f"{identity}~guid:{hashlib.sha256(guid.encode('utf-8')).hexdigest()[:16]}"


def separate_reused_ids(parsed_articles) -> None:
    """Give each parsed article whose id is taken by another GUID (stored, or earlier in these
    articles) its own identity, with a warning. One query."""
    with_guid = [p for p in parsed_articles if p.guid]
    if not with_guid:
        return
    known = dict(
        Article.objects.filter(import_key__in={p.identity for p in with_guid}).exclude(import_guid="")
        .values_list("import_key", "import_guid")
    )
    for parsed in with_guid:
        earlier = known.setdefault(parsed.identity, parsed.guid)
        if earlier == parsed.guid:
            continue
        post_id = parsed.identity.rsplit("#", 1)[-1]
        parsed.identity = guid_identity(parsed.identity, parsed.guid)
        parsed.warnings.append(
            f"WordPress post {post_id} of this site was imported before with another GUID ({earlier}); "
            f"this one ({parsed.guid}) is a different post, kept beside it"
        )
