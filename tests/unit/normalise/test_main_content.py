"""A whole web page comes down to the article: its paragraphs kept, the page's furniture and teasers gone."""

from __future__ import annotations

from news_ingest.normalise.chrome import mark_lines
from news_ingest.normalise.layout import paragraphs as layout_paragraphs
from news_ingest.normalise.markup import html_to_text

# An article written for these tests: four paragraphs, the kind of prose the article container holds.
ARTICLE = [
    "Harbourside council voted on Tuesday to close the old ferry terminal, ending a service that has run since 1952.",
    "Councillor Ada Penrose, who chairs the transport committee, said the decision was hard but the pier was unsafe.",
    "Engineers found that two of the pier's supports had cracked, and repairs would cost more than a new terminal.",
    "A replacement, further along the quay, is due to open next spring, with a bus link to the railway station.",
]
TEASERS = [
    (
        "Millbrook mayor opens new library",
        "The library, built on the site of the old market, has room for 40,000 books.",
    ),
    ("Storm closes coastal road for a week", "Crews worked through the night to clear fallen trees, the county said."),
    ("Local bakery wins national award", "Judges praised the bakery's sourdough, which uses flour milled nearby."),
]


def paragraphs(html: str) -> list[str]:
    return [p.text for p in layout_paragraphs(mark_lines(html_to_text(html)))]


def page(article: str, *, sidebar: str = "", after: str = "") -> str:
    menu = "".join(f"<li><a href='/{n}'>{n}</a></li>" for n in ("News", "Sport", "Weather", "Business"))
    return (
        f"<html><body><header class='site-header'><ul class='menu'>{menu}</ul>"
        "<div class='byline'>By Tom Harper, 3 March 2020 09:14</div></header>"
        f"<div class='layout content-with-sidebar'><div class='main-column'>{article}</div>"
        f"<div class='sidebar'>{sidebar}</div></div>{after}"
        "<div class='site-footer'><p>Copyright 2020 Harbourside Gazette Ltd. All rights reserved, registered in"
        " England.</p>"
        "</div></body></html>"
    )


def teaser_list(css_class: str) -> str:
    items = "".join(
        f"<div class='item'><a href='/t{n}'><h3>{headline}</h3></a><p>{excerpt}</p></div>"
        for n, (headline, excerpt) in enumerate(TEASERS)
    )
    return f"<div class='{css_class}'><h2>More stories</h2>{items}</div>"


def test_a_whole_page_comes_down_to_the_article_paragraphs() -> None:
    article = "<div class='story-body'>" + "".join(f"<p>{text}</p>" for text in ARTICLE) + "</div>"
    html = page(article, sidebar=teaser_list("widget-area"), after=teaser_list("related-stories"))
    assert paragraphs(html) == ARTICLE


def test_teasers_with_prose_excerpts_but_no_furniture_name_are_dropped_as_link_headed_blocks() -> None:
    article = "<article><div class='text'>" + "".join(f"<p>{text}</p>" for text in ARTICLE) + "</div></article>"
    html = page(article, after=teaser_list("grid-row"))
    assert paragraphs(html) == ARTICLE


def test_an_article_split_by_a_figure_keeps_both_halves() -> None:
    first = "".join(f"<p>{text}</p>" for text in ARTICLE[:2])
    second = "".join(f"<p>{text}</p>" for text in ARTICLE[2:])
    article = (
        f"<div class='body-part'>{first}</div>"
        "<figure><img src='/pier.jpg'><figcaption>The pier in 1960</figcaption></figure>"
        f"<div class='body-part'>{second}</div>"
    )
    assert [text for text in paragraphs(page(article)) if text in ARTICLE] == ARTICLE


def test_a_lede_outside_the_body_container_is_kept() -> None:
    article = f"<p class='standfirst'>{ARTICLE[0]}</p><div class='story'>" + "".join(
        f"<p>{text}</p>" for text in ARTICLE[1:]
    ) + "</div>"  # fmt: skip
    assert paragraphs(page(article)) == ARTICLE


def test_a_comment_thread_below_the_article_is_dropped() -> None:
    comments = "".join(
        f"<li class='comment'><div class='comment-body'><p>{text}</p></div></li>"
        for text in (
            "I have taken that ferry every week for thirty years, and the council never listened to us, not once.",
            "The new terminal is too far from the town centre, and nobody asked the people who actually use it.",
            "Good riddance, the old pier was falling apart, and the new one will be far better for everyone here.",
        )
    )
    article = "<div class='entry-content'>" + "".join(f"<p>{text}</p>" for text in ARTICLE) + "</div>"
    html = page(article, after=f"<div id='commentsContainer'><ul>{comments}</ul></div>")
    assert paragraphs(html) == ARTICLE


def test_feed_html_that_is_only_the_article_comes_out_whole() -> None:
    html = "".join(f"<p>{text}</p>" for text in ARTICLE) + "<p>Read more about the ferry on our website.</p>"
    assert paragraphs(html) == [*ARTICLE, "Read more about the ferry on our website."]


def test_text_inside_an_inline_element_that_wraps_blocks_belongs_to_those_blocks() -> None:
    article = "<table><tr><td><font><div class='storyBody'>" + "".join(f"<p>{t}</p>" for t in ARTICLE) + (
        "</div></font></td></tr></table>"
    )  # fmt: skip
    assert paragraphs(page(article)) == ARTICLE


def test_the_timestamp_headline_and_byline_above_the_first_paragraph_go_but_a_closing_short_quote_stays() -> None:
    closing = '"We will miss it," she said.'
    article = (
        "<div class='story'><div class='stamp'>Nov. 3, 2020 6:02 AM GMT</div><h2>Ferry terminal to close</h2>"
        "<div class='by'>By TOM HARPER and ADA LINE</div>"
        + "".join(f"<p>{text}</p>" for text in ARTICLE)
        + f"<p>{closing}</p><div>Topics</div></div>"
    )
    assert paragraphs(page(article, after=teaser_list("related"))) == [*ARTICLE, closing]
