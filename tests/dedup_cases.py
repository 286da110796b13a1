"""Articles written for the dedup index tests, and their candidates."""

from __future__ import annotations

import hashlib

from news_ingest.config import DedupSettings
from news_ingest.deduplicate.index import Candidate
from news_ingest.deduplicate.sketch import Hashes, OnePermutationHasher, Signatures, distinct_counts, shingles, words
from news_ingest.deduplicate.terms import Terms, story_terms

HASHER = OnePermutationHasher(bins=64)
STORY = (
    "The port authority said the harbour would reopen on Tuesday after a week of storms that damaged two "
    "piers and sank a fishing boat. Ferry operators expect normal timetables by the weekend, a spokeswoman "
    "said, while repairs to the northern breakwater will take until the spring. The mayor thanked the crews."
)
OTHER = (
    "The central bank kept its key interest rate unchanged on Wednesday, citing stubborn food prices and a "
    "weaker currency, and said it would watch wage talks in the public sector closely before moving again."
)


# One event told by two outlets in their own words, and a similar but different event (a hard negative).
FIRE = (
    "Firefighters in Valparaiso battled a forest fire that destroyed about 120 homes on the hills above the port "
    "city on Saturday, Chilean officials said. President Gabriel Boric declared a state of emergency for the "
    "Valparaiso region and sent army units to help evacuate residents."
)
FIRE_RETOLD = (
    "A wildfire tore through hillside neighbourhoods of Valparaiso overnight, burning some 120 houses. Chile's "
    "president Gabriel Boric announced emergency measures for the region as soldiers and firefighters fought the "
    "blaze near the port."
)
OTHER_FIRE = (
    "Firefighters in Marseille battled a forest fire that forced the evacuation of 300 people from the northern "
    "suburbs on Sunday, French officials said. The prefect of Bouches-du-Rhone closed two motorways and asked "
    "residents of Les Pennes-Mirabeau to stay indoors."
)
HOUR = 3600.0


def word_ids(text: str) -> Hashes:
    return words(text).ids


def signature(text: str) -> Signatures:
    """One text's signature (3-word shingles)."""
    hashes, owners = shingles([word_ids(text)], size=3)
    return HASHER.signatures(hashes, owners, 1)[0]


def shingle_count(text: str) -> int:
    hashes, owners = shingles([word_ids(text)], size=3)
    return int(distinct_counts(hashes, owners, 1)[0])


def term_id(word: str) -> bytes:
    """The id ``salient_terms`` gives a (lower-cased, stripped) word in the whole-text view: its word id's upper
    52 bits."""
    return (int(word_ids(word)[0]) >> 12).to_bytes(8, "big")


def text_terms(title: str | None, body: str, *, language: str | None, top: int) -> Terms:
    """The story vector the dedup stage builds for one article."""
    return story_terms([title or ""], [body], [words(title or "")], [words(body)], [language], top=top)[0]


def candidate(
    text: str, *, source: str, url: str | None = None, generation: int = 100, timestamp: float | None = None
) -> Candidate:
    """A candidate as the dedup stage builds it; its time is a minute into its generation (of 6 hours, the
    default) unless given."""
    return Candidate(
        source=source,
        article_id=hashlib.blake2b(f"{url or source}\n{text}".encode(), digest_size=16).hexdigest(),
        canonical_url=url or f"https://a.example/{source}",
        content_hash=hashlib.blake2b(text.encode(), digest_size=16).hexdigest(),
        signature=signature(text),
        lede_signature=signature(" ".join(text.split()[:60])),
        shingle_count=shingle_count(text),
        generation=generation,
        terms=text_terms(None, text, language="en", top=DedupSettings().story_terms),
        timestamp=generation * 6 * 3600 + 60.0 if timestamp is None else timestamp,
    )
