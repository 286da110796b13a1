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
