"""Normalise stage: each scraped-page pattern from the issue, with exact expected output (articles we wrote)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from news_ingest.errors import InputRejected
from news_ingest.models import Article, RawArticle, RejectReason, Stage
from news_ingest.normalise.stage import Normaliser, parse_timestamp
from news_ingest.normalise.urls import canonical_url

LEDE = "The port authority said the harbour would reopen on Tuesday after a week of storms."
SECOND = "Ferry operators expect normal timetables by the weekend, a spokeswoman said."


def run(normaliser: Normaliser, body: str, **fields: object) -> Article:
    return normaliser(RawArticle.model_validate({"url": "https://a.example/x", "body": body, **fields}))


def test_html_becomes_paragraphs_without_scripts_navigation_or_share_widgets(normaliser: Normaliser) -> None:
    html = (
        "<html><head><style>p{color:red}</style><script>track()</script></head><body>"
        "<nav><a href='/'>Home</a> | <a href='/world'>World</a></nav>"
        f"<article><p>{LEDE}</p><div class='share-buttons'>Share on Facebook</div>"
        f"<p>Ferry operators expect <b>normal</b> timetables<br>by the weekend, a spokeswoman said.</p></article>"
        "</body></html>"
    )
    article = run(normaliser, html)
    assert article.body == f"{LEDE}\n\n{SECOND}"


def test_unicode_is_repaired_composed_and_stripped_of_invisible_characters(normaliser: Normaliser) -> None:
    body = (
        "The caf\u00c3\u00a9 on Stra\u00c3\u009fe 5 reopened \u00e2\u20ac\u201c owners said it\u00e2\u20ac\u2122s back."
    )
    assert run(normaliser, body).body == "The caf\u00e9 on Stra\u00dfe 5 reopened \u2013 owners said it's back."
    decomposed = "Zu\u0308rich\u200b police\u00ad said \u201cnothing\u201d \u2018yet\u2019."
    assert run(normaliser, decomposed).body == "Z\u00fcrich police said \"nothing\" 'yet'."


def test_the_languages_own_characters_are_kept(normaliser: Normaliser) -> None:
    body = (
        "\u041c\u043e\u0441\u043a\u0432\u0430 \u2014 \u0441\u0442\u043e\u043b\u0438\u0446\u0430. "
        "\u00abCitation\u00bb \u0645\u0631\u062d\u0628\u0627 \u0928\u092e\u0938\u094d\u200d\u0924\u0947"
    )
    assert run(normaliser, body).body == body


def test_whitespace_is_normalised_and_paragraphs_kept(normaliser: Normaliser) -> None:
    body = f"  {LEDE}\u00a0 \n\n\n\t{SECOND}   "
    assert run(normaliser, body).body == f"{LEDE}\n\n{SECOND}"


@pytest.mark.parametrize(
    "chrome_line",
    [
        "Ukraine Latest News, Ukraine Headlines",
        "United States Latest News, United States Headlines",
        (
            "Similar News: You can also read news stories similar to this one that we have collected from other news"
            " sources."
        ),
        "Read more \u00bb",
        "Click here to read the full story",
        "Share this article",
        "Subscribe to our newsletter for daily updates",
        "Advertisement",
    ],
)
def test_aggregator_chrome_lines_are_removed(normaliser: Normaliser, chrome_line: str) -> None:
    article = run(normaliser, f"{LEDE}\n{chrome_line}\n\n{SECOND}\n\n{chrome_line}")
    assert article.body == f"{LEDE}\n\n{SECOND}"


def test_chrome_glued_into_a_paragraph_is_removed_too(normaliser: Normaliser) -> None:
    body = (
        f"{LEDE}\n\nUnited States Latest News, United States Headlines Similar News: You can also read news stories "
        "similar to this one that we have collected from other news sources."
    )
    assert run(normaliser, body).body == LEDE


def test_related_story_teasers_become_related_titles_not_body(normaliser: Normaliser) -> None:
    teasers = (
        "Drone downed over CrimeaMoscow, Russia - Russia said on Sunday its air defences had shot down..."
        " Read more \u00bb"
        "Grain deal talks stallKYIV, Ukraine - Negotiators left the capital without an agreement... Read more \u00bb"
    )
    article = run(normaliser, f"{LEDE}\n\n{SECOND}\n\n{teasers}")
    assert article.body == f"{LEDE}\n\n{SECOND}"
    assert article.related == ("Drone downed over Crimea", "Grain deal talks stall")


def test_title_glued_to_the_dateline_is_split(normaliser: Normaliser) -> None:
    body = "Russian jet downed over CrimeaMoscow, Russia - Russia said on Sunday a jet was lost over the sea."
    article = run(normaliser, body, title="Kremlin confirms loss of jet")
    assert article.body == "Russia said on Sunday a jet was lost over the sea."
    assert article.related == ("Russian jet downed over Crimea",)
    assert (article.dateline.place, article.dateline.country) == ("Moscow, Russia", "RU")


def test_own_title_glued_to_the_dateline_is_not_a_related_story(normaliser: Normaliser) -> None:
    body = "Harbour reopens after stormsVALPARAISO, Chile - The port reopened on Tuesday."
    article = run(normaliser, body, title="Harbour reopens after storms")
    assert article.related == ()
    assert article.body == "The port reopened on Tuesday."
    assert article.dateline.country == "CL"


def test_leading_copy_of_the_title_is_dropped(normaliser: Normaliser) -> None:
    article = run(normaliser, f"<h1>Harbour reopens</h1><p>{LEDE}</p>", title="Harbour reopens")
    assert article.body == LEDE


@pytest.mark.parametrize(
    "repeat",
    [LEDE, LEDE.upper(), LEDE.replace("Tuesday", "Tuesday,"), LEDE.replace("a week of storms", "a week of  storms")],
)
def test_a_repeated_lede_keeps_one_copy(normaliser: Normaliser, repeat: str) -> None:
    assert run(normaliser, f"{LEDE}\n\n{repeat}\n\n{SECOND}").body == f"{LEDE}\n\n{SECOND}"


def test_a_near_repeat_after_the_dateline_keeps_one_copy(normaliser: Normaliser) -> None:
    article = run(normaliser, f"WELLINGTON (Reuters) - {LEDE}\n\n{LEDE}\n\n{SECOND}")
    assert article.body == f"{LEDE}\n\n{SECOND}"


def test_different_paragraphs_sharing_words_are_both_kept(normaliser: Normaliser) -> None:
    other = "The port authority said the harbour would stay closed on Wednesday despite calmer seas."
    assert run(normaliser, f"{LEDE}\n\n{other}").body == f"{LEDE}\n\n{other}"


@pytest.mark.parametrize(
    ("lede", "text", "place", "country", "credit"),
    [
        ("MOSCOW, Russia - ", "MOSCOW, Russia -", "MOSCOW, Russia", "RU", None),
        ("MOSCOW (Reuters) - ", "MOSCOW (Reuters) -", "MOSCOW", "RU", "Reuters"),
        ("BEIJING: ", "BEIJING:", "BEIJING", "CN", None),
        ("BEIJING\u2014", "BEIJING\u2014", "BEIJING", "CN", None),
        ("LONDON, Nov 24 (AP) \u2014 ", "LONDON, Nov 24 (AP) \u2014", "LONDON", "GB", "AP"),
        ("Moscow, Russia - ", "Moscow, Russia -", "Moscow, Russia", "RU", None),
        ("Paris, Texas (AP) - ", "Paris, Texas (AP) -", "Paris, Texas", "US", "AP"),
        ("PARIS (AFP) - ", "PARIS (AFP) -", "PARIS", "FR", "AFP"),
        ("SAN FRANCISCO - ", "SAN FRANCISCO -", "SAN FRANCISCO", "US", None),
        ("NEW YORK, Feb 26 - ", "NEW YORK, Feb 26 -", "NEW YORK", "US", None),  # GeoNames calls it New York City
        ("RICHMOND, Va. Feb 26 - ", "RICHMOND, Va. Feb 26 -", "RICHMOND, Va.", "US", None),  # no comma before the date
        ("ALBANY, New York - ", "ALBANY, New York -", "ALBANY, New York", "US", None),
        ("TEXAS (Reuters) - ", "TEXAS (Reuters) -", "TEXAS", "US", "Reuters"),  # a state alone
        # whole: "CO" and "ND" (postal codes) at the end of a capitalised place are no dateline of their own
        ("SAN FRANCISCO, March 25 - ", "SAN FRANCISCO, March 25 -", "SAN FRANCISCO", "US", None),
        (
            "BAY HARBOUR ISLAND, Fla., Oct 20 - ",
            "BAY HARBOUR ISLAND, Fla., Oct 20 -",
            "BAY HARBOUR ISLAND, Fla.",
            "US",
            None,
        ),
        ("(Reuters) - ", "(Reuters) -", None, None, "Reuters"),
    ],
)
def test_datelines_are_parsed_and_removed_from_the_lede(  # noqa: PLR0917 - one parameter per table column
    normaliser: Normaliser, lede: str, text: str, place: str | None, country: str | None, credit: str | None
) -> None:
    article = run(normaliser, f"{lede}{LEDE}\n\n{SECOND}")
    assert article.body == f"{LEDE}\n\n{SECOND}"
    assert article.dateline.text == text
    assert article.dateline.place == place
    assert article.dateline.country == country
    assert article.dateline.credit == credit


@pytest.mark.parametrize(
    "lede",
    [
        "BREAKING: The port reopened.",
        "He said: the port reopened.",
        "Officials - including the mayor - said the port reopened.",
        "US stocks rose on Tuesday - the third day of gains.",
        "A ROAD-BUILDING firm said on Monday it would hire 200 workers.",
        "AN X-RAY machine at the clinic broke down.",
    ],
)
def test_sentences_that_only_look_like_datelines_are_kept(normaliser: Normaliser, lede: str) -> None:
    article = run(normaliser, lede)
    assert article.body == lede
    assert article.dateline.text is None


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTP://Example.COM:80/a/b?utm_source=x&b=2&a=1#top", "http://example.com/a/b?a=1&b=2"),
        (
            "https://www.example.com/story?fbclid=abc&gclid=1&mc_cid=2&mc_eid=3&id=7",
            "https://www.example.com/story?id=7",
        ),
        ("https://example.com:443/x", "https://example.com/x"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("https://m.example.co.uk/news/story", "https://example.co.uk/news/story"),
        ("https://amp.example.com/news/story", "https://example.com/news/story"),
        ("https://example.com/news/story/amp/", "https://example.com/news/story/"),
        ("https://example.com/amp/news/story", "https://example.com/news/story"),
        ("https://example.com/news/story.amp.html", "https://example.com/news/story.html"),
        ("https://example.com/news/story?amp=1&page=2", "https://example.com/news/story?page=2"),
        ("https://m.co/x", "https://m.co/x"),
        ("urn:uuid:1234", "urn:uuid:1234"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_canonical_url_is_used_for_the_article_id(normaliser: Normaliser) -> None:
    plain = run(normaliser, LEDE, url="https://a.example/x")
    tracked = run(normaliser, LEDE, url="https://A.example/x?utm_medium=rss#comments")
    assert tracked.canonical_url == "https://a.example/x"
    assert tracked.article_id == plain.article_id


def test_chrome_does_not_change_the_content_hash(normaliser: Normaliser) -> None:
    clean = run(normaliser, f"{LEDE}\n\n{SECOND}")
    noisy = run(normaliser, f"<p>{LEDE}</p><p>{LEDE}</p><p>{SECOND}</p><p>Read more \u00bb</p>")
    assert noisy.content_hash == clean.content_hash
    assert noisy.word_count == clean.word_count == len(f"{LEDE} {SECOND}".split())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-24T09:30:00Z", datetime(2026, 11, 24, 9, 30, tzinfo=UTC)),
        ("2026-11-24T11:30:00+02:00", datetime(2026, 11, 24, 9, 30, tzinfo=UTC)),
        ("2026-11-24 09:30:00", datetime(2026, 11, 24, 9, 30, tzinfo=UTC)),
        ("Tue, 24 Nov 2026 09:30:00 GMT", datetime(2026, 11, 24, 9, 30, tzinfo=UTC)),
        ("Tue, 24 Nov 2026 04:30:00 -0500", datetime(2026, 11, 24, 9, 30, tzinfo=UTC)),
        (1_795_512_600, datetime(2026, 11, 24, 9, 30, tzinfo=UTC)),
        ("next tuesday", None),
        (None, None),
    ],
)
def test_timestamps_are_parsed_to_utc(value: str | int | None, expected: datetime | None) -> None:
    assert parse_timestamp(value) == expected


def test_far_future_published_at_falls_back_to_fetched_at_with_a_flag(normaliser: Normaliser) -> None:
    article = run(normaliser, LEDE, published_at="2031-01-01T00:00:00Z", fetched_at="2026-11-24T10:00:00Z")
    assert article.published_at == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert article.published_at_estimated is True


def test_missing_published_at_falls_back_to_fetched_at_with_a_flag(normaliser: Normaliser) -> None:
    article = run(normaliser, LEDE, fetched_at="2026-11-24T10:00:00+01:00")
    assert article.published_at == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert article.published_at_estimated is True


def test_plausible_published_at_is_kept_unflagged(normaliser: Normaliser) -> None:
    article = run(normaliser, LEDE, published_at="2026-11-24T08:00:00Z", fetched_at="2026-11-24T10:00:00Z")
    assert article.published_at == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    assert article.published_at_estimated is False


@pytest.mark.parametrize(
    ("body", "language"),
    [
        ("Ein Streik der Lokführer hat am Montag den Fernverkehr in weiten Teilen Deutschlands lahmgelegt.", "de"),
        ("La Junta anunció el martes nuevas restricciones al riego agrícola por la sequía en la región.", "es"),
        ("La préfecture de police a fermé mardi plusieurs quais de la Seine après une montée des eaux.", "fr"),
        (LEDE, "en"),
    ],
)
def test_language_is_detected_offline(normaliser: Normaliser, body: str, language: str) -> None:
    assert run(normaliser, body, language="xx").language == language


def test_language_falls_back_to_the_senders_tag_for_very_short_text(normaliser: Normaliser) -> None:
    assert run(normaliser, "Ja.", language="de").language == "de"


@pytest.mark.parametrize(
    "body",
    [
        "",
        "  \n\t ",
        "<html><body><nav>Home</nav><script>x()</script></body></html>",
        "Read more \u00bb\n\nAdvertisement",
    ],
)
def test_body_empty_after_cleaning_is_rejected(normaliser: Normaliser, body: str) -> None:
    with pytest.raises(InputRejected) as caught:
        run(normaliser, body)
    assert caught.value.reason is RejectReason.EMPTY_CONTENT
    assert caught.value.stage is Stage.NORMALISE


def test_same_input_gives_the_same_article_id(normaliser: Normaliser) -> None:
    assert run(normaliser, LEDE).article_id == run(normaliser, LEDE).article_id


NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def at_noon(normaliser: Normaliser) -> Normaliser:
    """The real stage with its clock stopped at ``NOW``."""
    return Normaliser(gazetteer=normaliser._gazetteer, detect_language=normaliser._detect_language, clock=lambda: NOW)


@pytest.mark.parametrize("fetched", ["2027-06-01T00:00:00Z", "9000-01-01T00:00:00Z", "1970-01-01T00:00:00Z",
                                     "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"])  # fmt: skip
def test_an_implausible_fetched_at_is_clamped_to_the_clock_and_flagged(normaliser: Normaliser, fetched: str) -> None:
    article = run(at_noon(normaliser), LEDE, fetched_at=fetched)
    assert (article.fetched_at, article.fetched_at_clamped) == (NOW, True)


def test_a_fetched_at_within_the_clock_skew_is_kept(normaliser: Normaliser) -> None:
    article = run(at_noon(normaliser), LEDE, fetched_at="2026-12-04T12:30:00Z")
    assert (article.fetched_at, article.fetched_at_clamped) == (datetime(2026, 12, 4, 12, 30, tzinfo=UTC), False)


def test_a_far_future_published_at_without_a_fetch_time_is_dropped_not_trusted(normaliser: Normaliser) -> None:
    article = run(at_noon(normaliser), LEDE, published_at="9999-01-01T00:00:00Z")
    assert article.published_at is None  # the dedup stage then uses the processing time
    tomorrow = run(at_noon(normaliser), LEDE, published_at="2026-12-05T06:00:00Z")
    assert tomorrow.published_at == datetime(2026, 12, 5, 6, 0, tzinfo=UTC), "a day ahead is a time-zone slip"


def test_a_body_cut_at_the_per_article_limit_is_flagged(normaliser: Normaliser) -> None:
    long = "\n\n".join(f"{LEDE[:-1]} and paragraph {n} adds its own number." for n in range(4_000))
    assert run(normaliser, long).body_truncated is True
    assert run(normaliser, LEDE).body_truncated is False


def test_a_repeated_lede_is_found_among_thousands_of_paragraphs_sharing_words(normaliser: Normaliser) -> None:
    """Repeat detection is bounded (rarest words first, a few comparisons each), yet still finds the lede's
    copy after 1,200 paragraphs that all share their first word."""
    filler = [f"Harbour {' '.join(f'w{n}x{k}' for k in range(12))} closes." for n in range(1_200)]
    body = "\n\n".join([LEDE, SECOND, *filler, LEDE.replace("Tuesday", "Tuesday,"), "The mayor spoke last."])
    paragraphs = run(normaliser, body).body.split("\n\n")
    assert paragraphs.count(LEDE) == 1
    assert len(paragraphs) == 2 + len(filler) + 1
