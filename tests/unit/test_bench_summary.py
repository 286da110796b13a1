"""The bench summary page shows each bench's headline figures and says which benches did not run."""

from __future__ import annotations

from pathlib import Path

import orjson
from bench.summary import render


def test_summary_lists_figures_of_benches_that_ran_and_names_the_missing(tmp_path: Path) -> None:
    growth = {"rows": [{"window_articles": 100_000, "articles_per_s": 1234.5, "dedup_us_per_article": 210.0}]}
    (tmp_path / "growth.json").write_bytes(orjson.dumps(growth))
    page = render(tmp_path)
    assert "| 100,000 in the window: articles/s (dedup µs/article) | 1,234.5 (210.0) |" in page
    assert "not run (no `e2e.json`)" in page


def test_summary_puts_one_and_two_replicas_sharing_redis_side_by_side(tmp_path: Path) -> None:
    def shared(replicas: int, per_second: int) -> dict[str, object]:
        return {"replicas": replicas, "us_per_article_overall": 180.0, "mib_per_100k_articles": 85.6,
                "round_trips_per_batch": 2.0, "articles_per_second": per_second, "server_us_per_article": 0.9,
                "bytes_per_article": 898}  # fmt: skip

    (tmp_path / "dedup.json").write_bytes(orjson.dumps({"redis": shared(1, 5395), "redis_shared": shared(2, 3172)}))
    page = render(tmp_path)
    assert "| redis, 1 replicas sharing it: articles/s the group filled the index at | 5395 |" in page
    assert "| redis, 2 replicas sharing it: articles/s the group filled the index at | 3172 |" in page
    assert "| redis, 2 replicas sharing it: Redis bytes/article | 898 |" in page
