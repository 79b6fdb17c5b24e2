"""Related posts: who relates to whom, editors' pins and exclusions, unpublishing, imports, the page."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.importers.pipeline import import_path
from articles.models import Article, ArticleTerm, Footnote, RelatedArticle, RelatedExclusion, RelatedPin, TermFrequency
from articles.pages import rendering
from articles.related.engine import recompute
from articles.related.links import prefetch_related_shown, related_links, related_shown
from articles.related.policy import RelatednessPolicy, display_label, term_counts
from articles.related.rebuild import rebuild
from tests.factories import FIXTURES, import_seed, make_article, make_author, make_category, make_source

pytestmark = pytest.mark.django_db

SUBJECTS = {
    "russia": "Taliban Russia Moscow Kabulov envoy Kremlin Putin ISIS Tajikistan Chechnya embassy diplomacy",
    "water": "water dams irrigation rivers Helmand hydropower drought farmers canals reservoirs Kajaki harvest",
    "elections": "elections ballots voters turnout fraud commission candidates polling campaign parliament recount",
}
# Words every article uses: they must not tie the clusters together.
FILLER = "government country analysis report officials people region issue situation policy".split()


def _body(subject, variant, unique_words=()):
    words = SUBJECTS[subject].split()
    # Each article uses 9 of its subject's 12 words, a different 9 each time, and all the filler.
    chosen = [words[(variant * 3 + i) % len(words)] for i in range(9)]
    sentences = [
        f"The {a} and the {b} shaped the {f} this year, and the {c} followed."
        for a, b, c, f in zip(chosen, chosen[3:] + chosen[:3], chosen[6:] + chosen[:6], FILLER * 2, strict=False)
    ]
    sentences += [f"The {w} matters here." for w in unique_words]
    return "".join(f"<p>{s}</p>" for s in sentences)


def _capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def corpus(django_capture_on_commit_callbacks):
    """Three clusters, a pair sharing only Sources, a pair sharing only a rare tag, noise in common."""
    politics = make_category("Afghanistan", "Politics")
    economy = make_category("Afghanistan", "Economy")
    pakistan = make_category("Pakistan", "Politics")
    articles = {}
    with _capture(django_capture_on_commit_callbacks):
        # Clusters are spread over categories: the text, not the filing, must group them.
        plan = {
            "russia": [politics, politics, economy, pakistan],
            "water": [economy, economy, politics, None],
            "elections": [pakistan, pakistan, politics, economy],
        }
        for subject, categories in plan.items():
            for variant, category in enumerate(categories):
                articles[f"{subject}{variant}"] = make_article(
                    f"{subject.title()} paper {variant}",
                    category=category,
                    body=_body(subject, variant),
                    tags=["analysis"],  # on almost every article: says nearly nothing
                )
        # Sharing only two cited works (texts and categories have nothing in common).
        ruttig = make_source("ruttig-2014", authors=["Ruttig, Thomas"], year=2014, title="From Point Zero")
        muzhdah = make_source("muzhdah-2003", authors=["Muzhdah, Waheed"], year=2003, title="Afghanistan")
        for name, words in (("cites0", "opium poppy eradication"), ("cites1", "universities students teachers")):
            article = make_article(words.split()[0].title(), body=f"<p>{words}.</p>")
            for number, source in enumerate((ruttig, muzhdah), start=1):
                Footnote.objects.create(article=article, number=number, text=str(source), source=source)
            article.save()  # footnotes are in place: recompute with them
            articles[name] = article
        # Sharing only one rare tag.
        for name, words in (("tag0", "railways freight corridor"), ("tag1", "vaccination clinics midwives")):
            articles[name] = make_article(words.split()[0].title(), body=f"<p>{words}.</p>", tags=["Wakhan corridor"])
            articles[name].save()  # the tag was added after the first save
    return articles


def _related_ids(article, n=None):
    rows = RelatedArticle.objects.filter(article=article).order_by("rank").values_list("related_id", flat=True)
    return list(rows[:n] if n else rows)


def _assert_neighbours_are_known(corpus):
    for subject in SUBJECTS:
        members = {corpus[f"{subject}{i}"].pk for i in range(4)}
        for i in range(4):
            article = corpus[f"{subject}{i}"]
            assert set(_related_ids(article, 3)) == members - {article.pk}, (subject, i, _related_ids(article))
    assert _related_ids(corpus["cites0"], 1) == [corpus["cites1"].pk]
    assert _related_ids(corpus["cites1"], 1) == [corpus["cites0"].pk]
    assert _related_ids(corpus["tag0"], 1) == [corpus["tag1"].pk]
    assert _related_ids(corpus["tag1"], 1) == [corpus["tag0"].pk]


def test_top_links_come_from_the_articles_own_cluster_as_computed_on_save(corpus):
    _assert_neighbours_are_known(corpus)


def test_top_links_come_from_the_articles_own_cluster_after_a_rebuild(corpus):
    summary = rebuild()
    assert summary.articles == 16
    _assert_neighbours_are_known(corpus)


def test_rebuild_in_worker_processes_writes_the_same_lists(corpus):
    rebuild(workers=1)
    alone = sorted(RelatedArticle.objects.values_list("article_id", "related_id", "rank", "score", "reasons"))
    summary = rebuild(workers=2, chunk_size=3)
    assert summary.links == len(alone)
    assert sorted(RelatedArticle.objects.values_list("article_id", "related_id", "rank", "score", "reasons")) == alone


def test_rebuild_and_related_reads_of_many_rows_ask_for_no_distinct_rows(corpus):
    # On PostgreSQL a DISTINCT over every article's footnotes becomes, on a large archive, a hash
    # aggregate spilling to disk; the readers keep sets, so duplicate rows cost them nothing.
    with CaptureQueriesContext(connection) as queries:
        rebuild()
    assert [q["sql"] for q in queries if "SELECT DISTINCT" in q["sql"].upper()] == []


def test_rebuild_and_recompute_of_one_article_agree(corpus):
    rebuild()
    before = {a.pk: _related_ids(a) for a in corpus.values()}
    for article in corpus.values():
        recompute(article.pk, neighbours=False)
        assert _related_ids(article) == before[article.pk], article.title


def test_recompute_counts_in_a_published_article_the_term_index_never_counted(corpus):
    article = corpus["water1"]
    terms = sorted(ArticleTerm.objects.filter(article=article).values_list("term", flat=True))
    ArticleTerm.objects.filter(article=article).delete()  # as a load that bypassed the receivers leaves it
    RelatedArticle.objects.filter(article=article).delete()
    recompute(article.pk, neighbours=False)
    assert sorted(ArticleTerm.objects.filter(article=article).values_list("term", flat=True)) == terms
    assert set(_related_ids(article, 3)) == {corpus[f"water{i}"].pk for i in (0, 2, 3)}


def test_reasons_name_the_category_terms_sources_and_tag(corpus):
    rebuild()
    row = RelatedArticle.objects.get(article=corpus["russia0"], related=corpus["russia1"])
    assert row.reasons.startswith("same category Politics; shared terms ")
    shared = row.reasons.split("shared terms ")[1].split(";")[0].split(", ")
    assert len(shared) == 3 and set(shared) <= set(SUBJECTS["russia"].split())
    assert RelatedArticle.objects.get(article=corpus["cites0"], related=corpus["cites1"]).reasons == (
        "cites Muzhdah 2003, Ruttig 2014"
    )
    assert RelatedArticle.objects.get(article=corpus["tag0"], related=corpus["tag1"]).reasons == (
        "tagged Wakhan corridor"
    )


def test_same_parent_category_is_a_weaker_reason_than_the_same_category(corpus):
    rebuild()
    reasons = RelatedArticle.objects.get(article=corpus["russia0"], related=corpus["russia2"]).reasons
    assert reasons.startswith("same parent category Afghanistan; shared terms ")


def test_pins_come_first_in_order_and_exclusions_disappear(corpus, django_capture_on_commit_callbacks):
    article = corpus["russia0"]
    best = _related_ids(article, 1)[0]
    with _capture(django_capture_on_commit_callbacks):
        RelatedPin.objects.create(article=article, related=corpus["elections3"], position=2)
        RelatedPin.objects.create(article=article, related=corpus["water1"], position=1)
        RelatedExclusion.objects.create(article=article, related_id=best)
    shown = [link.related_id for link in related_shown(Article.objects.get(pk=article.pk))]
    assert shown[:2] == [corpus["water1"].pk, corpus["elections3"].pk]
    assert best not in shown
    remaining = {corpus[f"russia{i}"].pk for i in (1, 2, 3)} - {best}
    assert set(shown[2:4]) == remaining  # after the pins, the cluster without the excluded article
    rebuild()  # a rebuild keeps the editors' choices
    assert _related_ids(article, 2) == [corpus["water1"].pk, corpus["elections3"].pk]
    assert best not in _related_ids(article)


def test_a_new_article_is_merged_into_its_neighbours_lists(corpus, django_capture_on_commit_callbacks):
    with _capture(django_capture_on_commit_callbacks):
        newcomer = make_article("Water paper 4", category=make_category("Afghanistan", "Economy"),
                                body=_body("water", 4) + _body("water", 1))
    for i in range(4):
        assert newcomer.pk in _related_ids(corpus[f"water{i}"]), i
    assert newcomer.pk not in _related_ids(corpus["russia0"], 3)


def test_unpublishing_removes_the_article_from_every_list_at_once(corpus, client):
    article = corpus["russia1"]
    assert RelatedArticle.objects.filter(related=article).count() >= 3
    article.status = Article.Status.DRAFT
    article.save()  # no commit callbacks run here: the removal happens inside the save itself
    assert not RelatedArticle.objects.filter(related=article).exists()
    assert not RelatedArticle.objects.filter(article=article).exists()
    assert not ArticleTerm.objects.filter(article=article).exists()
    html = client.get(corpus["russia0"].get_absolute_url()).content.decode()
    assert "Related posts" in html and article.title not in html


def test_deleting_removes_the_article_and_its_term_counts(corpus):
    article = corpus["tag0"]
    assert TermFrequency.objects.get(term="railways").document_count == 1
    article.delete()
    assert not TermFrequency.objects.filter(term="railways").exists()
    assert _related_ids(corpus["tag1"]) == [] or corpus["tag1"].pk not in _related_ids(corpus["tag1"])
    assert not RelatedArticle.objects.filter(related_id=article.pk).exists()


def test_editing_an_article_moves_it_to_another_cluster(corpus, django_capture_on_commit_callbacks):
    article = corpus["water3"]
    with _capture(django_capture_on_commit_callbacks):
        article.body = _body("elections", 5)
        article.save()
    members = {corpus[f"elections{i}"].pk for i in range(4)}
    assert set(_related_ids(article, 4)) == members
    assert article.pk not in _related_ids(corpus["water0"], 3)
    assert TermFrequency.objects.filter(term="irrigation").get().document_count == sum(
        "irrigation" in a.body for a in Article.objects.published()
    )


def test_the_seed_relates_to_an_article_on_its_subject_imported_after_it(django_capture_on_commit_callbacks):
    with _capture(django_capture_on_commit_callbacks):
        seed = import_seed()
        for subject, variant in (("water", 0), ("elections", 1), ("water", 2)):
            make_article(f"Noise {subject} {variant}", body=_body(subject, variant), category=make_category("Other"))
    assert seed.tags.count() == 0
    with _capture(django_capture_on_commit_callbacks):
        result = import_path(FIXTURES / "seedtext" / "taliban_moscow_followup.txt")
    assert not result.error and result.items[0].outcome == "created"
    followup = Article.objects.get(pk=result.items[0].article_id)
    assert _related_ids(seed, 1) == [followup.pk]
    assert _related_ids(followup, 1) == [seed.pk]
    reasons = RelatedArticle.objects.get(article=seed, related=followup).reasons
    assert "same parent category" not in reasons  # filed elsewhere: text and a shared Source relate them
    assert "Taliban" in reasons and "cites Ruttig 2014" in reasons


def test_page_shows_up_to_five_related_posts_with_title_date_and_category(corpus, client):
    html = client.get(corpus["russia0"].get_absolute_url()).content.decode()
    section = html.split('<section class="related-posts"')[1].split("</section>")[0]
    assert '<h2 id="related-posts-label">Related posts</h2>' in section
    assert section.count("<li>") == 5
    first = corpus["russia1"]
    assert f'<a href="{first.get_absolute_url()}" lang="en" dir="auto">{first.title}</a>' in section
    assert f'<time datetime="{first.published_at:%Y-%m-%d}">' in section
    assert " · Politics</span>" in section


def test_page_without_related_posts_has_no_section(client):
    article = make_article("Alone")
    assert "Related posts" not in client.get(article.get_absolute_url()).content.decode()


def test_related_posts_cost_the_page_one_query(corpus, client, django_assert_num_queries):
    # Filed like russia0 (the breadcrumb costs the same) but with nothing related to it.
    lonely = make_article("Lonely", body="<p>Nothing to share.</p>", category=corpus["russia0"].primary_category)
    RelatedArticle.objects.filter(article=lonely).delete()
    # Both rendered live (no stored rendering), where the related posts are read.
    rendering.invalidate([lonely.pk, corpus["russia0"].pk, corpus["water0"].pk])
    with CaptureQueriesContext(connection) as without:
        client.get(lonely.get_absolute_url())
    with CaptureQueriesContext(connection) as with_links:
        response = client.get(corpus["russia0"].get_absolute_url())
    assert response.content.decode().count('class="related-meta"') == 5
    # Same number of queries with five related posts as with none: the list is one query.
    assert len(with_links) == len(without)
    related = [q for q in with_links.captured_queries if RelatedArticle._meta.db_table in q["sql"]]
    assert len(related) == 1
    with django_assert_num_queries(len(without)):
        client.get(corpus["water0"].get_absolute_url())


def test_a_batch_of_pages_shows_each_article_its_first_five_published_related_posts(corpus, django_assert_num_queries):
    # A related article unpublished without its rows removed (an update, no save): still listed, never shown.
    hidden = corpus["russia1"]
    Article.objects.filter(pk=hidden.pk).update(status=Article.Status.DRAFT)
    listing_it = RelatedArticle.objects.filter(related=hidden).values_list("article_id", flat=True)
    assert listing_it.exists()
    articles = list(Article.objects.filter(pk__in=[a.pk for a in corpus.values()]).order_by("pk"))
    with django_assert_num_queries(1):
        prefetch_related_shown(articles)
    for article in articles:
        published = [pk for pk in _related_ids(article) if pk != hidden.pk]
        shown = [link.related_id for link in related_shown(article)]
        assert shown == published[:5], article.title
        assert shown == [link.related_id for link in related_shown(Article.objects.get(pk=article.pk))]
    assert len(related_shown(corpus["russia0"])) == 5 and len(_related_ids(corpus["russia0"])) > 5


def test_related_links_for_json_ld_reuse_the_page_query(corpus, rf, django_assert_num_queries):
    article = Article.objects.get(pk=corpus["tag0"].pk)
    with django_assert_num_queries(1):
        assert related_links(article) == [corpus["tag1"].get_absolute_url()]
        assert related_links(article, rf.get("/")) == ["http://testserver" + corpus["tag1"].get_absolute_url()]


def test_rebuild_related_command_prints_a_one_line_summary(corpus, capsys):
    call_command("rebuild_related")
    out = capsys.readouterr().out.strip()
    assert out.startswith("Related posts rebuilt for 16 published article(s): ")
    assert "\n" not in out


def test_admin_shows_the_computed_list_with_reasons_and_the_pin_and_exclude_inlines(corpus, staff_client):
    rebuild()
    html = staff_client.get(reverse("admin:articles_article_change", args=[corpus["cites0"].pk])).content.decode()
    assert "Related posts now offered" in html
    assert "cites Muzhdah 2003, Ruttig 2014" in html
    assert "related posts: pinned (shown first, by position)" in html.lower()
    assert "related posts: excluded (never offered here)" in html.lower()


def test_articles_without_tags_are_related_by_text_and_category(django_capture_on_commit_callbacks):
    category = make_category("Afghanistan", "Politics")
    with _capture(django_capture_on_commit_callbacks):
        first = make_article("Dams on the Helmand", category=category, body=_body("water", 0))
        second = make_article("Helmand farmers", category=category, body=_body("water", 1))
        make_article("Ballots", body=_body("elections", 0))
    assert _related_ids(first, 1) == [second.pk]


def test_weights_come_from_settings_and_unknown_keys_are_refused(settings):
    settings.ARCHIVE_RELATED_WEIGHTS = {"tags": 5, "minimum": "0.5"}
    policy = RelatednessPolicy.from_settings()
    assert (policy.tags, policy.minimum, policy.text) == (5.0, 0.5, RelatednessPolicy().text)
    settings.ARCHIVE_RELATED_WEIGHTS = {"tagz": 1}
    with pytest.raises(ImproperlyConfigured, match="unknown key\\(s\\) tagz"):
        RelatednessPolicy.from_settings()


def test_terms_drop_stop_words_and_footnote_markers_and_keep_proper_nouns():
    counts, written = term_counts(
        "Taliban and Moscow",
        '<p>The taliban met the Taliban in Moscow<sup class="footnote-ref" id="fnref-1"><a href="#fn-1">1</a>'
        "</sup> about the elections.</p>",
    )
    assert counts == {"taliban": 5, "moscow": 4, "met": 1, "elections": 1}
    assert {term: display_label(term, written) for term in counts} == {
        "taliban": "taliban", "moscow": "Moscow", "met": "met", "elections": "elections"
    }


def test_authors_relate_articles(django_capture_on_commit_callbacks):
    author = make_author("Thomas Ruttig")
    with _capture(django_capture_on_commit_callbacks):
        first = make_article("One", authors=[author], body="<p>Opium harvest.</p>")
        second = make_article("Two", authors=[author], body="<p>University students.</p>")
    row = RelatedArticle.objects.get(article=first, related=second)
    assert row.reasons == "same author Thomas Ruttig"


def test_publishing_a_draft_brings_it_into_its_neighbours_lists(corpus, django_capture_on_commit_callbacks):
    with _capture(django_capture_on_commit_callbacks):
        draft = make_article("Water draft", status=Article.Status.DRAFT, body=_body("water", 2))
    assert not RelatedArticle.objects.filter(Q(article=draft) | Q(related=draft)).exists()
    with _capture(django_capture_on_commit_callbacks):
        draft.status = Article.Status.PUBLISHED
        draft.save()
    assert set(_related_ids(draft, 4)) == {corpus[f"water{i}"].pk for i in range(4)}
    assert draft.pk in _related_ids(corpus["water2"], 3)


def test_rebuild_related_refuses_zero_workers_with_a_clear_message(db):
    with pytest.raises(CommandError, match="--workers must be 1 or more"):
        call_command("rebuild_related", "--workers", "0")
