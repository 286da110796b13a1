"""Any bytes in, exactly one output out: the codec and every stage under hypothesis-generated hostile input.

Each property runs the whole pipeline (decode, normalise, deduplicate, tag, encode) over a batch and asserts
that every record becomes exactly one Enriched, Duplicate or Rejected result with an encoded output record,
that a rejection names a reason from the closed set, and that nothing raises. ``deadline`` bounds the work
per example, so a regular expression that backtracks catastrophically or a stage whose cost explodes on
some shape of input fails here instead of hanging a partition.
"""

from __future__ import annotations

import asyncio
import json
import math
import uuid
from datetime import timedelta

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from news_ingest.app import record_limit
from news_ingest.config import DedupSettings, ProducerSettings, TopicSettings
from news_ingest.deduplicate.index import Thresholds
from news_ingest.deduplicate.redis_index import RedisDedupIndex
from news_ingest.deduplicate.stage import Deduplicator
from news_ingest.models import RejectReason
from news_ingest.normalise.stage import Normaliser
from news_ingest.records import Duplicate, Enriched, OutputRecord, Rejected, SourceRecord
from tests.conftest import make_pipeline
from tests.hostile_cases import BODY, long_paragraphs

FUZZ = settings(max_examples=60, deadline=timedelta(seconds=5), suppress_health_check=[HealthCheck.too_slow,
                HealthCheck.function_scoped_fixture])  # fmt: skip

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),  # NaN, inf, 2**70 too
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=30,
)
hostile_text = st.one_of(
    st.text(max_size=2_000),  # any code points, control characters and surrogate-free Unicode included
    st.text(alphabet=st.sampled_from(" \t\r\n\u00a0\u200b\u2028\ufeff"), max_size=5_000),  # whitespace only
    st.builds(
        lambda n, tag: f"<{tag}>" * n + "x" + f"</{tag}>" * n,
        st.integers(1, 3_000),
        st.sampled_from(["div", "p", "b", "table", "a href='#'"]),
    ),
    st.builds(lambda n: "<p>" + "a" * n + "</p>", st.integers(1, 200_000)),  # one huge line
    st.builds(lambda n: "Read more » " * n, st.integers(1, 2_000)),  # nothing but chrome
    st.builds(lambda n: "x" * n + "MOSCOW, Russia - " * 50, st.integers(0, 5_000)),  # dateline soup
    st.builds(lambda n: "(" * n + "Leeds 2 Chelsea 1" + ")" * n, st.integers(0, 2_000)),  # results-line bait
)
articles = st.fixed_dictionaries(
    {"url": st.one_of(st.just("https://a.example/x"), st.text(max_size=300)), "body": hostile_text},
    optional={
        "title": st.one_of(st.none(), hostile_text, st.integers()),
        "published_at": st.one_of(st.text(max_size=40), st.integers(), st.floats(), st.none()),
        "language": st.one_of(st.text(max_size=12), st.none()),
        "metadata": json_values,
        "source": json_values,
    },
)


def run(normaliser: Normaliser, values: list[bytes | None]) -> list[object]:
    records = [SourceRecord(topic="raw", partition=0, offset=n, key=None, value=v) for n, v in enumerate(values)]
    handled = asyncio.run(make_pipeline(normaliser).handle_batch(records))
    assert len(handled) == len(records)
    for result, output in handled:
        assert isinstance(result, Enriched | Duplicate | Rejected)
        assert output.value
        if isinstance(result, Rejected):
            assert result.envelope.reason in set(RejectReason)
            assert result.envelope.detail
    return [result for result, _ in handled]


@FUZZ
@given(st.lists(st.binary(max_size=3_000), min_size=1, max_size=6))
def test_arbitrary_bytes_become_one_output_each(normaliser: Normaliser, values: list[bytes]) -> None:
    run(normaliser, list(values))


@FUZZ
@given(st.lists(articles, min_size=1, max_size=4))
def test_hostile_articles_become_one_output_each(normaliser: Normaliser, events: list[dict[str, object]]) -> None:
    run(normaliser, [json.dumps(event).encode() for event in events])  # stdlib: writes NaN and huge integers


@FUZZ
@given(json_values)
def test_any_json_document_becomes_one_output(normaliser: Normaliser, value: object) -> None:
    (result,) = run(normaliser, [json.dumps(value).encode()])
    if _non_finite(value):
        assert isinstance(result, Rejected)
        assert result.envelope.reason is RejectReason.INVALID_JSON  # NaN and Infinity are not JSON
    elif not isinstance(value, dict):
        assert isinstance(result, Rejected)
        assert result.envelope.reason is RejectReason.SCHEMA_VIOLATION


def _non_finite(value: object) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, list):
        return any(_non_finite(item) for item in value)
    if isinstance(value, dict):
        return any(_non_finite(item) for item in value.values())
    return False


@FUZZ
@given(st.integers(1, 5_000))
def test_deeply_nested_json_is_rejected_not_recursed_into(normaliser: Normaliser, depth: int) -> None:
    value = ('{"url": "https://a.example/x", "body": ' + "[" * depth + "]" * depth + "}").encode()
    (result,) = run(normaliser, [value])
    assert isinstance(result, Rejected)


@FUZZ
@given(st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999"]))
def test_non_finite_numbers_are_rejected(normaliser: Normaliser, number: str) -> None:
    value = f'{{"url": "https://a.example/x", "body": "text of the article", "published_at": {number}}}'.encode()
    (result,) = run(normaliser, [value])
    assert isinstance(result, Rejected)  # 1e999 too: orjson refuses a number that overflows to infinity
    assert result.envelope.reason is RejectReason.INVALID_JSON


BOMBS = {
    "one line of capitalised names": " ".join(["Harbour Development Bank Minister Sergei"] * 24_000),
    "a person named 60,000 times": " said Jon Smith" * 60_000,
    "datelines only": "MOSCOW, Russia - " * 55_000,
    "misnested formatting tags": "<div><p><b>" * 80_000,
    "parentheses nested 450,000 deep": "(" * 450_000 + "x" + ")" * 450_000,
    "results lines": "\n".join(f"Harbourside {n % 9} Millbrook {n % 7}" for n in range(30_000)),
}


@pytest.mark.timeout(30)  # each took seconds to tens of seconds with a quadratic step; all of them ~1 s now
@pytest.mark.parametrize("name", list(BOMBS))
def test_a_one_megabyte_body_built_to_be_slow_still_gets_its_one_output(normaliser: Normaliser, name: str) -> None:
    value = orjson.dumps({"url": "https://a.example/bomb", "body": BOMBS[name]})
    assert len(value) < 1_000_000  # within the default input limit: this is what the service accepts
    records = [SourceRecord(topic="raw", partition=0, offset=0, key=None, value=value)]
    pipeline = make_pipeline(normaliser)
    pipeline._max_message_bytes = 1_000_000
    ((result, output),) = asyncio.run(pipeline.handle_batch(records))
    assert isinstance(result, Enriched | Duplicate | Rejected)
    assert output.value


# The shapes a hostile-input run found crashing or stalling the service (tests/hostile_cases.py has one of each).
calendar_edges = st.builds(
    lambda date, offset: f"{date}{offset}",
    st.sampled_from(["0001-01-01T00:00:00", "0001-01-01T23:59:59", "9999-12-31T23:59:59", "9999-12-31T00:00:00"]),
    st.sampled_from(["+01:00", "-01:00", "+14:00", "-12:00", "Z", ""]),
)
malformed_urls = st.one_of(
    st.builds(lambda host: f"http://[{host}/x", st.text(alphabet="0123456789abcdef:.", max_size=40)),
    st.builds(lambda port: f"https://a.example:{port}/x", st.integers(-10, 10**7)),
    st.sampled_from(["javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "//a.example/x", "http://"]),
)
hostile_events = st.fixed_dictionaries(
    {"url": st.one_of(st.just("https://a.example/x"), malformed_urls), "body": hostile_text},
    optional={"published_at": calendar_edges, "fetched_at": calendar_edges},
)


def nested_unknown_field(depth: int) -> bytes:
    return b'{"url": "https://a.example/x", "body": "text", "extra": ' + b"[" * depth + b"]" * depth + b"}"


def run_keyed(normaliser: Normaliser, values: list[tuple[bytes | None, bytes]], *, redis_url: str | None) -> None:
    """Each (key, value) through the whole pipeline, with the in-memory index or a Redis one: one output each,
    none larger than the service would publish."""
    records = [SourceRecord(topic="raw", partition=0, offset=n, key=key, value=value)
               for n, (key, value) in enumerate(values)]  # fmt: skip
    limit = record_limit(TopicSettings(), ProducerSettings())

    async def go() -> list[tuple[object, OutputRecord]]:
        settings = DedupSettings()
        if redis_url is None:
            pipeline = make_pipeline(normaliser, max_message_bytes=1_000_000, max_record_bytes=limit)
            return list(await pipeline.handle_batch(records))
        index = RedisDedupIndex(url=redis_url, thresholds=Thresholds.from_settings(settings),
                                key_prefix=f"fuzz:{{{uuid.uuid4().hex}}}:", timeout_seconds=10.0)  # fmt: skip
        try:
            pipeline = make_pipeline(normaliser, max_message_bytes=1_000_000, max_record_bytes=limit)
            pipeline._deduplicate = Deduplicator(index=index, settings=settings)
            return list(await pipeline.handle_batch(records))
        finally:
            await index.aclose()

    handled = asyncio.run(go())
    assert len(handled) == len(records)
    for result, output in handled:
        assert isinstance(result, Enriched | Duplicate | Rejected)
        assert 0 < output.size_bytes <= limit


BACKENDS = pytest.mark.parametrize("backend", ["memory", pytest.param("redis", marks=pytest.mark.integration)])


def redis_url(request: pytest.FixtureRequest, backend: str) -> str | None:
    return None if backend == "memory" else request.getfixturevalue("redis_server").url


@BACKENDS
def test_calendar_edges_and_malformed_addresses_become_one_output_each(
    normaliser: Normaliser, request: pytest.FixtureRequest, backend: str
) -> None:
    url = redis_url(request, backend)

    @FUZZ
    @given(st.lists(hostile_events, min_size=1, max_size=4))
    def check(events: list[dict[str, object]]) -> None:
        run_keyed(normaliser, [(None, orjson.dumps(event)) for event in events], redis_url=url)

    check()


@BACKENDS
def test_deep_fields_huge_keys_long_paragraphs_and_hot_bands_become_one_output_each(
    normaliser: Normaliser, request: pytest.FixtureRequest, backend: str
) -> None:
    url = redis_url(request, backend)
    shapes = st.one_of(
        st.builds(lambda depth: (None, nested_unknown_field(depth)), st.integers(200, 1_100)),
        st.builds(lambda size: (b"k" * size, b"v" * 2_000_000), st.integers(10_000, 1_600_000)),
        st.builds(
            lambda count, words: (
                None,
                orjson.dumps({"url": "https://a.example/p", "body": long_paragraphs(count, words)}),
            ),
            st.integers(1, 4_000),
            st.integers(1, 60),
        ),
    )

    @settings(max_examples=25, deadline=timedelta(seconds=20), suppress_health_check=list(HealthCheck))
    @given(st.lists(shapes, min_size=1, max_size=3), st.integers(0, 40))
    def check(values: list[tuple[bytes | None, bytes]], copies: int) -> None:  # copies: of one story (a hot band)
        hot = [(None, orjson.dumps({"url": f"https://a.example/hot/{n}", "body": f"{BODY} Edition {n}."}))
               for n in range(copies)]  # fmt: skip
        run_keyed(normaliser, [*hot, *values], redis_url=url)

    check()
