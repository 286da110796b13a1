"""Which found spans are names a newsroom would facet on, cut to the name and typed as it is used.

Both profiles' spans pass through ``refined`` before they become entities. The rules here are about the
shape of a span and the words around it, not about any one name, and each answers an error class an editor
found in real output:

- a span never crosses a line break, a spaced dash ("Lithuania - Danius Gleveckas") or an angle-bracketed
  ticker ("RGDC>"); trailing scores and numbers are cut ("J. Ratcliffe 63" -> "J. Ratcliffe"), and so are a
  closing weekday or dated month ("Trump's Oct. 21" -> "Trump"); a span of dates and timestamp words alone
  ("Wed, Jan", "Published: Tuesday") is none (``dates``);
- all-caps text (a wire headline, a table heading) is a name only when the article writes it in mixed case
  too, or when it is a place: "WHITE HOUSE" joins "White House", "GMAC UNIT ISSUES" and "WEEK AGO" are
  dropped; a headline company before a ticker ("MARION LABS <MKC>") joins the company the body names with the
  same first word ("Marion Laboratories Inc");
- a single word that is a common English word and is never capitalised inside a sentence ("Attendance",
  "Registering", "Media" opening a headline) is not a name; a name the article capitalises mid-sentence
  ("shares in Apple") or a surname of a person it names is;
- roles alone ("Solicitor General", "Chancellor", "MPs", "QC"), table abbreviations ("cts", "Avg", "QT JAN")
  and spans starting in lower case are not entities;
- titles of works and awards are neither people nor organisations: a span after "film", "book", "album"...
  or ending in "Award", "Prize", "Cup", "Open", "Championships"... is dropped (the schema has no type for them);
- a person's span holding a possessive is the owner ("Andy Murray's Grand Slam" -> "Andy Murray"), and an
  organisation's after a place's possessive what the place owns ("South Korea's Ministry ...");
- a person's span loses leading words that are not part of the name (a role, a nationality, a sentence's
  first word: "Describing Mr Jackson" -> "Jackson", "Russian Dmitriy Bogdanov" -> "Dmitriy Bogdanov");
- a place span ending in an organisation word ("Santa Barbara County Superior Court") is an organisation,
  and a nationality ("Chechens") is not a place.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Protocol

from news_ingest.models import EntityType
from news_ingest.tag.companies import ALSO_WORDS, companies
from news_ingest.tag.dates import date_free_end, is_date_only
from news_ingest.tag.given_names import is_given_name, looks_like_a_person
from news_ingest.tag.letters import LOWER, UPPER
from news_ingest.tag.span import LOC, ORG, PERSON, Span
from news_ingest.tag.words import zipf


class Places(Protocol):
    """What the refining rules ask the gazetteer."""

    def link_of(self, name: str) -> str | None:
        """The gazetteer id when the whole name is a country, state or city, else None."""

    def is_demonym(self, name: str) -> bool:
        """True for a nationality or its plural ("Russian", "Chechens")."""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_COMMON_WORD_ZIPF = 3.4  # "attendance" 4.2, "registering" 3.5; names such as "Kirwan" 2.5, "Cairn" 2.9
_ROLE_WORDS = _words(
    "president prime minister ministers vice chancellor king queen prince princess pope sheikh general "
    "senator governor mayor chairman chairwoman chair chief executive ceo director secretary judge "
    "justice ambassador commissioner mr mrs ms dr professor lieutenant colonel captain admiral sir dame "
    "lord lady leader spokesman spokeswoman spokesperson premier coach manager mp mps mep meps qc peer "
    "peers attorney solicitor solicitors barrister counsel deputy foreign home defence defense finance "
    "interior shadow junior state first sergeant officer officers inspector superintendent detective "
    "constable councillor speaker minister's president's the cardinal archbishop bishop gp gps founder "
    "co-founder cofounder successor predecessor"
)
_HONORIFICS = frozenset(("Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms.", "Dr", "Dr.", "Sir", "Dame", "Lord", "Lady"))
_TABLE_WORDS = _words(
    "jan feb mar apr jun jul aug sep sept oct nov dec avg pct mln bln cts dlrs qtr qt vs gmt est edt bst "
    "cet net shr shrs revs div pay prior record wk wks yr yrs ago week year latest previous actual total "
    "totals no nos tel fax"
)
_EVENT_ENDS = _words(
    "Award Awards Prize Prizes Cup Open Championship Championships Games Olympics Trophy Prix Festival "
    "Series Marathon Classic Globe Globes Bear Oscar Oscars Emmy Emmys Grammy Grammys Baftas Tournament "
    "Masters Final Finals Bowl Derby Rally Invitational Test Tests "
    "Act Treaty Directive"  # and laws: "the ... Practices Act"
)
_SENTENCE_OPENERS = _words(
    "However Meanwhile Nevertheless Nonetheless Moreover Furthermore Yesterday Then But And "
    "Also Still Instead Indeed Later Earlier Finally Thus Hence Yet Although Though While When After Before If"
)
_TITLE_AFTER = re.compile(r" (?:Secretary|Minister|Representative|Commissioner|Secretary-General|Undersecretary)\b")
_CONTRACTION = re.compile(r"\w+['\u2019](?:m|re|ve|ll|d|t)")  # "I'm", "We're", "Don't": never a name
# A "person" who "were" or "have" is a group: "Snow Patrol were the big winners"
_PLURAL_VERB_AFTER = re.compile(r" (?:were|are|have|have been) ")
# ... and the name is the verb's subject: it opens a sentence, or "the" comes before it ("the Lib Dems have")
_SUBJECT_BEFORE = re.compile(r"(?:^|[.!?\n\"\u201c] ?|\bthe |\bThe )$")
_WORK_BEFORE = re.compile(  # the word that says a title follows: "the film The Aviator", "her novel 'Atonement'"
    r"\b(?:film|films|movie|movies|book|books|novel|novels|album|albums|song|songs|sitcom|documentary|"
    r"musical|opera|best-?seller|memoir|comedy|comedies|drama|thriller|sequel|prequel|blockbuster|cartoon|"
    r"animation|handset|console|laptop|SUV)[ \"'\u2018\u201c]+(?:The )?$"
)
_ORG_ENDS = _words(
    "Court Council University College Bank Ministry Party Committee Agency Company Inc Inc. Corp Corp. "
    "Ltd Ltd. Plc Group Department Commission Authority Association Institute Foundation Board Bureau"
)
# Capitals that are units, codes, currencies, time zones or titles, not organisations ("GMT", "GDP", "GB").
NOT_ACRONYMS = _words(
    "GMT BST EST EDT CET UTC PST AM PM GDP GNP CPI PPI VAT TV CEO CFO COO MP MPS MEP DJ PR IT AIDS HIV DNA "
    "UK US USA UAE OK ID PC CD DVD FM AD BC RPM MPH KM KG MM CM NO VS USD EUR GBP JPY CHF DM DEM FFR GB MB KB "
    "YEN LB LBS PCT MLN BLN CTS DLRS QTR NET SHR REVS AVG QT ST MT SA AG NV AB AS SPA BV PLC LTD INC GMBH CO "
    "RBI ERA "
    # things, jobs and techniques written as acronyms: common nouns, not organisations
    "SUV SUVS EV EVS VP SVP EVP CTO CIO CMO CEOS HR IPO IPOS ETF ETFS GPS USB LED LEDS LCD OLED HD HDR ATM ATMS ICU "
    "MRI ADHD PTSD MVP NFT AI VR API CPU GPU RAM SSD HDMI LTE SIM APR IRA ROI EPS ESG LNG LPG RV ATV UAV UAVS IED "
    "WMD POW POWS CCTV DUI DWI RSVP FAQ PDF PIN SMS MBA PHD LGBT LGBTQ CDMA GSM GPRS HDTV DVR DRM NAS SATA BMD "
    "OBE MBE CBE KBE EBITDA MP3 DSL WIFI"
)
_GENERIC_BODIES = _ORG_ENDS | _words(
    "Community Government Opposition Parliament Assembly Senate Congress Cabinet Co Co. Office"
)
_POSSESSIVE = re.compile(r"(?:'s|\u2019s|')$")
_FIRM_ENDS = _words(  # a "person" whose name ends so is a firm ("Edison Finance"); not surnames such as Mills
    "Finance Financial Capital Securities Holdings Research Systems Technologies Industries Partners Investors "
    "Insurance Bancorp Airlines Airways Motors Software Communications Pharmaceuticals Energy Electronics "
    "Aircraft Aerospace Radio Television Broadcasting Media Entertainment Records Telecom Networks Logistics "
    "Shipping Brewery Breweries Foods Chemicals Mining Petroleum Oil International "
    "Herald Chronicle Tribune Gazette Telegraph Inquirer Examiner Dispatch Sentinel"  # newspapers
)
_FIRM_AFTER = re.compile(r"(?:,? (?:and|&))? (?:Co|Corp|Inc|Ltd|Plc|PLC|LLC|AG|SA|NV)\b\.?")
_CLUB_ENDS = _words("United City County Rovers Athletic Wanderers Albion Palace Town Hotspur Villa Rangers Celtic")
_WORD_BEFORE = re.compile(r"([A-Z][a-z]+\.?) $")
_PLAIN_WORD = re.compile(rf"[{UPPER}][{LOWER}'\u2019-]+[{LOWER}]")  # "Shevchenko", not "AC", "McDonald's" or "3M"
_CAPITALISED_BEFORE = re.compile(rf"[{UPPER}][\w'\u2019-]* $")
_CAPITALISED_AFTER = re.compile(rf" [{UPPER}]")
# Nationality nouns that open a sports or showbiz name ("Brit Lewis Hamilton"); some are given names too.
_NATIONALITY_NOUNS = _words(
    "Brit Briton Finn Dane Swede Scot Pole Aussie Kiwi Yank Spaniard Frenchman Dutchman Englishman Welshman "
    "Irishman Scotsman Turk Norwegian Swiss"
)
# A page's sections and sign-ups: words that say which list of stories, then what they are.
_SECTION_ENDS = _words("news headlines stories articles videos updates alerts")
_SECTION_WORDS = _words(
    "breaking other more latest top local related recent popular trending most read sign up for get our your "
    "editor's picks world national business sports entertainment email the"
)
# Followers of a faith or a branch of it: groups, not organisations or people.
_FAITHS = _words(
    "Muslims Christians Jews Hindus Sikhs Buddhists Sunnis Shias Shiites Catholics Protestants Evangelicals "
    "Mormons Anglicans Methodists Baptists"
)
_VENUE_WORDS: dict[str, EntityType | None] = {
    **dict.fromkeys(
        _words(
            "Stadium Arena Coliseum Colosseum Speedway Raceway Ballpark Velodrome Racecourse Field "
            "Park Center Centre Gardens Square Road Street Avenue Boulevard Highway Freeway Motorway "
            "Airport Bridge"
        ),
        LOC,
    ),
    **dict.fromkeys(_words("School Church Cathedral Hospital Infirmary Academy Museum Library Zoo Prison"), ORG),
    **dict.fromkeys(_words("Parade Report"), None),
}
_SURNAME_VENUE_WORDS = _words("Field Park Center Centre Gardens Square Street Church Bridge")  # Sally Field
_AT_BEFORE = re.compile(r"(?<![\w])(?:at|in|on) $")
_DETERMINER_BEFORE = re.compile(r"(?<![\w])(?:the|a|an|this|that|its|their|our) $", re.IGNORECASE)
_TICKER = re.compile(r"<[A-Z0-9.&\-]{1,12}>")
_ACRONYM = re.compile(r"[A-Z]{2,6}")
_LOWER_AFTER_SPACE = re.compile(r" [a-z]")  # a literal first: the regex engine skips ahead to spaces fast
_PROSE_WORDS = 3
_LEADING_JUNK = frozenset("-\u2013\u2014:;,.'\"\u201c\u2018 ")
_TRAILING_JUNK = frozenset("<>-\u2013\u2014:;,'\"\u201d ")
_INITIAL_BEFORE = re.compile(r"(?<![\w.])[A-Z]\.")  # "U." of "U.S.", "U.N.": part of the name after it
_INITIAL_WIDTH = 2
_DASH = re.compile(r" [-\u2013\u2014] ")
_BREAK = re.compile(r"\s*\n\s*| [-\u2013\u2014] | \(.*")  # where a span is cut into parts
_TRAILING_LOWER = re.compile(r"(?: [a-z][\w.'-]*)+$")  # "Interfax news agency" -> "Interfax"
_FIRM_SUFFIXES = frozenset(("Corp", "Corp.", "Corporation", "Inc", "Inc.", "Ltd", "Co", "Co.", "Plc", "PLC", "LLC"))
# Owners whose possessive is part of an organisation's own name ("People's Party", "U.S. Attorney's Office").
_NAMING_OWNERS = _words(
    "People Children Women Men Attorney Sheriff Governor Magistrate Magistrates Veterans Workers Farmers Citizens "
    "Writers Officers Members Mother Mothers Prisoners Soldiers Teachers Nurses Lawyers Doctors Patients Consumers "
    "Taxpayers Students Traders Directors President Mayor Chancellor Queen King Prince Bishop Commissioner "
    "Comptroller Auditor Treasurer Registrar Coroner Solicitor Controller Lord Lady Saint St. Lloyd"
)
_INNER_POSSESSIVE = re.compile(r"['\u2019]s (?=[A-Z])")
_TRAILING_NUMBERS = re.compile(r"(?: [-+(]*\d[\d.,:/\-)]*)+$")
# A capitalised word after a lower-case word or a comma: not a sentence's first word.
# (it starts with the space, then looks behind it, so that the regex engine skips ahead to spaces fast)
_MID_SENTENCE_WORD = re.compile(rf" (?<=[{LOWER},;:] )([{UPPER}](?:[\w.'\u2019&-]*\w\.?)?)")


def refined(spans: Sequence[Span], text: str, places: Places) -> list[Span]:
    """The spans that are names, cut and typed (see the module docstring); order kept."""
    tickers = [(m.start(), m.end()) for m in _TICKER.finditer(text)] if "<" in text else []
    cleaned = _headline_cut([part for span in _joined(spans, text) for part in _cut(span, text, tickers, places)], text)
    article = _Article(text, cleaned)
    groups = _groups(cleaned, text)
    kept: list[Span] = []
    for span in cleaned:
        found = article.confirmed(span, places) if _shouted(span.text) else span
        if found is None or not article.is_a_name(found, places):
            continue
        # Only a person's retyping reads the surnames (and a title before the name, a regex search): others skip it.
        surnames = article.surnames | article.titled(found) if found.type is PERSON else article.surnames
        found = _retyped(found, places, surnames)
        if found is not None and found.type is PERSON:
            found = _venue_retyped(found, text)
        if found is not None and found.type is PERSON and _FIRM_AFTER.match(text, found.end):
            found = Span(found.start, found.end, ORG, found.text)  # "C. Itoh and Co", "Jones Inc"
        if (found is not None and found.type is ORG and found.text not in companies()
                and article.named_like_a_person(found, places)):  # fmt: skip
            found = Span(found.start, found.end, PERSON, found.text)
        if found is not None and found.type is PERSON and found.text in groups:
            found = Span(found.start, found.end, ORG, found.text)
        if found is not None:
            kept.append(found)
    return kept


def _headline_cut(spans: list[Span], text: str) -> list[Span]:
    """A headline's person the body never writes, cut to the longest of its leading words the body names as a
    person: a title-case headline runs a name into its verb ("Kate Henshaw Is Looking Stunning", "Mary
    Steenburgen Wrote"), and the body writes the name alone; a well-known firm likewise ("Microsoft Bet On Cloud").
    Places and other organisations keep their words ("New York Times" is no "New York")."""
    headline_end = text.find("\n")
    if headline_end < 0 or not spans or spans[0].start >= headline_end:
        return spans
    body = {span.text: span for span in spans if span.start > headline_end and span.type is PERSON}
    cut: list[Span] = []
    for span in spans:
        if span.start >= headline_end or " " not in span.text or span.text in body:
            cut.append(span)
        elif span.type is PERSON:
            cut.append(_cut_to_person(span, body))
        else:
            cut.append(_cut_to_company(span) if span.type is ORG else span)
    return cut


def _cut_to_person(span: Span, body: dict[str, Span]) -> Span:
    words = span.text.split(" ")
    for count in range(len(words) - 1, 0, -1):
        named = body.get(" ".join(words[:count]))
        if named is not None:
            return Span(span.start, span.start + len(named.text), named.type, named.text, named.link)
    return span


def _cut_to_company(span: Span) -> Span:
    """A well-known firm and the headline's common words after it ("Microsoft Bet On"): the firm."""
    words = span.text.split(" ")
    for count in range(len(words) - 1, 0, -1):
        name = " ".join(words[:count])
        if name in companies() and all(zipf(word.lower()) >= _COMMON_WORD_ZIPF for word in words[count:]):
            return Span(span.start, span.start + len(name), ORG, name)
    return span


def _groups(spans: Sequence[Span], text: str) -> set[str]:
    """Names typed as people that the article treats as a group ("Snow Patrol were"; a band, a firm): two or more
    words, the first no given name, the subject of the verb (not "films by Akira Kurosawa have")."""
    return {
        span.text
        for span in spans
        if span.type is PERSON
        and " " in span.text
        and _PLURAL_VERB_AFTER.match(text, span.end)
        and _SUBJECT_BEFORE.search(text, max(0, span.start - 5), span.start)
        and not is_given_name(span.text.split()[0])
    }


class _Article:
    """What the rules look up in the whole article, gathered once (an article may hold 60,000 spans)."""

    def __init__(self, text: str, spans: Sequence[Span]) -> None:
        self.text = text
        self.mixed = {span.text.casefold(): span for span in spans if not _shouted(span.text)}
        self.organisations: dict[str, Span] = {}  # first word, casefolded -> a longer organisation name
        for span in self.mixed.values():
            if span.type is ORG and " " in span.text:
                self.organisations.setdefault(span.text.split()[0].casefold(), span)
        self.surnames = {s.text.split()[-1] for s in spans if s.type is PERSON and " " in s.text}
        self._inside: frozenset[str] | None = None
        self._prose: dict[int, bool] = {}  # a line's start -> whether it is prose

    def in_a_sentence(self, at: int) -> bool:
        """The line holding ``at`` is prose (three lower-case words or more), not a headline or a table row."""
        start = self.text.rfind("\n", 0, at) + 1
        if start not in self._prose:  # the spans of a line ask in turn
            self._prose[start] = is_prose_line(self.text, at)
        return self._prose[start]

    def capitalised_inside_a_sentence(self, word: str) -> bool:
        if self._inside is None:
            body = self.text.partition("\n")[2] or self.text  # a headline's capitals say nothing
            found = _MID_SENTENCE_WORD.findall(body)
            self._inside = frozenset(found) | {_POSSESSIVE.sub("", word) for word in found}
        return word in self._inside

    def confirmed(self, span: Span, places: Places) -> Span | None:
        """An all-caps span as the name the article writes in mixed case, a place, an acronym written in a
        sentence ("GM said", "shares of EADS"), or None."""
        for form in (span.text, span.text.title()):
            link = places.link_of(form)
            if link is not None and span.type is ORG:  # a club named after its city stays a club
                return Span(span.start, span.end, span.type, form)
            if link is not None:
                return Span(span.start, span.end, LOC, form, link)
        same = self.mixed.get(span.text.casefold())
        if same is not None:
            return Span(span.start, span.end, same.type, same.text, same.link)
        if _ACRONYM.fullmatch(span.text) and self.in_a_sentence(span.start):
            return span
        if _TICKER.match(self.text, span.end + 1) or span.text.count(" ") <= 1:
            other = self.organisations.get(span.text.split()[0].casefold())
            if other is not None:
                return Span(span.start, span.end, ORG, other.text, other.link)
        return None

    def is_a_name(self, span: Span, places: Places) -> bool:
        name = span.text
        if self._never_a_name(span):
            return False
        if " " in name or span.link or name in self.surnames or places.link_of(name) is not None:
            return True
        if name in companies() and name not in ALSO_WORDS:
            return True  # "Google", "Nokia": a firm's name, however common the word has become
        if (_TITLE_AFTER.match(self.text, span.end) and name not in companies()
                and self._common_word(name, anywhere=True)):  # fmt: skip
            return False  # "Commerce Secretary Malcolm Baldrige", "Trade Representative": a job title's word
        if _ACRONYM.fullmatch(name) and self.in_a_sentence(span.start):
            return name not in NOT_ACRONYMS  # "GM", "EADS" in a sentence: an acronym, whatever "gm" is as a word
        return not self._common_word(name)

    def _never_a_name(self, span: Span) -> bool:
        """Lower case, roles, table words, works and events, generic bodies ("Party" alone), whatever else holds."""
        if _never_a_name_alone(span.text):
            return True
        return span.type is not LOC and bool(_WORK_BEFORE.search(self.text, max(0, span.start - 30), span.start))

    def titled(self, span: Span) -> set[str]:
        """{the span's name} when a title or honorific stands right before it ("Lord Irvine"), else {}."""
        before = _WORD_BEFORE.search(self.text, max(0, span.start - 25), span.start)
        return {span.text} if before is not None and before.group(1).lower().rstrip(".") in _ROLE_WORDS else set()

    def named_like_a_person(self, span: Span, places: Places) -> bool:
        """Two or three plain words, no organisation word, no place, whose last word the article also uses alone
        ("Andriy Shevchenko" ... "Shevchenko now has 14 goals"): people are called by their surname, firms by
        their first word ("Calloway Foods Ltd" ... "Calloway")."""
        words = span.text.split()
        if not 2 <= len(words) <= 3 or any(not _PLAIN_WORD.fullmatch(word) for word in words):
            return False
        if words[-1] in _ORG_ENDS or any(places.link_of(word) for word in words):
            return False
        surname, text = words[-1], self.text
        at = text.find(surname)
        while at >= 0:
            end = at + len(surname)
            whole = (at == 0 or not _in_name(text[at - 1])) and (end == len(text) or not _in_name(text[end]))
            alone = (
                _CAPITALISED_BEFORE.search(text, max(0, at - 40), at) is None
                and not _CAPITALISED_AFTER.match(text, end)
                and _DETERMINER_BEFORE.search(text, max(0, at - 6), at) is None  # "the House": a body, not a surname
            )
            if whole and alone:
                return True
            at = text.find(surname, end)
        return False

    def _common_word(self, name: str, *, anywhere: bool = False) -> bool:
        """A common English word the article never capitalises inside a sentence (``anywhere``: whether or not)."""
        if zipf(name.lower()) < _COMMON_WORD_ZIPF or is_given_name(name):
            return False
        return anywhere or not self.capitalised_inside_a_sentence(name)


@functools.lru_cache(maxsize=65_536)
def _never_a_name_alone(name: str) -> bool:
    """What ``_Article._never_a_name`` decides from the name alone, whatever its place: names repeat within and
    across articles, so the answer is kept."""
    if not name[:1].isupper() and not name[1:2].isupper() and not name[2:3].isupper():
        return True  # "cts", "congress", "182nd"; "de Klerk", "eBay" and "3M" stay
    if _CONTRACTION.fullmatch(name):
        return True
    words = [word.lower().rstrip(".").removesuffix("'s") for word in name.split()]
    if all(word in _ROLE_WORDS for word in words) or all(word in _TABLE_WORDS for word in words):
        return True
    if name.rsplit(maxsplit=1)[-1] in _EVENT_ENDS:
        return True
    if words[-1] in _SECTION_ENDS and all(word in _SECTION_WORDS for word in words[:-1]):
        return True  # "Breaking News", "Other News", "Sign Up For Breaking News": a page's sections
    return " " not in name and (name in _GENERIC_BODIES or name in _FAITHS)  # "Party"; "Sunnis": groups


def is_prose_line(text: str, at: int) -> bool:
    """The line holding ``at`` is prose (three lower-case words or more), not a headline or a table row. A word
    counts after a space, or at the very start of the text (where the line-start pattern this replaced matched)."""
    start, end = text.rfind("\n", 0, at) + 1, text.find("\n", at)
    end = end if end >= 0 else len(text)
    lower = len(_LOWER_AFTER_SPACE.findall(text, start, end)) + (start == 0 < end and "a" <= text[0] <= "z")
    return lower >= _PROSE_WORDS


def _joined(spans: Sequence[Span], text: str) -> list[Span]:
    """Two person spans one space apart are one name ("Andre" "Agassi": the model sometimes splits them)."""
    ordered = sorted(spans, key=lambda s: s.start)
    joined: list[Span] = []
    for span in ordered:
        last = joined[-1] if joined else None
        if (last is not None and last.type is span.type is PERSON and last.end + 1 == span.start
                and text[last.end] == " "):  # fmt: skip
            joined[-1] = Span(last.start, span.end, PERSON, text[last.start : span.end])
        else:
            joined.append(span)
    return joined


def _dateline_place(span: Span, places: Places) -> Span | None:
    """ "BEVERLY HILLS, Calif.", "Halifax, Nova Scotia": a dateline's place, then its region."""
    head = span.text.partition(", ")[0]
    link = places.link_of(head) or places.link_of(head.title())
    return Span(span.start, span.start + len(head), LOC, head, link) if link is not None else None


def _cut(span: Span, text: str, tickers: Sequence[tuple[int, int]], places: Places) -> Iterable[Span]:
    """The span without line breaks, tickers, trailing numbers and leading non-name words; split at a
    spaced dash into the parts that are names on their own."""
    if tickers and any(start < span.end and span.start < end for start, end in tickers):
        return
    place = _dateline_place(span, places) if ", " in span.text else None
    if place is not None:
        yield place
        return
    if "\n" in span.text or " (" in span.text or _DASH.search(span.text):
        broken, offset = "\n" in span.text, span.start
        for piece in _BREAK.split(span.text):
            part = piece.removeprefix("The ") if broken else piece
            start = text.find(part, offset, span.end) if part else -1
            if start < 0:
                continue
            offset = start + len(part)
            link = places.link_of(part)
            if link is not None:
                yield Span(start, offset, LOC, part, link)
            elif broken or " " in part:  # after a dash, one word alone is more often a score or a label
                yield from _cut(Span(start, offset, span.type, part), text, tickers, places)
        return
    trailing = _TRAILING_NUMBERS.search(span.text) or _TRAILING_LOWER.search(span.text)
    end = date_free_end(text, span.start, span.start + (trailing.start() if trailing else len(span.text)))
    start, end = _owner_or_owned(text, span, end, places)
    while start < end and text[start] in _LEADING_JUNK:  # "- Blair" from a headline's dash
        start += 1
    while end > start and text[end - 1] in _TRAILING_JUNK:  # "Toshiba Machine Co Ltd>" before a ticker
        end -= 1
    if start >= _INITIAL_WIDTH and _INITIAL_BEFORE.fullmatch(text, start - _INITIAL_WIDTH, start):
        start -= _INITIAL_WIDTH  # "S. Defence Department" read out of "U.S. Defence Department": the whole name
    start = _after_opener(text, start, end, span.type, places)
    if span.type is PERSON:
        start = _person_start(text, start, end, places)
    if end > start and not is_date_only(text[start:end]):
        yield Span(
            start, end, span.type, text[start:end], span.link if (start, end) == (span.start, span.end) else None
        )


def _owner_or_owned(text: str, span: Span, end: int, places: Places) -> tuple[int, int]:
    """A span holding a possessive and a name after it: a person is the owner ("Andy Murray's Grand Slam", "Jeff
    Bezos's Blue Origin"); an organisation after a place, or after a name the article also writes on its own, is
    what they own ("South Korea's Ministry of Finance", "Braun's Ithaca Holdings"), and after a common noun or a
    firm's possessive name one name ("People's Party", "Children's Fund", "Moody's Investors Service")."""
    possessive = _INNER_POSSESSIVE.search(text, span.start, end)
    if possessive is None:
        return span.start, end
    if span.type is PERSON:
        return span.start, possessive.end() - 1
    owner, owned = text[span.start : possessive.start()], text[possessive.end() : end]
    if places.link_of(owner) is not None:
        return possessive.end(), end
    if owned in _FIRM_SUFFIXES or owner.rsplit(" ", 1)[-1] in _NAMING_OWNERS or not _named_alone(text, owner):
        return span.start, end  # "McDonald's Corp", "People's Party", "Moody's Investors Service": one name
    return possessive.end(), end  # "Braun's Ithaca Holdings", "Xi's Communist Party": the owner is found alone


def _named_alone(text: str, owner: str) -> bool:
    """The article names the owner without a possessive too ("Scooter Braun", "Xi said"): a name of its own,
    where a firm named with a possessive ("Moody's said") is written with it every time."""
    return re.search(rf"(?<![\w'\u2019]){re.escape(owner)}(?![\w'\u2019])", text) is not None


def _after_opener(text: str, start: int, end: int, kind: EntityType, places: Places) -> int:
    """Where a name begins after a sentence opener ("Nevertheless Franz Ferdinand", "However Ford") or, for a
    person or firm, a place's possessive ("Britain's Dixons Group PLC": the firm; the country is found alone)."""
    first, _, rest = text[start:end].partition(" ")
    if not rest:
        return start
    if first.rstrip(",") in _SENTENCE_OPENERS or (
        kind is not LOC and first.endswith(("'s", "\u2019s")) and places.link_of(first[:-2]) is not None
    ):
        return start + len(first) + 1
    if rest.startswith("The ") and zipf(first.lower()) >= _COMMON_WORD_ZIPF and not is_given_name(first):
        return start + len(first) + 5  # "Follow The New York Times", "Read The Guardian": a verb, then the name
    return start


def _person_start(text: str, start: int, end: int, places: Places) -> int:
    """Where a person's name begins inside a span: after roles, honorifics, nationalities and a verb form
    opening a sentence ("Describing", "Asked")."""
    words = text[start:end].split(" ")
    while len(words) > 1:
        first = words[0]
        lowered = first.lower().rstrip(".")
        droppable = (
            lowered in _ROLE_WORDS
            or first in _HONORIFICS
            or places.is_demonym(first)
            or (first in _NATIONALITY_NOUNS and len(words) > 2)  # "Finn Heikki Kovalainen"; "Finn Russell" stays
            or (first.endswith(("ing", "ed")) and zipf(lowered) >= _COMMON_WORD_ZIPF)
        )
        if not droppable:
            break
        start += len(first) + 1
        words = words[1:]
    return start


def _in_name(char: str) -> bool:
    return char.isalnum() or char in "-_"


def _shouted(name: str) -> bool:
    """All-caps text that is more than an acronym: two words, or one longer than five letters."""
    if not name.isupper():  # str.isupper: every cased character upper, and at least one
        return False
    return " " in name or sum(char.isalpha() for char in name) > 5


def _retyped(span: Span, places: Places, surnames: set[str]) -> Span | None:
    """Types by the name's shape (see each type's rule); None when it is no entity."""
    if span.type is LOC and not span.link:
        return _place_retyped(span, places)
    if span.type is PERSON:
        return _person_retyped(span, places, surnames)
    if span.type is ORG and span.text.split()[-1] not in _ORG_ENDS:
        return _organisation_retyped(span, places)
    return span


def _venue_retyped(span: Span, text: str) -> Span | None:
    """A "person" named like a venue, a street or an institution is one ("Heinz Field", "Rod Laver Arena", "Kelly
    Mill Road", "Ashley Middle School"); a word that is also a surname ("Sally Field", "Charlotte Church") counts
    only after "at", "in" or "on", or after two or more words. A parade or a report is no entity ("Rose Parade",
    "the Mitchell Report")."""
    words = span.text.split()
    last = words[-1]
    if len(words) < 2 or last not in _VENUE_WORDS:
        return span
    after_at = _AT_BEFORE.search(text, max(0, span.start - 4), span.start) is not None
    if last in _SURNAME_VENUE_WORDS and len(words) < 3 and not after_at:
        return span
    kind = _VENUE_WORDS[last]
    return None if kind is None else Span(span.start, span.end, kind, span.text)


def _place_retyped(span: Span, places: Places) -> Span | None:
    """A place ending in an organisation word is an organisation; a nationality is not a place."""
    if span.text.split()[-1] in _ORG_ENDS:
        return Span(span.start, span.end, ORG, span.text)
    return None if places.is_demonym(span.text) else span


def _person_retyped(span: Span, places: Places, surnames: set[str]) -> Span:
    """A "person" ending in a club word is a club ("Manchester United"); one word that is a place, neither a
    surname here nor after a title ("Lord Irvine"), is the place the model misread ("Surrey", "Benin": county
    sides, national teams)."""
    if span.text.split()[-1] in _CLUB_ENDS or span.text.split()[-1] in _FIRM_ENDS:
        return Span(span.start, span.end, ORG, span.text)
    link = places.link_of(span.text) if " " not in span.text and span.text not in surnames else None
    return Span(span.start, span.end, LOC, span.text, link) if link is not None else span


def _organisation_retyped(span: Span, places: Places) -> Span:
    """An organisation that is a country is the place (a national team); one shaped like a person's name is
    a person (the model reads athletes in results lists as clubs)."""
    link = places.link_of(span.text)
    if link is not None and link.startswith("iso:"):
        return Span(span.start, span.end, LOC, span.text, link)
    first, _, rest = span.text.partition(" ")
    if rest and places.is_demonym(first) and looks_like_a_person(rest):
        return Span(span.end - len(rest), span.end, PERSON, rest)
    last = span.text.rsplit(" ", 1)[-1]
    if looks_like_a_person(span.text) and last not in _FIRM_ENDS and last not in _CLUB_ENDS:
        return Span(span.start, span.end, PERSON, span.text)  # not "Piper Aircraft"
    return span
