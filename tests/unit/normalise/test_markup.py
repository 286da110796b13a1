"""HTML to text: structure kept, page furniture gone."""

from __future__ import annotations

from news_ingest.normalise.chrome import mark_lines
from news_ingest.normalise.layout import paragraphs as layout_paragraphs
from news_ingest.normalise.markup import html_to_text, looks_like_html

PROSE = "The council voted on Tuesday to rebuild the old bridge over the river by next spring."


def blocks(html: str) -> list[str]:
    return [p.text for p in layout_paragraphs(mark_lines(html_to_text(html)))]


def test_link_lists_are_dropped_but_prose_with_a_link_is_kept() -> None:
    html = (
        "<body><ul><li><a href='/a'>Storm hits coast</a></li><li><a href='/b'>Budget talks stall</a></li></ul>"
        f"<p>{PROSE.replace('bridge', '<a href=/bridge>bridge</a>')}</p></body>"
    )
    assert blocks(html) == [PROSE]


def test_small_widgets_go_but_a_page_wrapped_in_a_social_class_or_form_stays() -> None:
    html = (
        "<body><form id='aspnetForm'><div class='social-wrapper'>"
        f"<div class='share-tools'>Share Tweet Email</div><p>{PROSE}</p>"
        f"<p>{PROSE} {PROSE} {PROSE} {PROSE}</p>"
        "</div></form></body>"
    )
    assert blocks(html) == [PROSE, f"{PROSE} {PROSE} {PROSE} {PROSE}"]


def test_footers_scripts_and_hidden_elements_are_dropped() -> None:
    html = (
        f"<body><p>{PROSE}</p><p hidden>Hidden</p><script>var x = 1;</script>"
        "<footer>About us | Contact | Terms</footer></body>"
    )
    assert blocks(html) == [PROSE]


def test_plain_text_with_a_stray_angle_bracket_is_not_parsed_as_html() -> None:
    assert not looks_like_html("Inflation fell to < 3 percent, the bank said.")
    assert looks_like_html("<p>Hello</p>")


def test_a_nesting_bomb_past_the_tag_limit_is_stripped_not_parsed_and_its_text_kept() -> None:
    bomb = "<div><p><b>" * 30_000 + "Harbour wall repaired &amp; reopened"  # 90k tags: seconds for the parser
    text = html_to_text(bomb)
    assert "Harbour wall repaired & reopened" in text
    assert "<" not in text
