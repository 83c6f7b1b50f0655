"""Language identification (placeholder: replaced by the Language issue)."""

from __future__ import annotations

from dataclasses import replace

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

from .config import Config
from .document import Document, Rejection

DetectorFactory.seed = 0


def detect_language(doc: Document, config: Config) -> Document:
    try:
        best = detect_langs(doc.text[:2000])[0]
        return replace(doc, language=best.lang, language_score=round(best.prob, 4))
    except LangDetectException:
        return replace(doc, language="und", language_score=0.0)


def language_rejection(doc: Document, config: Config) -> Rejection | None:
    return None
