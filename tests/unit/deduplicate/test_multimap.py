"""The one-to-many table: one member held as itself, a list only for several, trimmed and collapsed back."""

from __future__ import annotations

from news_ingest.deduplicate import multimap


def test_members_are_kept_in_order_and_the_oldest_trimmed() -> None:
    table: dict[int, multimap.Held] = {}
    multimap.add(table, 1, "a")
    assert table == {1: "a"}
    for member in ("b", "c", "d"):
        multimap.add(table, 1, member, keep=3)
    assert table == {1: ["b", "c", "d"]}
    assert list(multimap.members(table[1])) == ["b", "c", "d"]
    assert list(multimap.newest_first(table[1])) == ["d", "c", "b"]


def test_removing_collapses_a_lone_member_and_drops_an_empty_key() -> None:
    table: dict[str, multimap.Held] = {"k": ["a", "b"], "j": "x"}
    multimap.remove(table, "k", "a")
    multimap.remove(table, "j", "x")
    multimap.remove(table, "missing", "x")
    assert table == {"k": "b"}
    assert list(multimap.members(None)) == []
