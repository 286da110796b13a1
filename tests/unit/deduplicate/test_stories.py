"""Story clusters in memory: centroids shaped by the first members only, live within the story window."""

from __future__ import annotations

from news_ingest.deduplicate.stories import SHARED_DAMPING, WEAK_JOIN, StoryClusters, StoryRules, StoryUndo
from news_ingest.deduplicate.terms import NAMES, Terms
from tests.dedup_cases import term_id

RULES = StoryRules(similarity=0.5, window_seconds=3600.0, members=2)


def terms(*words: str) -> Terms:
    weight = 1 / len(words) ** 0.5
    return tuple((term_id(word), weight) for word in words)


def test_an_article_matches_the_story_sharing_its_terms() -> None:
    stories = StoryClusters(RULES)
    stories.add("fire", terms("valparaiso", "boric", "wildfire"), 0.0)
    stories.add("vote", terms("santiago", "ballot", "turnout"), 0.0)
    found = stories.match(terms("valparaiso", "wildfire", "evacuated"), 60.0)
    assert found is not None
    assert found[0] == "fire"
    assert abs(found[1] - 2 / 3) < 1e-9


def test_members_beyond_the_cap_join_without_moving_the_centroid() -> None:
    stories = StoryClusters(RULES)
    stories.add("fire", terms("valparaiso", "wildfire"), 0.0)
    stories.add("fire", terms("valparaiso", "wildfire"), 10.0)
    stories.add("fire", terms("drought", "harvest"), 20.0)  # third member: the cap is two
    assert stories.match(terms("drought", "harvest"), 30.0) is None
    assert stories.match(terms("valparaiso", "wildfire"), 30.0) is not None


def test_stories_quiet_past_the_window_are_skipped_and_then_forgotten() -> None:
    stories = StoryClusters(RULES)
    stories.add("fire", terms("valparaiso", "wildfire"), 0.0)
    assert stories.match(terms("valparaiso", "wildfire"), 3601.0) is None
    stories.expire(before=100.0)
    assert len(stories) == 0


def test_a_member_that_only_just_joined_does_not_shape_the_story() -> None:
    stories = StoryClusters(StoryRules(similarity=0.2, window_seconds=3600.0, members=3))
    stories.add("fight", terms("klitschko", "rahman", "mannheim"), 0.0)
    stories.add("fight", terms("klitschko", "thompson", "bern"), 10.0, similarity=WEAK_JOIN - 0.01)
    assert stories.match(terms("thompson", "bern"), 20.0) is None  # its own names are not the story's
    stories.add("fight", terms("rahman", "mannheim", "knockout"), 30.0, similarity=WEAK_JOIN)
    found = stories.match(terms("knockout"), 40.0)  # a clear join does
    assert found is not None
    assert abs(found[1] - 1 / 10**0.5) < 1e-9  # centroid (1, 2, 2, 1) / sqrt(3): "knockout" holds 1 of sqrt(10)


def names(*words: str) -> Terms:
    """Terms of the names view."""
    weight = 1 / len(words) ** 0.5
    return tuple((bytes([term_id(word)[0] | NAMES << 4]) + term_id(word)[1:], weight) for word in words)


def test_a_name_other_live_stories_hold_counts_for_less() -> None:
    stories = StoryClusters(RULES)
    stories.add("summit", names("trump", "macron", "iran"), 0.0)
    stories.add("memos", names("trump", "comey", "memos"), 0.0)
    found = stories.match(names("trump", "macron"), 10.0)
    assert found is not None
    assert found[0] == "summit"
    damped = 2**-0.5 / (1 + SHARED_DAMPING)  # "trump" is in one other live story; "macron" in none
    expected = (damped + 2**-0.5) / 3**0.5 / (damped**2 + 0.5) ** 0.5
    assert abs(found[1] - expected) < 1e-9


def test_words_of_the_other_views_are_not_damped() -> None:
    stories = StoryClusters(RULES)
    stories.add("summit", terms("tariffs", "steel", "exemptions"), 0.0)
    stories.add("talks", terms("tariffs", "beijing", "delegation"), 0.0)
    found = stories.match(terms("tariffs", "steel"), 10.0)
    assert found is not None
    assert abs(found[1] - 2 / 6**0.5) < 1e-9  # the plain cosine


def test_a_long_article_is_held_higher_and_a_headline_lower() -> None:
    rules = StoryRules(similarity=0.5, window_seconds=3600.0, members=2, short_words=30, short_similarity=0.3,
                       long_words=400, long_similarity=0.7)  # fmt: skip
    stories = StoryClusters(rules)
    stories.add("fire", terms("valparaiso", "boric", "wildfire"), 0.0)
    article = terms("valparaiso", "wildfire", "evacuated")  # cosine 2/3 with the story
    assert stories.match(article, 60.0, words=399) is not None
    assert stories.match(article, 60.0, words=400) is None
    headline = terms("valparaiso", "evacuated", "ash")  # cosine 1/3
    assert stories.match(headline, 60.0, words=30) is None
    assert stories.match(headline, 60.0, words=29) is not None
    assert StoryClusters(RULES).rules.line(10_000) == RULES.similarity  # no long line: one line for all


def test_restore_puts_back_a_story_that_a_weak_join_and_then_a_clear_one_changed() -> None:
    """The first touch of a story in a batch may not grow it and a later one may: the saved state must not
    share the live centroid, or the undo would keep the later member's terms."""
    rules = StoryRules(similarity=0.2, window_seconds=3600.0, members=3)
    undone, untouched = StoryClusters(rules), StoryClusters(rules)
    for stories in (undone, untouched):
        stories.add("fight", terms("klitschko", "rahman", "mannheim"), 0.0)
    undo = StoryUndo()
    for article, similarity in ((terms("klitschko", "thompson"), WEAK_JOIN - 0.01), (terms("bern", "thompson"), 0.5),
                                (terms("geneva", "referee"), None)):  # fmt: skip
        story_id = "fight" if similarity is not None else "other"
        undone.remember(undo, story_id, article, growing=undone.grows(story_id, similarity))
        undone.add(story_id, article, 10.0, similarity=similarity)
    assert undone.centroid_terms("fight") != untouched.centroid_terms("fight"), "the clear join grew it"
    undone.restore(undo)
    assert len(undone) == len(untouched) == 1
    assert undone.centroid_terms("fight") == untouched.centroid_terms("fight")
    assert undone.last_seen("fight") == untouched.last_seen("fight") == 0.0
    for probe in (terms("thompson", "bern"), terms("klitschko", "rahman"), terms("geneva", "referee")):
        assert undone.match(probe, 20.0) == untouched.match(probe, 20.0)
