"""Articles written for the dedup index tests, and their candidates."""

from __future__ import annotations

import hashlib

from news_ingest.index import Candidate
from news_ingest.sketch import MinHasher, shingles

HASHER = MinHasher(permutations=64)
STORY = (
    "The port authority said the harbour would reopen on Tuesday after a week of storms that damaged two "
    "piers and sank a fishing boat. Ferry operators expect normal timetables by the weekend, a spokeswoman "
    "said, while repairs to the northern breakwater will take until the spring. The mayor thanked the crews."
)
OTHER = (
    "The central bank kept its key interest rate unchanged on Wednesday, citing stubborn food prices and a "
    "weaker currency, and said it would watch wage talks in the public sector closely before moving again."
)


def candidate(text: str, *, source: str, url: str | None = None, generation: int = 100) -> Candidate:
    hashes = shingles(text, words=3)
    return Candidate(
        source=source,
        article_id=hashlib.blake2b(f"{url or source}\n{text}".encode(), digest_size=16).hexdigest(),
        canonical_url=url or f"https://a.example/{source}",
        content_hash=hashlib.blake2b(text.encode(), digest_size=16).hexdigest(),
        signature=HASHER.signature(hashes),
        lede_signature=HASHER.signature(shingles(" ".join(text.split()[:60]), words=3)),
        shingle_count=int(hashes.size),
        generation=generation,
    )
