"""The service's sketch against datasketch: Jaccard estimates on labelled article pairs, and cost per article.

Pairs come from the public sets under ../shared/data (skipped when absent):
- copies: BBC News articles and their generated syndicated copies (retitled+trimmed, abridged, respelled),
  the same generator ``news-ingest eval dedup --bbc`` uses;
- same event: two ECB+ articles of one gold cluster (different write-ups, low overlap);
- hard negatives: two ECB+ articles of one topic but different events.
For each pair the true Jaccard of the two 3-word-shingle sets is computed exactly; each sketch (64 values)
estimates it. Reported: bias and RMSE of the estimate, and how often "estimate >= near_jaccard" agrees with
"true >= near_jaccard" (the near-duplicate decision). Cost: microseconds per article to turn shingle hashes
into a signature (datasketch: ``MinHash.update_batch``, 64 permutations; ours: one batch call), and the whole
sketch path of the service (words, shingles, signatures of body and lede, salient terms).
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import random
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import orjson
from datasketch import MinHash

from news_ingest.config import DedupSettings
from news_ingest.deduplicate.sketch import OnePermutationHasher, jaccard, shingles, words_of
from news_ingest.evaluation.dedup import bbc_syndication

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BBC = DATA / "bbc-news" / "articles.jsonl.gz"
ECBPLUS = DATA / "ecbplus-clusters" / "ecbplus_docs.jsonl.gz"
PAIRS_PER_GROUP = 3_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    args = parser.parse_args()
    settings = DedupSettings()
    groups = {name: pairs for name, pairs in (("copies", copy_pairs()), *ecbplus_pairs()) if pairs}
    if not groups:
        print("sketch accuracy: no labelled data under ../shared/data; skipped")
        return
    result: dict[str, object] = {"benchmark": "sketch", "bins": settings.permutations}
    result["accuracy"] = {name: accuracy(pairs, settings) for name, pairs in groups.items()}
    texts = [text for pairs in groups.values() for pair in pairs for text in pair][:2_000]
    result["cost"] = cost(texts, settings)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "sketch.json").write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    report(result)


def report(result: dict[str, object]) -> None:
    print(f"sketch accuracy, {result['bins']} values per signature (estimate - true Jaccard of 3-word shingles):")
    for group, figures in result["accuracy"].items():
        print(f"  {group}: {figures['pairs']} pairs, mean true Jaccard {figures['mean_true_jaccard']}")
        for name, value in figures.items():
            if isinstance(value, dict):
                agreement = value["near_decision_agreement"]
                print(f"    {name:28} bias {value['bias']:+.4f}  RMSE {value['rmse']:.4f}  "
                      f"'near' (>= threshold) agrees with truth {agreement:.2%}")  # fmt: skip
    cost = result["cost"]
    print(f"signature cost ({cost['articles']} articles, mean {cost['mean_chars']} chars):")
    for name, micros in cost["signature_us_per_article"].items():
        print(f"  {name:42} {micros:8.1f} us per article")


def copy_pairs() -> list[tuple[str, str]]:
    if not BBC.exists():
        return []
    docs = bbc_syndication(BBC, limit=1_000)
    originals = {doc.id: doc.body for doc in docs if "~" not in doc.id}
    pairs = [(originals[doc.id.split("~")[0]], doc.body) for doc in docs if "~" in doc.id and "repost" not in doc.id]
    return random.Random(1).sample(pairs, min(PAIRS_PER_GROUP, len(pairs)))


def ecbplus_pairs() -> list[tuple[str, list[tuple[str, str]]]]:
    if not ECBPLUS.exists():
        return []
    with gzip.open(ECBPLUS) as lines:
        records = [orjson.loads(line) for line in lines if line.strip()]
    by_topic: dict[int, list[dict[str, str]]] = defaultdict(list)
    for record in records:
        if record.get("text"):
            by_topic[int(record["topic"])].append(record)
    same, different = [], []
    for members in by_topic.values():
        for first, second in itertools.combinations(members, 2):
            (same if first["cluster_id"] == second["cluster_id"] else different).append((first["text"], second["text"]))
    pick = random.Random(2)
    return [("same event", pick.sample(same, min(PAIRS_PER_GROUP, len(same)))),
            ("hard negatives", pick.sample(different, min(PAIRS_PER_GROUP, len(different))))]  # fmt: skip


def shingle_sets(texts: list[str], settings: DedupSettings) -> list[np.ndarray]:
    found = words_of(texts)
    hashes, owners = shingles([w.ids for w in found], size=settings.shingle_words)
    cuts = np.searchsorted(owners, np.arange(len(texts) + 1))
    return [np.unique(hashes[cuts[n] : cuts[n + 1]]) for n in range(len(texts))]


def datasketch_signature(hashes: np.ndarray, bins: int) -> MinHash:
    signature = MinHash(num_perm=bins, seed=1)
    signature.update_batch([value.to_bytes(8, "big") for value in hashes.tolist()])
    return signature


def accuracy(pairs: list[tuple[str, str]], settings: DedupSettings) -> dict[str, object]:
    bins, threshold = settings.permutations, settings.near_jaccard
    firsts = shingle_sets([a for a, _ in pairs], settings)
    seconds = shingle_sets([b for _, b in pairs], settings)
    ours = OnePermutationHasher(bins=bins)
    truth, estimates = [], {"service (one-permutation)": [], "datasketch MinHash": []}
    for a, b in zip(firsts, seconds, strict=True):
        union = np.union1d(a, b).size
        truth.append(np.intersect1d(a, b).size / union if union else 1.0)
        rows = ours.signatures(np.concatenate((a, b)), np.repeat([0, 1], [a.size, b.size]), 2)
        estimates["service (one-permutation)"].append(jaccard(rows[0], rows[1]))
        estimates["datasketch MinHash"].append(datasketch_signature(a, bins).jaccard(datasketch_signature(b, bins)))
    true = np.array(truth)
    report: dict[str, object] = {"pairs": len(pairs), "mean_true_jaccard": round(float(true.mean()), 4),
                                 "true_near_pairs": int((true >= threshold).sum())}  # fmt: skip
    for name, values in estimates.items():
        estimate = np.array(values)
        report[name] = {
            "bias": round(float((estimate - true).mean()), 4),
            "rmse": round(float(np.sqrt(((estimate - true) ** 2).mean())), 4),
            "near_decision_agreement": round(float(((estimate >= threshold) == (true >= threshold)).mean()), 4),
        }
    return report


def cost(texts: list[str], settings: DedupSettings) -> dict[str, object]:
    bins, batch = settings.permutations, 500
    sets = shingle_sets(texts, settings)
    started = time.perf_counter()
    for hashes in sets:
        datasketch_signature(hashes, bins)
    datasketch_us = (time.perf_counter() - started) / len(texts) * 1e6
    ours = OnePermutationHasher(bins=bins)
    started = time.perf_counter()
    for start in range(0, len(sets), batch):
        chunk = sets[start : start + batch]
        owners = np.repeat(np.arange(len(chunk)), [s.size for s in chunk])
        ours.signatures(np.concatenate(chunk), owners, len(chunk))
    ours_us = (time.perf_counter() - started) / len(texts) * 1e6
    return {
        "articles": len(texts),
        "mean_chars": sum(map(len, texts)) // len(texts),
        "signature_us_per_article": {
            "datasketch MinHash (update_batch)": round(datasketch_us, 1),
            "service (one-permutation, batch of 500)": round(ours_us, 1),
        },
    }


if __name__ == "__main__":
    main()
