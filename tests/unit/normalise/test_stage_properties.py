"""Property tests of the normalise stage over generated text (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from news_ingest.errors import InputRejected
from news_ingest.models import Article, RawArticle, RejectReason
from news_ingest.normalise.stage import Normaliser

VOCABULARY = (
    "harbour port ferry storm council minister river bridge talks budget vote court police trade farmers "
    "reopened closed said expects announced agreed rejected delayed warned rose fell after before during "
    "the a of on in with by for and new old second third week month year morning evening"
)
WORDS = VOCABULARY.split()
CHROME = [
    "Read more \u00bb",
    "Advertisement",
    "Share this article",
    "Norway Latest News, Norway Headlines",
]
# A listing heading opens the related-stories section: what follows it up to "Read more" is a teaser, so it may only
# close the article, never sit between its paragraphs.
LISTING = (
    "Similar News: You can also read news stories similar to this one that we have collected from other news sources."
)
DATELINES = ["OSLO - ", "OSLO (Reuters) - ", "Bergen, Norway - ", "OSLO: ", "OSLO\u2014", ""]
PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

sentence = st.lists(st.sampled_from(WORDS), min_size=6, max_size=18).map(lambda ws: " ".join(ws).capitalize() + ".")


def raw(body: str, title: str | None = None) -> RawArticle:
    return RawArticle(url="https://a.example/p", body=body, title=title)


def normalised_or_empty(normaliser: Normaliser, article: RawArticle) -> Article | None:
    """The normalised article, or None when it was rejected, which may only be for having no text left."""
    try:
        return normaliser(article)
    except InputRejected as rejected:
        reason = rejected.reason
    assert reason is RejectReason.EMPTY_CONTENT
    return None


@PROPERTY
@given(body=st.text(max_size=3_000), title=st.none() | st.text(max_size=200))
def test_never_raises_on_arbitrary_text(normaliser: Normaliser, body: str, title: str | None) -> None:
    article = normalised_or_empty(normaliser, raw(body, title))
    if article is not None:
        assert article.body.strip() == article.body
        assert article.body


@PROPERTY
@given(
    body=st.lists(
        st.one_of(st.text(max_size=80), st.sampled_from(["<p>", "</p>", "<div>", "<br>", "<script>", "\n\n", "&amp;"])),
        max_size=60,
    ).map("".join)
)
def test_never_raises_on_markup_soup(normaliser: Normaliser, body: str) -> None:
    article = normalised_or_empty(normaliser, raw(body))
    assert article is None or article.body


@st.composite
def articles(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A body of real sentences with a dateline, chrome lines, a repeated lede and a closing listing heading mixed in;
    and the sentences."""
    paragraphs = draw(st.lists(sentence, min_size=1, max_size=8, unique_by=lambda s: frozenset(s.lower().split())))
    bags = [frozenset(p.lower().rstrip(".").split()) for p in paragraphs]
    for i, a in enumerate(bags):
        for b in bags[i + 1 :]:
            assume(len(a & b) / len(a | b) < 0.9)
    lines = [draw(st.sampled_from(DATELINES)) + paragraphs[0], *paragraphs[1:]]
    if draw(st.booleans()):
        lines.insert(1, paragraphs[0])  # the lede twice
    for _ in range(draw(st.integers(0, 3))):
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(CHROME)))
    if draw(st.booleans()):
        lines.append(LISTING)
    html = draw(st.booleans())
    body = "".join(f"<p>{line}</p>" for line in lines) if html else "\n\n".join(lines)
    return body, paragraphs


@PROPERTY
@given(generated=articles())
def test_keeps_every_sentence_that_is_not_chrome_or_a_repeat(
    normaliser: Normaliser, generated: tuple[str, list[str]]
) -> None:
    body, paragraphs = generated
    assert normaliser(raw(body)).body == "\n\n".join(paragraphs)


@PROPERTY
@given(generated=articles())
def test_is_idempotent(normaliser: Normaliser, generated: tuple[str, list[str]]) -> None:
    body, _ = generated
    once = normaliser(raw(body, title="Harbour news"))
    twice = normaliser(raw(once.body, title=once.title))
    assert twice.body == once.body
    assert twice.content_hash == once.content_hash
    assert twice.dateline.text is None


@pytest.mark.parametrize("size", [10_000, 200_000])
def test_pathological_whitespace_and_long_lines_finish(normaliser: Normaliser, size: int) -> None:
    for body in (" " * size + "x", "a" * size, "Read more " * (size // 10), "<div>" * (size // 5) + "text"):
        article = normalised_or_empty(normaliser, raw(body))
        assert article is None or article.word_count >= 1
