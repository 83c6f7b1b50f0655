"""The one data type that flows through every stage, and the records stages emit about it."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")


def _spell_surrogate(m: re.Match[str]) -> str:
    code = ord(m.group())
    # U+DC80..U+DCFF is how Python keeps an undecodable byte of a file name: show the byte.
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def storable_text(s: str) -> str:
    """``s`` with lone surrogates spelled out (``\\xff``, ``\\ud800``), so it encodes as UTF-8.

    A file name that is not UTF-8 or a JSON ``"\\ud800"`` escape gives a ``str`` that SQLite
    and UTF-8 files refuse; what names or describes an input must always be storable.
    """
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub(_spell_surrogate, s)
    return s


def replace_surrogates(s: str) -> str:
    """``s`` with lone surrogates replaced by U+FFFD: for text written out as UTF-8 JSON, where
    a spelled-out ``\\ud800`` would read back as the same unstorable character."""
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", s)
    return s


@dataclass(frozen=True, slots=True)
class Removal:
    """One span that cleaning removed: which rule, what text, where in the pre-cleaning text.

    ``start``/``end`` are character offsets into the text as it was before cleaning, so
    ``rebuild_original`` can put every removed span back and an auditor can see the exact cut.
    """

    rule: str
    text: str
    start: int
    end: int
    detail: str | None = None  # why, when the rule has more to say (site_boilerplate: site and count)

    def to_dict(self) -> dict[str, Any]:
        out = {"rule": self.rule, "text": self.text, "start": self.start, "end": self.end}
        if self.detail is not None:
            out["detail"] = self.detail
        return out


@dataclass(slots=True)
class Document:
    """A news document as it moves through ingest → extract → clean → language → dedup."""

    id: str
    source: str
    text: str = ""
    url: str | None = None
    title: str | None = None
    published: str | None = None  # ISO date (YYYY-MM-DD) or None
    author: str | None = None
    sitename: str | None = None
    language: str | None = None
    language_score: float | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    removed: list[Removal] = field(default_factory=list)
    cluster_id: str | None = None
    cluster_size: int | None = None

    @property
    def word_count(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why an input did not make it into the corpus. Every input that is not kept or a
    duplicate ends up as exactly one of these; ``reason`` is a stable dotted name
    (``ingest.empty_file``, ``extract.no_content``, ``quality.too_short``, ``language``).

    Rejected after extraction, a row also says what was lost and why, so a user can audit the
    rejected set by language and re-run it with other thresholds: ``value`` (the filter's
    measured number) against ``threshold`` (its configured limit), ``language`` (detected before
    the filters), ``title``, ``word_count`` (script-aware words of ``text``) and ``text`` (the
    text the rule judged: the cleaned text for quality and language rejections, the extracted
    text for ``extract.no_content``). Ingest rejections have no text and leave them None.
    """

    id: str
    source: str
    reason: str
    detail: str
    value: Any = None
    url: str | None = None
    threshold: Any = None
    language: str | None = None
    title: str | None = None
    word_count: int | None = None
    text: str | None = None

    @classmethod
    def of_document(cls, doc: Document, reason: str, detail: str, value: Any = None,
                    threshold: Any = None, word_count: int | None = None) -> Rejection:
        """A rejection of an extracted document, carrying its language, title, length and text."""
        if word_count is None:
            from .scripts import script_word_count

            word_count = script_word_count(doc.text, 1.5)
        return cls(doc.id, doc.source, reason, detail, value, doc.url, threshold, doc.language,
                   doc.title, word_count, doc.text)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A document dropped as a copy of ``duplicate_of`` (which is kept, now or in an earlier run)."""

    id: str
    source: str
    duplicate_of: str
    similarity: float
    method: str  # "exact" | "near"
    url: str | None = None
    cluster_id: str | None = None
    reason: str | None = None
    # Evidence, measured exactly against ``duplicate_of`` (cleaning/dedup/resolve.py): Jaccard and
    # containment of the smaller in the larger on the two feature sets (common features
    # removed), their sizes (this copy, the kept copy), features shared, the rule that passed
    # ("exact_hash" | "jaccard" | "containment") and the dedup settings' version.
    jaccard: float | None = None
    containment: float | None = None
    shingles: int | None = None
    shingles_of: int | None = None
    shared: int | None = None
    rule: str | None = None
    settings_version: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def rebuild_original(text: str, removed: list[Removal]) -> str:
    """Put removed spans back into cleaned ``text``: the inverse of cleaning, for audits.

    Cleaning keeps the text outside the removed spans byte for byte, so inserting each span
    at its ``start`` (in ascending order) restores the pre-cleaning text exactly.
    """
    out: list[str] = []
    pos_clean = 0  # position in cleaned text
    pos_orig = 0  # position in original text
    for r in sorted(removed, key=lambda r: r.start):
        keep_len = r.start - pos_orig
        out.append(text[pos_clean : pos_clean + keep_len])
        pos_clean += keep_len
        out.append(r.text)
        pos_orig = r.end
    out.append(text[pos_clean:])
    return "".join(out)
