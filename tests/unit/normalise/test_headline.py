"""A web page sent with no title gives its headline: the one the page shows, without the site's name; none when
the page names only its site. Pages written for these tests."""

from __future__ import annotations

from news_ingest.models import Article, RawArticle
from news_ingest.normalise.stage import Normaliser
from tests.conftest import tagger

HEADLINE = "Harbourside votes to close the old ferry terminal"
ARTICLE = (
    "<p>Harbourside council voted on Tuesday to close the old ferry terminal, ending a service that has run since "
    "1952.</p><p>Councillor Ada Penrose, who chairs the transport committee, said the decision was hard, but that "
    "the pier was unsafe.</p><p>Engineers found that two of the pier's supports had cracked, and that repairs "
    "would cost more than a new terminal further along the quay.</p>"
)
MENU = "<ul><li><a href='/'>Home</a></li><li><a href='/local'>Local</a></li><li><a href='/sport'>Sport</a></li></ul>"


def page(head: str, body: str) -> str:
    return (
        f"<html><head>{head}</head><body>{MENU}{body}<div class='footer'>© The Harbourside Courier</div></body></html>"
    )


def run(normaliser: Normaliser, body: str, **fields: object) -> Article:
    return normaliser(RawArticle.model_validate({"url": "https://courier.example/x", "body": body, **fields}))


def test_the_pages_own_heading_is_the_title_and_a_logo_heading_is_not(normaliser: Normaliser) -> None:
    html = page(
        f"<title>{HEADLINE} - The Harbourside Courier</title><meta property='og:title' content='{HEADLINE}'>",
        f"<h1 class='logo'>The Harbourside Courier</h1><article><h1>{HEADLINE}</h1>{ARTICLE}</article>",
    )
    article = run(normaliser, html)
    assert article.title == HEADLINE
    assert article.body.startswith("Harbourside council voted on Tuesday")  # the headline is not in the body


def test_a_title_with_site_and_section_parts_gives_the_headline_the_page_shows(normaliser: Normaliser) -> None:
    html = page(
        f"<title>Courier Online | Local | {HEADLINE}</title>",  # an old page: no metadata, no heading element
        f"<table><tr><td><b>{HEADLINE}</b></td></tr><tr><td>{ARTICLE}</td></tr></table>",
    )
    assert run(normaliser, html).title == HEADLINE


def test_a_page_naming_only_its_site_or_section_gives_no_title(normaliser: Normaliser) -> None:
    for title in ("The Harbourside Courier", "Courier Online | Local News", "Harbourside Daily News"):
        html = page(f"<title>{title}</title>", f"<div><b>{title}</b></div><div>{ARTICLE}</div>")
        assert run(normaliser, html).title is None, title


def test_the_events_own_title_is_kept(normaliser: Normaliser) -> None:
    html = page(f"<title>{HEADLINE}</title>", f"<article><h1>{HEADLINE}</h1>{ARTICLE}</article>")
    assert run(normaliser, html, title="Ferry terminal to close").title == "Ferry terminal to close"


def test_the_headline_leads_the_tags_as_a_title_does(normaliser: Normaliser) -> None:
    headline = "Norway and Chile sign a fisheries pact"
    body = (
        "<p>The two governments signed the agreement in Oslo on Friday after three years of talks about quotas "
        "in the southern ocean.</p><p>Officials said the pact would be reviewed every five years, and that boats "
        "from both fleets would carry observers. Chile's negotiators had asked for more time.</p>"
    )
    html = page(f"<meta property='og:title' content='{headline} | Courier'>", f"<h1>{headline}</h1>{body}")
    article = run(normaliser, html)
    assert article.title == headline
    countries = {country.code: country.salience for country in tagger()._regions(article).countries}
    assert countries.get("CL", 0) >= 0.5  # named once in the body, but in the headline: the story is about it
