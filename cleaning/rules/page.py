"""The shared view every rule reads: the text split into lines, and who has claimed each line.

Rules never edit text (Dolma-style): they return ``Tag``s naming whole lines, and the applier in
``cleaning/clean.py`` turns the tags into removals. Working on whole lines, terminator included,
is what keeps the cleaned text free of stray blank lines and makes every cut easy to audit.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Protocol

_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]+")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*")
_WORD = re.compile(r"\S+")
# A line "ends like a sentence": terminal punctuation, optionally followed by closing quotes/brackets
# (the definition; ends_like_sentence answers the same without a regex search, tests compare them).
_TERMINAL = re.compile(r"[.!?。！？…][\"'”’)\]»]*$|[\"”]$")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(slots=True, unsafe_hash=True)
class Line:
    """One line of the text: ``start``/``end`` are offsets, ``end`` includes the ``\\n``. Treated as
    immutable (hashable by value, as a frozen dataclass is) but not frozen: a frozen dataclass's
    ``__init__`` sets each field through ``object.__setattr__``, and a page makes one per line."""

    index: int
    start: int
    end: int
    text: str  # without the "\n" terminator
    stripped: str
    blank: bool

    @property
    def indented(self) -> bool:
        return bool(self.text) and self.text[0] in " \t\u3000\u00a0"

    @property
    def words(self) -> int:
        return len(self.stripped.split())

    def has_words(self, k: int) -> bool:
        """``self.words >= k``, without splitting off more than k words (the rest stays one piece)."""
        return k <= 0 or len(self.stripped.split(None, k - 1)) >= k


@dataclass(frozen=True, slots=True)
class Tag:
    """A rule's verdict on lines ``first..last`` (inclusive). ``value`` carries what the rule
    learned from the lines (a parsed date, a photo credit) for the document's metadata."""

    first: int
    last: int
    rule: str
    value: str | None = None


@dataclass(slots=True)
class Page:
    text: str
    lines: list[Line]
    owner: list[int] = field(default_factory=list)  # tag index per line, -1 = free
    tags: list[Tag] = field(default_factory=list)

    @classmethod
    def from_text(cls, text: str) -> Page:
        """The lines of ``text``: split at each "\\n" (kept in the line's span); a final "\\n" ends
        the last line rather than starting an empty one, and an empty text has no lines."""
        if not text:
            return cls(text, [], [], [])
        bodies = text.split("\n")
        if not bodies[-1]:  # the text ends with "\n"
            bodies.pop()
        lines: list[Line] = []
        pos = 0
        for index, body in enumerate(bodies):
            end = pos + len(body) + 1
            stripped = body.strip()
            lines.append(Line(index, pos, end, body, stripped, not stripped))
            pos = end
        if pos > len(text):  # no "\n" after the last line
            last = lines[-1]
            lines[-1] = Line(last.index, last.start, len(text), last.text, last.stripped, last.blank)
        return cls(text, lines, [-1] * len(lines), [])

    def free(self, i: int) -> bool:
        return self.owner[i] < 0

    def free_content(self) -> list[Line]:
        """Unclaimed non-blank lines: what is left of the article for rules that compare."""
        return [ln for ln in self.lines if self.owner[ln.index] < 0 and not ln.blank]

    def claim(self, tag: Tag) -> None:
        """Record a tag; lines another rule already claimed keep their first owner."""
        idx = len(self.tags)
        self.tags.append(tag)
        for i in range(tag.first, tag.last + 1):
            if self.owner[i] < 0:
                self.owner[i] = idx


class Rule(Protocol):
    """A rule tags lines of a page; it never edits text."""

    name: str

    def tag(self, page: Page) -> Iterable[Tag]: ...


# ---- small text helpers shared by the rules -------------------------------------------------


def normalize_phrase(line: str, bullet_chars: str) -> str:
    """Lowercased line without leading bullets, surrounding brackets and trailing ':' '…' '!' '.'
    ("Stay connected with me!" is the nav line "stay connected with me")."""
    return " ".join(_phrase_core(line, bullet_chars).split())


def _phrase_core(line: str, bullet_chars: str) -> str:
    s = line.strip().casefold()
    s = s.lstrip(bullet_chars + " \t\u3000\u00a0")
    if s[:1] in "[【<(" and s[-1:] in "]】>)" and len(s) > 2:
        s = s[1:-1].strip()
    return s.rstrip(" \t:：…|>»›!").rstrip(".").rstrip()


def normalize_phrase_upto(line: str, bullet_chars: str, max_words: int) -> str | None:
    """``normalize_phrase(line, bullet_chars)`` when it has at most ``max_words`` words, else None
    (then it is not empty): a caller that only compares short phrases need not split and join a
    whole paragraph. The phrase has at most as many words as ``line`` (casefold moves no
    whitespace, and only characters at the ends go)."""
    words = _phrase_core(line, bullet_chars).split(None, max_words)
    return None if len(words) > max_words else " ".join(words)


def phrase_prefix_regex(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One regex matching any of ``phrases`` at the start of a string, each ending at a word
    boundary when it ends in a letter or digit ("read more" must not match "read moreover")."""
    alts = []
    for p in sorted({p for p in phrases if p}, key=len, reverse=True):
        tail = r"(?![a-z0-9])" if p[-1].isascii() and p[-1].isalnum() else ""
        alts.append(re.escape(p) + tail)
    return re.compile("|".join(alts)) if alts else None


class Memo(dict):  # type: ignore[type-arg]
    """A bounded per-rule cache of line verdicts: the same lines come back in the second
    (verification) pass and across documents ("Advertisement", "Share this article")."""

    def __init__(self, limit: int = 50_000) -> None:
        super().__init__()
        self.limit = limit

    def put(self, key: object, value: object) -> None:
        if len(self) >= self.limit:
            self.clear()
        self[key] = value


class ContentMemo(Memo):
    """Tags of a rule that reads nothing but the texts of the page's free non-blank lines (their
    order included) and tags only those lines, kept by those texts joined with "\\n" (no stripped
    line holds one, so the key is the list). The verification pass usually sees the same content
    again (the first pass's cuts were made by the rules before this one or were blank lines), as
    does an exact copy of a document. Positions are stored relative to the content, so the tags
    land on the right lines whatever the page's line numbers are now."""

    def __init__(self, limit: int = 256) -> None:  # keys are whole texts: keep few
        super().__init__(limit)

    def tags(self, content: list[Line], compute: Callable[[list[Line]], Iterable[Tag]]) -> Iterator[Tag]:
        key = "\n".join([ln.stripped for ln in content])
        hit = self.get(key)
        if hit is None:
            pos = {ln.index: k for k, ln in enumerate(content)}
            hit = [(pos[t.first], pos[t.last], t.rule, t.value) for t in compute(content)]
            self.put(key, hit)
        for a, b, rule, value in hit:
            yield Tag(content[a].index, content[b].index, rule, value)


def starts_with_phrase(norm: str, phrase: str) -> bool:
    """``norm`` starts with ``phrase`` and the phrase ends at a word boundary (Latin letters only)."""
    if not norm.startswith(phrase):
        return False
    nxt = norm[len(phrase):len(phrase) + 1]
    return not (nxt.isascii() and nxt.isalnum()) or not phrase[-1:].isalnum()


_TERMINALS = ".!?。！？…"
_CLOSERS = "\"'”’)]»"


def ends_like_sentence(s: str) -> bool:
    """``_TERMINAL`` at the end of ``s.rstrip()``, read from the end instead of searched for from
    every position (the same answer; it runs on most lines of every page)."""
    s = s.rstrip()
    if s.endswith(('"', "”")):
        return True
    s = s.rstrip(_CLOSERS)
    return bool(s) and s[-1] in _TERMINALS


def has_hangul(s: str) -> bool:
    # an ASCII string (str.isascii reads a flag, it does not scan) holds no Hangul
    return not s.isascii() and _HANGUL.search(s) is not None


def has_latin(s: str) -> bool:
    return bool(_LATIN.search(s))


def word_count(s: str) -> int:
    return len(_WORD.findall(s))


class Vocabulary:
    """Content tokens for topical comparisons: Latin words (lowercased, light plural stemming,
    minus stopwords) and Hangul character bigrams. No tokenizer or model needed, any language
    in those scripts works, and it is fast."""

    def __init__(self, stopwords: Iterable[str], min_word_len: int = 3) -> None:
        self.stopwords = frozenset(w.casefold() for w in stopwords)
        self.min_word_len = min_word_len
        self._memo = Memo()

    def tokens(self, text: str) -> list[str]:
        hit = self._memo.get(text)
        if hit is None:
            hit = self._tokens(text)
            self._memo.put(text, hit)
        return hit

    def _tokens(self, text: str) -> list[str]:
        stop = self.stopwords
        min_len = self.min_word_len
        out: list[str] = []
        low = text.lower().replace("’", "'") if "’" in text else text.lower()
        for w in _LATIN_WORD.findall(low):
            if w.endswith("'s"):
                w = w[:-2]
            if len(w) < min_len or w in stop:
                continue
            if len(w) > 4 and w[-1] == "s" and w[-2] != "s":
                w = w[:-1]
            out.append(w)
        if has_hangul(text):
            for run in _HANGUL_RUN.findall(text):
                out.extend(bg for bg in (run[i:i + 2] for i in range(len(run) - 1)) if bg not in stop)
        return out

    def vector(self, texts: Iterable[str]) -> Counter[str]:
        c: Counter[str] = Counter()
        for t in texts:
            c.update(self.tokens(t))
        return c


def cosine(a: Counter[str], b: Counter[str]) -> float:
    """Cosine of sublinear term frequencies (1 + log tf): one repeated word cannot dominate."""
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    wa = {k: 1.0 + math.log(v) for k, v in a.items() if v > 0}
    wb = {k: 1.0 + math.log(v) for k, v in b.items() if v > 0}
    dot = sum(w * wb[k] for k, w in wa.items() if k in wb)
    if dot == 0.0:
        return 0.0
    na = math.sqrt(sum(w * w for w in wa.values()))
    nb = math.sqrt(sum(w * w for w in wb.values()))
    return dot / (na * nb)


def overlap_share(tokens: list[str], body: Counter[str]) -> float:
    """Share of ``tokens`` that occur in ``body`` (0 when there are no tokens)."""
    if not tokens:
        return 0.0
    return sum(1 for t in tokens if body.get(t, 0) > 0) / len(tokens)
