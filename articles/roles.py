"""The staff roles and exactly the permissions each needs (least privilege); `setup_roles` applies them."""

from articles.comments.moderation import MODERATORS_GROUP

EDITORS_GROUP = "Editors"
CRUD = ("view", "add", "change", "delete")

ROLES = {
    # Moderators decide on comments and may look at the article a comment is about; nothing else.
    MODERATORS_GROUP: [
        ("articles", "view_comment"),
        ("articles", "change_comment"),
        ("articles", "delete_comment"),
        ("articles", "view_article"),
    ],
    # Editors keep the archive: articles and everything filed with them, and imports; not comments.
    EDITORS_GROUP: [
        *(("articles", f"{action}_{model}") for model in
          ("article", "articleauthor", "footnote", "source", "author", "category", "translationgroup", "media")
          for action in CRUD),
        ("articles", "view_importrecord"),
        # The links notes cite (an editor pins a replacement or archived copy) and the lost-link queue.
        ("articles", "view_link"),
        ("articles", "change_link"),
        ("articles", "view_lostlinknote"),
        ("articles", "change_lostlinknote"),
        ("django_tasks_database", "view_dbtaskresult"),  # what background work waits
        ("articles", "import_articles"),
        *(("taggit", f"{action}_tag") for action in CRUD),
        *(("articles", f"{action}_taggedarticle") for action in CRUD),
    ],
}
