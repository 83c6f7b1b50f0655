"""Language identification: langdetect, made deterministic, checked against the script.

``detect_language`` tags a document with an ISO 639-1 code (or ``und``) and the probability of
that language; ``language_rejection`` turns a code outside ``language.keep`` into a Rejection.
Settings: ``cleaning/config/language.toml``.

Three things langdetect does not do on its own, done here:

* Determinism. langdetect draws random n-grams; with no seed two runs disagree on borderline
  texts. Every detection seeds its own ``random.Random`` with ``language.seed`` and the
  profiles are loaded in sorted order, so the answer for a text does not depend on what was
  detected before it, in which order, or in which process.
* Scripts first. langdetect labels most Traditional Chinese news ``ko``; Hangul, Han and Kana
  counts decide between ko/ja/zh whenever CJK letters dominate (see ``_script_language``).
* Bounded cost. Long texts are detected on evenly spread slices (``representative_sample``),
  and per-paragraph shares on at most ``max_paragraphs`` clipped paragraphs.

Speed (issue 5: language + filters must not be the slowest text stage). langdetect's own code
took ~20 ms per 500-word document here; ``cleaning.langdetect_engine`` computes the same
probabilities bit for bit 4-8x faster; the document is detected with 3 trials instead of 7;
and a paragraph for ``language_shares`` first gets a cheap naive-Bayes vote over the same
profiles, with langdetect only where the vote disagrees with the document's language. The
measurements behind each setting are in ``cleaning/config/language.toml`` and
``benchmarks/language_quality_bench.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from langdetect import DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

from .config import Config
from .document import Document, Rejection
from .langdetect_engine import engine
from .scripts import CJK_RE, ScriptCounts, count_scripts, line_script_totals

# The project's rule for any code path that still uses langdetect's module-level helpers
# (``langdetect.detect``); detection here goes through ``cleaning.langdetect_engine``.
DetectorFactory.seed = 0

UNDETERMINED = "und"
# langdetect's only non-ISO-639-1 labels.
_ISO_639_1 = {"zh-cn": "zh", "zh-tw": "zh"}
_PARAGRAPH_SPLIT_RE = re.compile(r"\n\s*")
# URLs and e-mail addresses carry no language evidence (langdetect drops them too), so their
# letters must not lift a text over the minimum length.
# The e-mail branch starts only where a run of address characters starts (the lookbehind):
# without it, a long run of word characters before an "@" is rescanned from every position
# (quadratic: 4.2 s for 40,000 characters, minutes for a 300 KB fuzzed text; now linear).
_URL_EMAIL_RE = re.compile(r"(?:https?://|www\.)\S+|(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.]+", re.IGNORECASE)
# Every match of _URL_EMAIL_RE contains one of these; checking first skips its slow e-mail branch.
_URL_EMAIL_HINT_RE = re.compile(r"://|www\.|@", re.IGNORECASE)
# "www." in any case ("w" folds only to "W" under IGNORECASE): the hint as substring tests.
_WWW_FORMS = ("www.", "wwW.", "wWw.", "wWW.", "Www.", "WwW.", "WWw.", "WWW.")


def _has_url_hint(text: str) -> bool:
    """``_URL_EMAIL_HINT_RE.search(text) is not None`` by substring tests (~3x cheaper than the
    case-insensitive alternation on a 3,000-character article; most texts fail the "ww." test)."""
    return "://" in text or "@" in text or ("ww." in text or "wW." in text or "Ww." in text or "WW." in text) \
        and any(form in text for form in _WWW_FORMS)


def _without_urls(text: str) -> str:
    """``text`` with URLs and e-mail addresses blanked (their letters are not language evidence)."""
    return _URL_EMAIL_RE.sub(" ", text) if _has_url_hint(text) else text


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """One identification: code, probability, which method decided, and why when ``und``."""

    language: str
    score: float
    method: str  # "langdetect" | "script" | "none"
    raw: str | None = None  # langdetect's own top label, when it ran
    variant: str | None = None  # "zh-tw" / "zh-cn" when langdetect said so
    reason: str | None = None  # why the language is und, or why the script overrode langdetect


def _settings(config: Config) -> dict[str, Any]:
    try:
        return config["language"]
    except KeyError as exc:
        raise KeyError("config has no [language] table; load it with cleaning.config.load_config()") from exc


def langdetect_probabilities(text: str, seed: int = 0, n_trial: int = 7) -> list[tuple[str, float]]:
    """langdetect's ranked (label, probability) list for ``text``; raises LangDetectException.

    Computed by ``cleaning.langdetect_engine`` (langdetect's profiles and algorithm, the same
    probabilities bit for bit, 4-8x faster: benchmark section 2). ``n_trial`` is how many
    random walks are averaged (langdetect's default is 7); each costs about the same.
    """
    return engine().probabilities(text, seed, n_trial, max_text_length=len(text) + 1)


def langdetect_labels(text: str, seed: int = 0, n_trial: int = 7) -> list[tuple[str, float]]:
    """``langdetect_probabilities`` with the same labels and the same probabilities at the four
    decimals kept, cheaper for the common certain text (``LangdetectEngine.detect``)."""
    return engine().detect(text, seed, n_trial, max_text_length=len(text) + 1)


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
    text = _without_urls(text)
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
        ranked = langdetect_labels(text, cfg["seed"], n_trial or cfg["n_trial"])
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
    """Non-empty lines, stripped: cleaned news text has one paragraph per line (blank lines
    optional). The same list as ``[l.strip() for l in text.split("\\n") if l.strip()]``."""
    return [p.strip() for p in _PARAGRAPH_SPLIT_RE.split(text) if p.strip()]


def _identifiable_lines(text: str, lines: list[str], cfg: dict[str, Any]) -> list[int]:
    """Indices of the lines (``lines`` is ``text.split("\\n")``) with enough letters outside
    URLs to identify.

    A line's letters are ``count_scripts``' (those outside URLs and e-mail addresses, for a line
    that has one), and its threshold ``_min_letters``'. Every line is counted in one pass over
    the text (``line_script_totals``: a table lookup per character in numpy, the same numbers
    as ``count_scripts`` per line; a Python loop over the lines cost ~0.19 ms for a 500-word
    article); only lines holding a URL or e-mail address are counted again without it. A
    line with letters is never blank, so the indices are exactly those of the usable
    ``paragraphs(text)``, in order.
    """
    letters, hangul, han, kana = line_script_totals(text, lines)
    cjk = hangul + han + kana
    # _min_letters per line: the CJK threshold where Hangul/Han/Kana are cjk_min_share of the letters.
    cjk_text = (letters > 0) & (cjk / np.maximum(letters, 1) >= cfg["script"]["cjk_min_share"])
    needed = np.where(cjk_text, cfg["min_letters_cjk"], cfg["min_letters"])
    usable = (letters > 0) & (letters >= needed)
    if _has_url_hint(text):
        for i, line in enumerate(lines):
            if _has_url_hint(line):
                counts = count_scripts(_without_urls(line.strip()))
                usable[i] = counts.letters > 0 and counts.letters >= _min_letters(counts, cfg)
    return np.flatnonzero(usable).tolist()


def _paragraph_languages(selected: list[str], config: Config, expected: str | None) -> list[str]:
    """Each paragraph's language for ``language_shares`` (on its first ``max_chars`` characters):
    script, then vote, then langdetect.

    Hangul/Han/Kana paragraphs are decided by their script. The others get a naive-Bayes vote
    over langdetect's profiles (``LangdetectEngine.votes``, ~0.02 ms a paragraph); when it
    names ``expected`` (the document's language) that is the answer, otherwise langdetect
    decides with ``paragraphs.n_trial`` trials — so a paragraph is only ever labelled foreign
    by langdetect, and a vote can only save time, never add a language.
    """
    cfg = _settings(config)
    par = cfg["paragraphs"]
    labels: list[str | None] = []
    clipped = [p[: par["max_chars"]] for p in selected]
    for text in clipped:
        # No Hangul/Han/Kana at all (one regex scan): the script cannot decide.
        cjk_possible = not text.isascii() and CJK_RE.search(text) is not None
        by_script = _script_language(count_scripts(_without_urls(text)), cfg["script"]) if cjk_possible else None
        labels.append(by_script[0] if by_script is not None else None)
    pending = [i for i, label in enumerate(labels) if label is None]
    if pending and par["vote"] and expected is not None:
        votes = engine().votes([_without_urls(clipped[i]) for i in pending], par["vote_max_ngrams"])
        for i, label in zip(pending, votes):
            if label is not None and _ISO_639_1.get(label, label) == expected:
                labels[i] = expected
    return [label if label is not None
            else identify(text, config, need_score=False, n_trial=par["n_trial"]).language
            for text, label in zip(clipped, labels)]


def language_shares(text: str, config: Config, expected: str | None = None) -> dict[str, float] | None:
    """Character shares of each language over the document's paragraphs, or None if not long.

    Only paragraphs with enough letters count; at most ``max_paragraphs`` of them, evenly
    spread, are labelled (each on its first ``max_chars`` characters, see
    ``_paragraph_languages``; ``expected`` is the document's language, which a cheap vote may
    confirm without langdetect), and each weighs by its full length. Sorted by share, then
    code, so the output is byte-stable.
    """
    cfg = _settings(config)
    par = cfg["paragraphs"]
    if len(text) < par["min_chars"]:
        return None
    lines = text.split("\n")
    usable = _identifiable_lines(text, lines, cfg)
    if len(usable) < 2:
        return None
    if len(usable) > par["max_paragraphs"]:
        step = (len(usable) - 1) / (par["max_paragraphs"] - 1) if par["max_paragraphs"] > 1 else 0
        usable = [usable[round(i * step)] for i in range(par["max_paragraphs"])]
    selected = [lines[i].strip() for i in usable]
    labels = _paragraph_languages(selected, config, expected)
    weights: dict[str, int] = {}
    for p, language in zip(selected, labels):
        if language == UNDETERMINED:
            continue
        weights[language] = weights.get(language, 0) + len(p)
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
        shares = language_shares(text, config, guess.language)
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
    return Rejection.of_document(doc, "language", detail, doc.language, keep)
