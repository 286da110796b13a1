"""The in-memory dedup index beyond the shared contract: time generations, the size cap, the sketch."""

from __future__ import annotations

import contextlib
from dataclasses import replace

from news_ingest.codec import decode_raw
from news_ingest.config import DedupSettings
from news_ingest.deduplicate import snapshot
from news_ingest.deduplicate.footprint import Writes, conflict
from news_ingest.deduplicate.index import BAND_CANDIDATES, Candidate, Thresholds
from news_ingest.deduplicate.memory_index import InMemoryDedupIndex
from news_ingest.deduplicate.stage import Deduplicator
from news_ingest.demo import demo_events
from news_ingest.errors import InputRejected
from news_ingest.models import DedupStatus
from news_ingest.normalise.stage import Normaliser
from news_ingest.records import SourceRecord
from tests.dedup_cases import FIRE, FIRE_RETOLD, OTHER, OTHER_FIRE, STORY, candidate


def windows(**changes: float) -> InMemoryDedupIndex:
    """Sketches for two generations of 6 hours behind the watermark, exact keys for four, no lateness."""
    settings = DedupSettings(window_hours=12, exact_window_hours=24, generation_hours=6, allowed_lateness_hours=0)
    return InMemoryDedupIndex(Thresholds.from_settings(settings.model_copy(update=changes)))


async def move_watermark(index: InMemoryDedupIndex, generation: int, source: str = "raw/0") -> None:
    """Three unrelated articles of one generation on a partition: its front (third highest time) gets there."""
    await index.check_and_insert([candidate(f"filler {generation} {n} " + OTHER, source=f"{source}/f{generation}{n}",
                                            generation=generation) for n in range(3)])  # fmt: skip


async def test_sketches_leave_the_window_before_exact_keys_do() -> None:
    index = windows()
    await index.check_and_insert([candidate(STORY, source="raw/0/1", url="https://a.example/x", generation=10)])
    await move_watermark(index, 12)  # sketch cutoff 11, exact cutoff 9
    assert await index.watermark() == 12 * 6 * 3600 + 60.0
    (edited,) = await index.check_and_insert([candidate(STORY + " Updated.", source="raw/0/2", generation=12)])
    assert edited.status is DedupStatus.UNIQUE  # a near copy: its original's sketch is gone
    (repost,) = await index.check_and_insert([candidate(STORY, source="raw/0/3", url="https://a.example/x",
                                                        generation=12)])  # fmt: skip
    assert (repost.status, repost.method) == (DedupStatus.EXACT_DUPLICATE, "url")  # its URL is not
    await move_watermark(index, 14)  # exact cutoff 11: generation 10 goes whole
    (again,) = await index.check_and_insert([candidate(STORY, source="raw/0/4", url="https://a.example/x",
                                                       generation=14)])  # fmt: skip
    assert again.status is DedupStatus.UNIQUE


async def test_one_partition_running_ahead_expires_nothing_another_still_needs() -> None:
    """Partition 0's backlog is read first, weeks of it; partition 1 then brings copies of its oldest."""
    index = windows()
    await index.track(["raw/0", "raw/1"])
    await index.check_and_insert([candidate(STORY, source="raw/0/1", url="https://a.example/x", generation=10)])
    for generation in range(11, 40):
        await move_watermark(index, generation)
    assert await index.watermark() == float("-inf")  # partition 1 has not delivered: the watermark holds
    (copy,) = await index.check_and_insert([candidate(STORY + " Updated.", source="raw/1/1", generation=10)])
    assert (copy.status, copy.method) == (DedupStatus.NEAR_DUPLICATE, "minhash")


async def test_one_article_dated_ahead_does_not_move_the_watermark() -> None:
    index = windows()
    await index.check_and_insert([candidate(STORY, source="raw/0/1", url="https://a.example/x", generation=10)])
    await index.check_and_insert([candidate(OTHER, source="raw/0/2", generation=30)])  # a wrong date, far ahead
    await move_watermark(index, 10)
    assert await index.watermark() == 10 * 6 * 3600 + 60.0  # the third highest time: generation 10's
    (copy,) = await index.check_and_insert([candidate(STORY + " Updated.", source="raw/0/3", generation=10)])
    assert copy.status is DedupStatus.NEAR_DUPLICATE


async def test_a_silent_partition_stops_holding_the_watermark() -> None:
    now = [1_000.0]
    settings = DedupSettings(window_hours=12, generation_hours=6, allowed_lateness_hours=0, idle_partition_seconds=60)
    index = InMemoryDedupIndex(Thresholds.from_settings(settings), clock=lambda: now[0])
    await index.track(["raw/0", "raw/1"])
    await move_watermark(index, 20)
    assert await index.watermark() == float("-inf")
    now[0] += 61  # partition 1 assigned a minute ago and never heard from; partition 0 delivers again
    await move_watermark(index, 21)
    assert await index.watermark() == 21 * 6 * 3600 + 60.0


async def test_max_entries_drops_the_oldest_generation_whole() -> None:
    bounded = InMemoryDedupIndex(Thresholds.from_settings(DedupSettings(max_entries=3)))
    texts = [" ".join(f"story{n}word{k}" for k in range(40)) for n in range(6)]  # six unrelated articles
    await bounded.check_and_insert([candidate(t, source=f"raw/0/{n}", generation=n) for n, t in enumerate(texts)])
    assert await bounded.size() == 3
    (again,) = await bounded.check_and_insert([candidate(texts[0], source="raw/0/9", generation=6)])
    assert again.status is DedupStatus.UNIQUE  # the oldest article was dropped to respect the cap


def at(found: Candidate, generation: int) -> Candidate:
    """The candidate moved to a generation (of 6 hours), its time with it."""
    return replace(found, generation=generation, timestamp=generation * 6 * 3600 + 60.0)


def demo_candidates(normaliser: Normaliser) -> list[Candidate]:
    """The demo stream's articles as candidates, in stream order."""
    settings = DedupSettings()
    deduplicate = Deduplicator(index=InMemoryDedupIndex(Thresholds.from_settings(settings)), settings=settings)
    articles = []
    for offset, value in enumerate(demo_events()):
        record = SourceRecord(topic="raw", partition=0, offset=offset, key=None, value=value)
        with contextlib.suppress(InputRejected):  # the malformed ones
            articles.append((f"raw/0/{offset}", normaliser(decode_raw(record, max_message_bytes=100_000))))
    return deduplicate.candidates(articles)


async def test_sealed_generations_decide_exactly_as_open_ones(normaliser: Normaliser) -> None:
    """One generation (never sealed) against a new generation every few articles, some arriving late for an
    older one: every article is judged against sealed segments too, and replays come back from them."""
    stream = demo_candidates(normaliser)
    spread = [at(c, 103 + n // 6 - (3 if n % 7 == 6 else 0)) for n, c in enumerate(stream)]
    generations = {c.generation for c in spread}
    assert len(generations) > 8
    assert max(generations) - min(generations) < 12
    settings = DedupSettings()
    flat, sealed = (
        InMemoryDedupIndex(Thresholds.from_settings(settings)),
        InMemoryDedupIndex(Thresholds.from_settings(settings)),
    )
    expected = [d for start in range(0, len(stream), 5) for d in await flat.check_and_insert(stream[start : start + 5])]
    got = [d for start in range(0, len(spread), 5) for d in await sealed.check_and_insert(spread[start : start + 5])]
    assert got == expected
    assert {d.status for d in got} == set(DedupStatus)
    assert await sealed.size() == await flat.size()
    assert await sealed.check_and_insert(spread) == expected  # every offset re-consumed: its first decision


async def test_sealing_a_generation_shrinks_the_memory_it_holds() -> None:
    index = InMemoryDedupIndex(Thresholds.from_settings(DedupSettings()))
    texts = [" ".join(f"story{n}word{k}" for k in range(60)) for n in range(300)]
    await index.check_and_insert([candidate(t, source=f"raw/0/{n}", generation=10) for n, t in enumerate(texts)])
    stories = index._stories.memory_bytes()  # stories are kept apart (not sealed): compare the rest
    open_bytes = await index.memory_bytes() - stories
    await index.check_and_insert([candidate(OTHER, source="raw/0/999", generation=11)])  # seals generation 10
    assert await index.size() == 301
    assert await index.memory_bytes() - index._stories.memory_bytes() < open_bytes / 2
    (copy,) = await index.check_and_insert([candidate(texts[5], source="raw/0/1000", url="https://b.example/5",
                                                      generation=11)])  # fmt: skip
    assert (copy.status, copy.method) == (DedupStatus.EXACT_DUPLICATE, "content")


async def test_a_sealed_generation_expires_whole() -> None:
    index = windows()
    await index.check_and_insert([candidate(STORY, source="raw/0/1", url="https://a.example/x", generation=10)])
    await index.check_and_insert([candidate(OTHER, source="raw/0/2", generation=11)])  # seals generation 10
    (sealed,) = await index.check_and_insert([candidate(STORY, source="raw/0/3", url="https://a.example/x",
                                                        generation=11)])  # fmt: skip
    assert (sealed.status, sealed.method) == (DedupStatus.EXACT_DUPLICATE, "url")
    await move_watermark(index, 14)  # exact cutoff 11: generation 10 goes, sealed segments and all
    (late,) = await index.check_and_insert([candidate(STORY, source="raw/0/5", url="https://a.example/x",
                                                      generation=14)])  # fmt: skip
    assert late.status is DedupStatus.UNIQUE
    assert min(index._order) >= 11


async def test_late_arrivals_sealed_batch_after_batch_merge_and_decide_as_one_generation(
    normaliser: Normaliser,
) -> None:
    """A consumer draining one partition after another: every batch brings articles late for a generation
    already sealed. Their small segments merge as they come (a few per generation, not one per batch), and
    every decision is the one a single open generation gives."""
    stream = demo_candidates(normaliser)
    settings = DedupSettings()
    flat, late = (
        InMemoryDedupIndex(Thresholds.from_settings(settings)),
        InMemoryDedupIndex(Thresholds.from_settings(settings)),
    )
    expected = await flat.check_and_insert(stream)
    await late.check_and_insert([at(stream[0], 201)])  # generation 200 is now the past
    head = [at(c, 200) for c in stream[1:]]
    got = [await late.check_and_insert(head[start : start + 2]) for start in range(0, len(head), 2)]
    assert [d for batch in got for d in batch] == expected[1:]
    old = late._generations[200]
    assert sum(segment.size for segment in old.sealed) == await late.size() - 1
    assert len(got) >= 8
    assert len(old.sealed) <= len(got).bit_length()  # merged like a binary counter, not one per batch


async def test_late_exact_copies_alone_still_merge_their_segments() -> None:
    """Batches of nothing but re-sent copies, late for a sealed generation: each seals decisions and no
    article, and those segments merge too."""
    index = InMemoryDedupIndex(Thresholds.from_settings(DedupSettings()))
    await index.check_and_insert([candidate(STORY, source="raw/0/0", url="https://a.example/x", generation=200)])
    await index.check_and_insert([candidate(OTHER, source="raw/1/0", generation=201)])
    copies = [await index.check_and_insert([candidate(STORY, source=f"raw/0/{n}", url="https://a.example/x",
                                                      generation=200)]) for n in range(1, 17)]  # fmt: skip
    assert {d.status for (d,) in copies} == {DedupStatus.EXACT_DUPLICATE}
    assert len(index._generations[200].sealed) <= 3


def test_a_tentative_batch_taken_back_leaves_the_index_deciding_as_if_it_never_came() -> None:
    """Undo restores what deciding changed: new keys, band lists (full ones too), story centroids and postings."""
    limits = Thresholds.from_settings(DedupSettings())
    detoured, straight = InMemoryDedupIndex(limits), InMemoryDedupIndex(limits)
    before = [candidate(STORY, source="raw/0/1"), candidate(FIRE, source="raw/0/2"),
              candidate(OTHER, source="raw/0/3", generation=99)]  # fmt: skip
    before += [candidate(f"{STORY} Copy {n}.", source=f"raw/0/{n + 10}") for n in range(BAND_CANDIDATES + 2)]
    for index in (detoured, straight):
        index.decide(before, now=1.0)
    taken_back = [candidate(STORY + " Updated.", source="raw/1/1"), candidate(FIRE_RETOLD, source="raw/1/2"),
                  candidate(OTHER_FIRE, source="raw/1/3", generation=101),
                  candidate(STORY, source="raw/0/1")]  # fmt: skip
    decided, tentative = detoured.decide_tentatively(taken_back)
    assert {d.status for d, _ in decided} == {DedupStatus.NEAR_DUPLICATE, DedupStatus.UNIQUE}
    assert tentative.reads.grown, "a story started or moved"
    detoured.undo(tentative)
    assert snapshot.dump(detoured) == snapshot.dump(straight)
    after = [candidate(OTHER_FIRE, source="raw/2/1", generation=101), candidate(FIRE_RETOLD, source="raw/2/2"),
             candidate(STORY + " Updated.", source="raw/2/3")]  # fmt: skip
    assert detoured.decide(after, now=2.0) == straight.decide(after, now=2.0)


def test_a_tentative_batch_that_stands_is_closed_as_decide_would_close_it() -> None:
    limits = Thresholds.from_settings(DedupSettings())
    tentative, decided = InMemoryDedupIndex(limits), InMemoryDedupIndex(limits)
    batch = [candidate(STORY, source="raw/0/1", generation=100), candidate(FIRE, source="raw/0/2", generation=101)]
    answers, _ = tentative.decide_tentatively(batch)
    tentative.close_batch(batch, now=3.0)
    assert answers == decided.decide(batch, now=3.0)
    assert snapshot.dump(tentative) == snapshot.dump(decided)


def test_deciding_again_after_a_batch_landed_first_redecides_only_what_it_touched_and_matches_deciding_afresh() -> None:
    limits = Thresholds.from_settings(DedupSettings())
    window = limits.stories.window_seconds
    replica, reference = InMemoryDedupIndex(limits), InMemoryDedupIndex(limits)
    seen = [candidate(FIRE, source="raw/0/1"), candidate(OTHER, source="raw/0/2")]
    for index in (replica, reference):
        index.decide(seen, now=1.0)
    landed = [candidate(STORY, source="raw/1/1", url="https://a.example/x")]
    batch = [candidate(f"{OTHER_FIRE} Item {n}.", source=f"raw/2/{n}", url=f"https://o.example/{n}") for n in range(4)]
    batch.append(candidate(STORY + " Updated.", source="raw/2/9", url="https://b.example/y"))  # the landed one's copy
    earlier, tentative = replica.decide_tentatively(batch)
    assert earlier[-1][0].status is DedupStatus.UNIQUE, "its original not seen yet"
    replica.undo(tentative)
    writes = Writes()
    replica.apply(landed, reference.decide(landed, now=2.0), now=2.0, writes=writes)
    assert conflict(tentative.reads, writes, window_seconds=window) == "keys"
    again, _, count = replica.decide_again(batch, earlier, tentative.reads, writes, window_seconds=window)
    replica.close_batch(batch, now=3.0)
    assert again == reference.decide(batch, now=3.0)
    assert again[-1][0].status is DedupStatus.NEAR_DUPLICATE
    assert count == 1, "the others read nothing the landed batch wrote"
    assert snapshot.dump(replica) == snapshot.dump(reference)
