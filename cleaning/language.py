"""Language identification: langdetect, made deterministic, checked against the script.

``detect_language`` tags a document with an ISO 639-1 code (or ``und``) and the probability of
that language; ``language_rejection`` turns a code outside ``language.keep`` into a Rejection.
Settings: ``cleaning/config/language.toml``.

Three things langdetect does not do on its own, done here:

* Determinism. langdetect draws random n-grams; with no seed two runs disagree on borderline
  texts. We build our own ``DetectorFactory`` (profiles loaded in sorted order, seed set on the
  factory) and every detector reseeds itself before each detection, so the answer for a text
  does not depend on what was detected before it, in which order, or in which process.
* Scripts first. langdetect labels most Traditional Chinese news ``ko``; Hangul, Han and Kana
  counts decide between ko/ja/zh whenever CJK letters dominate (see ``_script_language``).
* Bounded cost. Long texts are detected on evenly spread slices (``representative_sample``),
  and per-paragraph shares on at most ``max_paragraphs`` clipped paragraphs.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from langdetect import DetectorFactory
from langdetect.detector_factory import PROFILES_DIRECTORY
from langdetect.lang_detect_exception import LangDetectException

from .config import Config
from .document import Document, Rejection
from .scripts import ScriptCounts, count_scripts

# The brief's rule for any code path that still uses langdetect's module-level helpers.
DetectorFactory.seed = 0

UNDETERMINED = "und"
# langdetect's only non-ISO-639-1 labels.
_ISO_639_1 = {"zh-cn": "zh", "zh-tw": "zh"}
_PARAGRAPH_SPLIT_RE = re.compile(r"\n\s*")
# URLs and e-mail addresses carry no language evidence (langdetect drops them too), so their
# letters must not lift a text over the minimum length.
_URL_EMAIL_RE = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.]+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """One identification: code, probability, which method decided, and why when ``und``."""

    language: str
    score: float
    method: str  # "langdetect" | "script" | "none"
    raw: str | None = None  # langdetect's own top label, when it ran
    variant: str | None = None  # "zh-tw" / "zh-cn" when langdetect said so
    reason: str | None = None  # why the language is und, or why the script overrode langdetect


@lru_cache(maxsize=4)
def _factory(seed: int) -> DetectorFactory:
    """A private, seeded factory: profiles in sorted order so language indices never vary."""
    factory = DetectorFactory()
    names = sorted(os.listdir(PROFILES_DIRECTORY))
    profiles = []
    for name in names:
        with open(os.path.join(PROFILES_DIRECTORY, name), encoding="utf-8") as fh:
            profiles.append(fh.read())
    factory.load_json_profile(profiles)
    factory.set_seed(seed)
    return factory


def _settings(config: Config) -> dict[str, Any]:
    try:
        return config["language"]
    except KeyError as exc:
        raise KeyError("config has no [language] table; load it with cleaning.config.load_config()") from exc


def langdetect_probabilities(text: str, seed: int = 0, n_trial: int = 7) -> list[tuple[str, float]]:
    """langdetect's ranked (label, probability) list for ``text``; raises LangDetectException.

    ``n_trial`` is how many random walks langdetect averages (its default is 7); each costs
    about the same, so fewer trials are proportionally cheaper.
    """
    detector = _factory(seed).create()
    detector.n_trial = n_trial
    detector.set_max_text_length(len(text) + 1)  # the caller already bounded the text
    detector.append(text)
    return [(p.lang, p.prob) for p in detector.get_probabilities()]


def representative_sample(text: str, sample_chars: int, slices: int) -> str:
    """Up to ``sample_chars`` characters taken as ``slices`` windows spread from start to end.

    Why slices and not the first N characters: a lead paragraph can be a quote in another
    language and trailers sit at the end; windows at the start, middle(s) and end see the
    whole document at a bounded cost. Window edges move to the nearest whitespace (at most
    40 characters) so words are not cut in half.
    """
    if len(text) <= sample_chars or slices < 1:
        return text
    width = sample_chars // slices
    last_start = len(text) - width
    pieces = []
    for i in range(slices):
        start = last_start * i // (slices - 1) if slices > 1 else 0
        end = start + width
        if start > 0:
            ws = _next_space(text, start, 40)
            start = ws if ws is not None else start
        if end < len(text):
            ws = text.rfind(" ", max(start, end - 40), end)
            nl = text.rfind("\n", max(start, end - 40), end)
            cut = max(ws, nl)
            end = cut if cut > start else end
        pieces.append(text[start:end].strip())
    return "\n".join(p for p in pieces if p)


def _next_space(text: str, pos: int, limit: int) -> int | None:
    for i in range(pos, min(len(text), pos + limit)):
        if text[i].isspace():
            return i + 1
    return None


def _script_language(counts: ScriptCounts, script: dict[str, Any]) -> tuple[str, float] | None:
    """ko / ja / zh from the letters' scripts, or None when CJK letters do not dominate.

    Kana is only Japanese; Hangul only Korean; Han alone is Chinese. Returns the code and the
    share of CJK characters that decided it (used as the score when langdetect disagreed).
    """
    if counts.cjk == 0 or counts.cjk_share < script["cjk_min_share"]:
        return None
    kana = counts.share_of_cjk(counts.kana)
    hangul = counts.share_of_cjk(counts.hangul)
    if kana >= script["kana_min_share"] and kana >= hangul:
        return "ja", round(counts.share_of_cjk(counts.kana + counts.han), 4)
    if hangul >= script["hangul_min_share"]:
        return "ko", round(hangul, 4)
    return "zh", round(counts.share_of_cjk(counts.han), 4)


def _min_letters(counts: ScriptCounts, cfg: dict[str, Any]) -> int:
    """Letters needed before detection is trusted: fewer for Hangul/Han/Kana-dominant text."""
    cjk_text = counts.letters > 0 and counts.cjk_share >= cfg["script"]["cjk_min_share"]
    return cfg["min_letters_cjk"] if cjk_text else cfg["min_letters"]


def identify(text: str, config: Config, need_score: bool = True, n_trial: int | None = None) -> LanguageGuess:
    """Identify the language of one (already bounded) piece of text.

    Order: too few letters (outside URLs and e-mail addresses) → ``und``; otherwise langdetect;
    then the script check, which overrides a CJK label (or any label) when Hangul/Han/Kana
    dominate and disagree with it. With ``need_score=False`` a text the script decides skips
    langdetect entirely (score = script share): per-paragraph shares need no probability.
    ``n_trial`` overrides ``language.n_trial`` (paragraph detection uses fewer trials).
    """
    cfg = _settings(config)
    text = _URL_EMAIL_RE.sub(" ", text)
    counts = count_scripts(text)
    minimum = _min_letters(counts, cfg)
    if counts.letters < minimum:
        return LanguageGuess(
            UNDETERMINED, 0.0, "none",
            reason=f"too_short: {counts.letters} letters < {minimum} needed for detection",
        )
    if not need_score:
        by_script = _script_language(counts, cfg["script"])
        if by_script is not None:
            return LanguageGuess(by_script[0], by_script[1], "script")
    try:
        ranked = langdetect_probabilities(text, cfg["seed"], n_trial or cfg["n_trial"])
    except LangDetectException as exc:
        ranked = []
        failure = f"langdetect failed: {exc}"
    else:
        failure = "langdetect returned no language"
    # Fold zh-cn/zh-tw into zh, summing their probabilities.
    folded: dict[str, float] = {}
    for label, prob in ranked:
        code = _ISO_639_1.get(label, label)
        folded[code] = folded.get(code, 0.0) + prob
    raw = ranked[0][0] if ranked else None
    variant = raw if raw in _ISO_639_1 else None

    by_script = _script_language(counts, cfg["script"])
    if by_script is not None:
        code, script_share = by_script
        top = max(folded, key=lambda c: (folded[c], c)) if folded else None
        if top == code:
            return LanguageGuess(code, round(folded[code], 4), "langdetect", raw, variant)
        reason = (
            f"script override: langdetect said {raw or 'nothing'}, letters are "
            f"Hangul {counts.share_of_cjk(counts.hangul):.0%}, Han {counts.share_of_cjk(counts.han):.0%}, "
            f"Kana {counts.share_of_cjk(counts.kana):.0%} of CJK"
        )
        # The script is the evidence here: report the stronger of the two confidences.
        score = max(folded.get(code, 0.0), script_share)
        # Variant from langdetect's best zh-* label, if it offered one at all.
        variant = next((label for label, _ in ranked if label in _ISO_639_1), None) if code == "zh" else None
        return LanguageGuess(code, round(score, 4), "script", raw, variant, reason)
    if not folded:
        return LanguageGuess(UNDETERMINED, 0.0, "none", reason=failure)
    top = max(folded, key=lambda c: (folded[c], c))
    return LanguageGuess(top, round(folded[top], 4), "langdetect", raw, variant)


def paragraphs(text: str) -> list[str]:
    """Non-empty lines: cleaned news text has one paragraph per line (blank lines optional)."""
    return [p.strip() for p in _PARAGRAPH_SPLIT_RE.split(text) if p.strip()]


def language_shares(text: str, config: Config) -> dict[str, float] | None:
    """Character shares of each language over the document's paragraphs, or None if not long.

    Only paragraphs with enough letters count; at most ``max_paragraphs`` of them, evenly
    spread, are detected (each on its first ``max_chars`` characters, with ``n_trial``
    langdetect trials), and each weighs by its full length. Paragraphs in Hangul/Han/Kana are
    decided by their script alone, with no langdetect call. Sorted by share, then code, so
    the output is byte-stable.
    """
    cfg = _settings(config)
    par = cfg["paragraphs"]
    if len(text) < par["min_chars"]:
        return None
    usable = []
    for p in paragraphs(text):
        counts = count_scripts(_URL_EMAIL_RE.sub(" ", p))
        if counts.letters >= _min_letters(counts, cfg):
            usable.append(p)
    if len(usable) < 2:
        return None
    if len(usable) > par["max_paragraphs"]:
        step = (len(usable) - 1) / (par["max_paragraphs"] - 1) if par["max_paragraphs"] > 1 else 0
        usable = [usable[round(i * step)] for i in range(par["max_paragraphs"])]
    weights: dict[str, int] = {}
    for p in usable:
        guess = identify(p[: par["max_chars"]], config, need_score=False, n_trial=par["n_trial"])
        if guess.language == UNDETERMINED:
            continue
        weights[guess.language] = weights.get(guess.language, 0) + len(p)
    total = sum(weights.values())
    if not total:
        return None
    ranked = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))
    return {code: round(w / total, 4) for code, w in ranked}


def detect_language(doc: Document, config: Config) -> Document:
    """A copy of ``doc`` with ``language`` (ISO 639-1 or ``und``) and ``language_score`` set.

    Metadata added: ``language_shares`` for long documents, ``language_reason`` when the
    language is ``und`` or the script check overrode langdetect, ``language_variant``
    (zh-tw/zh-cn) when known. The input document is not modified.
    """
    cfg = _settings(config)
    text = doc.text.strip()
    sample = representative_sample(text, cfg["sample_chars"], cfg["sample_slices"])
    guess = identify(sample, config)
    metadata = dict(doc.metadata)
    for key in ("language_shares", "language_reason", "language_variant"):
        metadata.pop(key, None)
    if guess.reason:
        metadata["language_reason"] = guess.reason
    if guess.variant:
        metadata["language_variant"] = guess.variant
    if guess.language != UNDETERMINED:
        shares = language_shares(text, config)
        if shares:
            metadata["language_shares"] = shares
    return replace(doc, language=guess.language, language_score=guess.score, metadata=metadata)


def kept_languages(config: Config) -> list[str] | None:
    """The ``language.keep`` list, or None for "all" (validated: a typo is an error, not a filter)."""
    keep = _settings(config).get("keep", "all")
    if keep == "all":
        return None
    if isinstance(keep, str) or not all(isinstance(k, str) for k in keep):
        raise ValueError(f'language.keep must be "all" or a list of ISO 639-1 codes, got {keep!r}')
    bad = [k for k in keep if not (re.fullmatch(r"[a-z]{2}", k) or k == UNDETERMINED)]
    if bad:
        raise ValueError(f"language.keep has {bad}: use ISO 639-1 codes (zh for zh-cn and zh-tw) or 'und'")
    return sorted(keep)


def language_rejection(doc: Document, config: Config) -> Rejection | None:
    """A ``language`` Rejection when the document's language is not in ``language.keep``.

    Documents not yet detected are detected here (without modifying them).
    """
    keep = kept_languages(config)
    if keep is None:
        return None
    if doc.language is None:
        doc = detect_language(doc, config)
    if doc.language in keep:
        return None
    score = doc.language_score if doc.language_score is not None else 0.0
    detail = f"detected {doc.language} (score {score:.4f}), not in language.keep {keep}"
    if doc.language == UNDETERMINED and doc.metadata.get("language_reason"):
        detail += f"; {doc.metadata['language_reason']}"
    return Rejection(doc.id, doc.source, "language", detail, doc.language, doc.url)
