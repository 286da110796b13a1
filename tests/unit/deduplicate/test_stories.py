"""Story clusters in memory: centroids shaped by the first members only, live within the story window."""

from __future__ import annotations

from news_ingest.deduplicate.stories import StoryClusters, StoryRules
from news_ingest.deduplicate.terms import Terms
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
