"""A deterministic demo stream of raw article events, written by the news-ingest team (all stories are fictional)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from news_ingest.codec import encode_payload

_EPOCH = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
_OUTLETS = (
    "northstar-news.example",
    "globe-wire.example",
    "harbour-times.example",
    "the-daily-ledger.example",
)
_SIMILAR = (
    "Similar News: You can also read news stories similar to this one that we have collected from other news sources."
)


@dataclass(frozen=True)
class Story:
    """One invented news story: headline, dateline, country for the chrome footer, and paragraphs."""

    slug: str
    title: str
    dateline: str
    country: str
    paragraphs: tuple[str, ...]


STORIES: tuple[Story, ...] = (
    Story(
        "defence-talks",
        "Russian and Iranian defence ministers meet in Moscow",
        "MOSCOW, Russia - ",
        "Russia",
        (
            "Russia's defence minister Pavel Orlov hosted his Iranian counterpart Reza Tavakoli in Moscow on "
            "Monday for talks on air defence cooperation, the ministry said.",
            "Orlov said the two countries would hold joint exercises in the Caspian Sea next spring, and that "
            "Tehran had asked for training on radar systems.",
            "Tavakoli's visit is his second to the Russian capital this year. Western diplomats in Moscow said "
            "they were watching the talks closely.",
        ),
    ),
    Story(
        "vistula-floods",
        "Thousands evacuated as Vistula bursts its banks",
        "WARSAW (Reuters) - ",
        "Poland",
        (
            "Polish authorities evacuated more than 4,000 people from villages south of Krakow on Tuesday after "
            "three days of heavy rain pushed the Vistula over its banks.",
            "The regional governor said fire crews had rescued 120 people from rooftops overnight and that two "
            "bridges had been closed to traffic.",
            "Forecasters expect the river to peak near Warsaw on Thursday. The government has released "
            "emergency funds for the worst-hit districts.",
        ),
    ),
    Story(
        "selic-cut",
        "Brazil central bank cuts Selic rate by half a point",
        "BRASILIA, Brazil - ",
        "Brazil",
        (
            "Brazil's central bank cut its benchmark Selic rate by 50 basis points to 9.75 percent on "
            "Wednesday, its third cut in a row, citing slowing inflation.",
            "Governor Helena Duarte told reporters the bank saw room for further easing if food prices kept "
            "falling, but warned that fiscal risks remained.",
            "The real weakened 0.4 percent against the dollar after the decision.",
        ),
    ),
    Story(
        "hokkaido-quake",
        "Magnitude 6.1 earthquake shakes northern Japan",
        "TOKYO: ",
        "Japan",
        (
            "A magnitude 6.1 earthquake struck off the coast of Hokkaido early on Thursday, the Japan "
            "Meteorological Agency said, briefly halting bullet trains.",
            "There were no immediate reports of serious damage. The agency said there was no risk of a "
            "tsunami but warned of aftershocks in the coming week.",
            "Power was cut to around 9,000 homes in Kushiro and restored within two hours.",
        ),
    ),
    Story(
        "nairobi-fintech",
        "Kenyan payments start-up raises $40 million",
        "NAIROBI\u2014",
        "Kenya",
        (
            "Lipa Haraka, a Nairobi-based mobile payments company, said on Monday it had raised $40 million "
            "from investors led by a Lagos venture fund to expand into Uganda and Tanzania.",
            "Chief executive Wanjiru Kamau said the money would pay for new licences and a team of 60 engineers.",
            "Kenya's fintech sector drew more investment last year than any other in East Africa.",
        ),
    ),
    Story(
        "eu-canada-trade",
        "EU and Canada agree to speed up customs checks",
        "BRUSSELS, Nov 24 (AP) \u2014 ",
        "Belgium",
        (
            "The European Union and Canada agreed on Monday to share customs data in real time, a step both "
            "sides said would cut waiting times for lorries at ports by a third.",
            "Trade commissioner Ines Valdemar said the deal would be signed in Ottawa in January.",
            "Business groups in Canada welcomed the move but said it came late for this year's harvest exports.",
        ),
    ),
    Story(
        "santiago-vote",
        "Chile's ruling coalition wins Santiago mayoral race",
        "Santiago, Chile - ",
        "Chile",
        (
            "The governing coalition's candidate Tomas Errazuriz won the race for mayor of Santiago on Sunday "
            "with 52 percent of the vote, official results showed.",
            "Errazuriz, a former housing minister, promised to build 20,000 social homes in his first term.",
            "Turnout was 61 percent, the highest for a municipal vote since voting became compulsory again.",
        ),
    ),
    Story(
        "nsw-bushfire",
        "Bushfire forces evacuations west of Sydney",
        "SYDNEY (AFP) - ",
        "Australia",
        (
            "Firefighters battled a bushfire in the Blue Mountains west of Sydney on Friday as hot, dry winds "
            "pushed flames towards several towns.",
            "The New South Wales Rural Fire Service ordered residents of three villages to leave and opened "
            "evacuation centres in Penrith.",
            "More than 400 firefighters and 30 aircraft were deployed, the service said.",
        ),
    ),
)

FOREIGN: tuple[tuple[str, str, str, str], ...] = (
    (
        "de",
        "berliner-bote.example",
        "Bahnstreik legt Fernverkehr lahm",
        "BERLIN - Ein Streik der Lokführer hat am Montag den Fernverkehr in weiten Teilen Deutschlands "
        "zum Erliegen gebracht. Die Gewerkschaft kündigte an, den Ausstand bis Mittwoch fortzusetzen.",
    ),
    (
        "es",
        "diario-sur.example",
        "Sequía obliga a restringir el riego en Andalucía",
        "SEVILLA - La Junta de Andalucía anunció el martes nuevas restricciones al riego agrícola por la "
        "sequía. Los embalses de la cuenca del Guadalquivir están al 18 por ciento de su capacidad.",
    ),
    (
        "fr",
        "le-courrier-du-jour.example",
        "La Seine en crue, des quais fermés à Paris",
        "PARIS - La préfecture de police a fermé mardi plusieurs quais de la Seine après une forte "
        "montée des eaux. Le niveau du fleuve devrait atteindre son maximum jeudi.",
    ),
)


def _footer(story: Story) -> str:
    return f"{story.country} Latest News, {story.country} Headlines\n{_SIMILAR}"


def _teaser(previous: Story) -> str:
    """A related-story teaser as aggregators glue them: title straight onto the next lede's dateline."""
    place = previous.dateline.split(",")[0].split(" (")[0].rstrip(":\u2014 ").title()
    return f"{previous.title}{place}, {previous.country} - {previous.paragraphs[0][:90]}... Read more \u00bb"


def _event(
    story: Story, *, outlet: int, minutes: int, url_suffix: str = "", title: str | None = None, body: str
) -> dict[str, object]:
    at = _EPOCH + timedelta(minutes=minutes)
    return {
        "url": f"https://{_OUTLETS[outlet]}/world/{story.slug}{url_suffix}",
        "title": title or story.title,
        "body": body,
        "source": _OUTLETS[outlet],
        "published_at": at.strftime("%a, %d %b %Y %H:%M:%S GMT") if outlet % 2 else at.isoformat(),
        "fetched_at": (at + timedelta(seconds=40)).isoformat().replace("+00:00", "Z"),
        "language": "en",
        "section": "world",
    }


def _variants(index: int, story: Story, previous: Story) -> list[dict[str, object]]:
    base = 30 * index
    original_body = story.dateline + "\n\n".join(story.paragraphs)
    original = _event(story, outlet=0, minutes=base, body=original_body)
    syndicated_text = "\n\n".join((story.dateline + story.paragraphs[0], *story.paragraphs[1:]))
    syndicated = _event(
        story,
        outlet=1,
        minutes=base + 7,
        title=f"{story.title} - report",
        body=syndicated_text.replace("defence", "defense") + "\n\n" + _footer(story),
    )
    repost = {
        **original,
        "url": f"{original['url']}?utm_source=feed&utm_medium=rss",
        "fetched_at": (_EPOCH + timedelta(minutes=base + 12)).isoformat().replace("+00:00", "Z"),
    }
    paragraphs = "".join(f"<p>{text}</p>" for text in (story.dateline + story.paragraphs[0], *story.paragraphs))
    html = (
        f"<html><head><script>var ad=1;</script></head><body><nav>Home | World</nav>"
        f"<article><h1>{story.title}</h1>{paragraphs}</article>"
        f"<aside><p>{_teaser(previous)}</p></aside><footer>{_footer(story)}</footer></body></html>"
    )
    scraped = _event(story, outlet=2, minutes=base + 15, body=html)
    repeated_lede = "\n\n".join((story.dateline + story.paragraphs[0], *story.paragraphs, "Read more \u00bb"))
    doubled = _event(story, outlet=3, minutes=base + 21, url_suffix="-live", body=repeated_lede)
    return [original, syndicated, repost, scraped, doubled]


def _foreign() -> list[dict[str, object]]:
    events: list[dict[str, object]] = []
    for minutes, (language, outlet, title, body) in enumerate(FOREIGN):
        at = _EPOCH + timedelta(hours=5, minutes=minutes)
        events.append(
            {
                "url": f"https://{outlet}/artikel/{minutes}",
                "title": title,
                "body": body,
                "source": outlet,
                "published_at": at.isoformat(),
                "language": language,
            }
        )
    return events


# Different write-ups of an event already in STORIES: same story cluster, little shared wording.
WRITE_UPS: tuple[tuple[str, str, str], ...] = (
    (
        "defence-talks",
        "Tehran seeks Russian radar training as ministers talk",
        "Iran's defence chief Reza Tavakoli arrived in the Russian capital for a second visit this year, seeking "
        "help with radar and air defence training. His host, Pavel Orlov, promised naval drills in the Caspian.",
    ),
    (
        "vistula-floods",
        "Rooftop rescues in southern Poland as river rises",
        "Firefighters pulled 120 people from roofs near Krakow overnight. The swollen Vistula is expected to "
        "reach the capital by Thursday, and officials have shut two bridges.",
    ),
    (
        "hokkaido-quake",
        "Hokkaido quake halts Shinkansen, no tsunami risk",
        "Bullet trains stopped for about an hour after a strong tremor off Japan's northern island on Thursday "
        "morning. Some 9,000 homes in Kushiro lost power.",
    ),
)

MALFORMED: tuple[bytes, ...] = (
    b'{"url": "https://northstar-news.example/broken", "body": "unterminated',
    b'{"url": "https://northstar-news.example/latin1", "body": "caf\xe9 opens"}',
    b'{"title": "No address", "body": "An event with no url cannot be published."}',
    b'{"url": "https://northstar-news.example/empty", "body": "   \\n\\t  "}',
    b'{"url": "https://northstar-news.example/typed", "body": 42}',
    b'["not", "an", "object"]',
)


def _write_ups() -> list[dict[str, object]]:
    stories = {story.slug: story for story in STORIES}
    return [
        _event(stories[slug], outlet=3, minutes=300 + index, url_suffix="-analysis", title=title, body=body)
        for index, (slug, title, body) in enumerate(WRITE_UPS)
    ]


def demo_events() -> list[bytes]:
    """The demo stream as raw message values, in publish order: 52 events, 6 of them malformed."""
    events: list[dict[str, object]] = []
    for index, story in enumerate(STORIES):
        events.extend(_variants(index, story, STORIES[index - 1]))
    events.extend(_foreign())
    events.extend(_write_ups())
    payloads = [encode_payload(event) for event in events]
    for position, bad in enumerate(MALFORMED):
        payloads.insert(5 + position * 9, bad)
    return payloads
