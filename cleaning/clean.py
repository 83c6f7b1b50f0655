"""Trailer and boilerplate removal with an auditable record of every removal.

Dolma-style: the rules in ``cleaning/rules/`` only *tag* whole lines of the pre-cleaning text
with their names; ``clean_text`` applies the tags in one place. Each removed span becomes a
``Removal(rule, text, start, end)`` with offsets into the pre-cleaning text, and the cleaned text
is exactly the concatenation of the kept pieces, so ``rebuild_original`` restores the input byte
for byte and ``explain_removals`` can show a person what went and why.

Cleaning repeats on its own output until a pass removes nothing (``max_passes``): removing junk
can change what the topical rules see, and the fixed point is what makes cleaning idempotent.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Iterator

from .config import Config, config_fingerprint, default_config
from .document import Document, Removal, rebuild_original
from .rules import BylineRule, Page, Rule, Tag, build_rules, lang_list
from .rules.page import Memo

__all__ = [
    "CleanResult", "clean_document", "clean_text", "explain_document", "explain_removals",
    "removal_counts", "reset_line_caches", "trailer_marker_patterns",
]

_DATE_RULES = ("header", "dateline", "byline")


@dataclass(slots=True)
class CleanResult:
    """The cleaned text, what was removed (offsets into the input), and what the removed lines
    told us: ``published`` (ISO date from a dateline) and ``metadata`` (``photo_credits``)."""

    text: str
    removed: list[Removal] = field(default_factory=list)
    published: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    author: str | None = None


_MISS = object()


class _LineRuleRun:
    """Consecutive rules that judge each line alone (they have ``verdict(stripped, n_words)``: nav,
    dateline, byline, promo, photo_credit, ticker) run as one loop over the lines with one cache
    of the whole run's answer per line: a free line goes to the first rule whose verdict is yes,
    exactly as when the rules run one after another, and the tags are yielded rule by rule, in
    line order, so the page records them in the same order too. The line's word count
    (``len(stripped.split())``, which most of these rules check) is counted once for all."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self.verdicts = [r.verdict for r in rules]  # type: ignore[attr-defined]
        self.names = [r.name for r in rules]
        self.memo = Memo()

    def _answer(self, stripped: str) -> tuple[int, str | None] | None:
        n_words = len(stripped.split())
        for k, verdict in enumerate(self.verdicts):
            hit, value = verdict(stripped, n_words)
            if hit:
                return k, value
        return None

    def tag(self, page: Page) -> Iterator[Tag]:
        found: list[list[Tag]] = [[] for _ in self.rules]
        owner = page.owner
        memo = self.memo
        for ln in page.lines:
            if ln.blank or owner[ln.index] >= 0:
                continue
            ans = memo.get(ln.stripped, _MISS)
            if ans is _MISS:
                ans = self._answer(ln.stripped)
                memo.put(ln.stripped, ans)
            if ans is not None:
                found[ans[0]].append(Tag(ln.index, ln.index, self.names[ans[0]], ans[1]))
        for tags in found:
            yield from tags


def _plan(rules: list[Rule]) -> list[Rule | _LineRuleRun]:
    """The rules in order, runs of two or more line rules joined into one ``_LineRuleRun``."""
    plan: list[Rule | _LineRuleRun] = []
    run: list[Rule] = []
    for rule in [*rules, None]:
        if rule is not None and callable(getattr(rule, "verdict", None)):
            run.append(rule)
            continue
        if len(run) >= 2:
            plan.append(_LineRuleRun(run))
        else:
            plan.extend(run)
        run = []
        if rule is not None:
            plan.append(rule)
    return plan


@dataclass(frozen=True, slots=True)
class _Compiled:
    rules: list[Rule]
    max_passes: int
    plan: list[Rule | _LineRuleRun] = field(default_factory=list)


_DEFAULT: Config | None = None
_CACHE: dict[str, _Compiled] = {}
_LAST: tuple[object, _Compiled] | None = None


def _clean_table(config: Config | None) -> dict[str, Any]:
    global _DEFAULT
    if config is None or "clean" not in config:
        if _DEFAULT is None:
            _DEFAULT = default_config()
        return _DEFAULT["clean"]
    return config["clean"]


def _compiled(config: Config | None) -> _Compiled:
    """Rules built once per distinct ``[clean]`` table (patterns are compiled in the rules'
    constructors); the same dict object skips even the fingerprint."""
    global _LAST
    table = _clean_table(config)
    if _LAST is not None and _LAST[0] is table:
        return _LAST[1]
    key = config_fingerprint(table)
    comp = _CACHE.get(key)
    if comp is None:
        rules = build_rules(table)
        comp = _Compiled(rules, max(1, int(table.get("max_passes", 4))), _plan(rules))
        if len(_CACHE) > 32:
            _CACHE.clear()
        _CACHE[key] = comp
    _LAST = (table, comp)
    return comp


def reset_line_caches(config: Config | None = None) -> None:
    """Forget the rules' per-line verdict caches (benchmarks use it to time cold documents)."""
    comp = _compiled(config)
    for step in comp.plan:
        if isinstance(step, _LineRuleRun):
            step.memo.clear()
    for rule in comp.rules:
        for obj in [rule, getattr(rule, "vocab", None), getattr(rule, "parser", None)]:
            for value in vars(obj).values() if obj is not None and hasattr(obj, "__dict__") else []:
                if isinstance(value, Memo):
                    value.clear()


def _one_pass(text: str, rules: list[Rule | _LineRuleRun]) -> tuple[list[tuple[int, int, str]], str | None, list[str]]:
    """Run every rule over ``text``: (spans to remove, first date found, photo credits)."""
    page = Page.from_text(text)
    for rule in rules:
        for tag in rule.tag(page):
            page.claim(tag)
    spans: list[tuple[int, int, str]] = []
    owners: list[int] = []
    for ln in page.lines:
        o = page.owner[ln.index]
        if o < 0:
            continue
        if owners and owners[-1] == o and spans[-1][1] == ln.start:
            spans[-1] = (spans[-1][0], ln.end, spans[-1][2])
        else:
            spans.append((ln.start, ln.end, page.tags[o].rule))
            owners.append(o)
    used = sorted(set(owners), key=lambda o: page.tags[o].first)
    published = next((page.tags[o].value for o in used
                      if page.tags[o].rule in _DATE_RULES and page.tags[o].value), None)
    credits = [page.tags[o].value or "" for o in used if page.tags[o].rule == "photo_credit"]
    return spans, published, credits


def _map_back(spans: list[tuple[int, int, str]], segments: list[tuple[int, int]],
              original: str) -> tuple[list[Removal], list[tuple[int, int]]]:
    """Translate spans of the current (already cleaned) text to the original text.

    ``segments`` are the kept intervals of the original whose concatenation is the current text.
    A span may cover several segments (it then yields one Removal per original piece)."""
    removals: list[Removal] = []
    kept: list[tuple[int, int]] = []
    si = 0
    cur = 0  # current-text offset where segments[si] starts
    for a, b in segments:
        length = b - a
        seg_cur_end = cur + length
        pos = a  # next original position of this segment still to be decided
        while si < len(spans) and spans[si][0] < seg_cur_end:
            s, e, rule = spans[si]
            lo = max(s, cur)
            hi = min(e, seg_cur_end)
            if lo < hi:
                oa, ob = a + (lo - cur), a + (hi - cur)
                if oa > pos:
                    kept.append((pos, oa))
                removals.append(Removal(rule, original[oa:ob], oa, ob))
                pos = ob
            if e <= seg_cur_end:
                si += 1
            else:
                break
        if pos < b:
            kept.append((pos, b))
        cur = seg_cur_end
    return removals, kept


def clean_text(text: str, config: Config | None = None) -> CleanResult:
    """Clean one string; usable without Prefect. Never raises on any ``str``."""
    if not isinstance(text, str):
        raise TypeError(f"clean_text expects str, got {type(text).__name__}")
    comp = _compiled(config)
    segments = [(0, len(text))] if text else []
    current = text
    removed: list[Removal] = []
    published: str | None = None
    credits: list[str] = []
    for _ in range(comp.max_passes):
        spans, date_found, found_credits = _one_pass(current, comp.plan)
        if not spans:
            break
        published = published or date_found
        credits.extend(found_credits)
        new_removals, segments = _map_back(spans, segments, text)
        removed.extend(new_removals)
        current = "".join(text[a:b] for a, b in segments)
    removed.sort(key=lambda r: r.start)
    metadata: dict[str, Any] = {"photo_credits": credits} if credits else {}
    return CleanResult(text=current, removed=removed, published=published, metadata=metadata,
                       author=_byline_author(removed, comp.rules))


def _byline_author(removed: list[Removal], rules: list[Rule]) -> str | None:
    """The name the first removed byline gives (the byline left the text; its name need not)."""
    byline = next((r for r in rules if isinstance(r, BylineRule)), None)
    if byline is None:
        return None
    for removal in removed:
        if removal.rule == "byline":
            name = byline.author(removal.text.strip())
            if name:
                return name
    return None


def clean_document(doc: Document, config: Config) -> Document:
    """Clean ``doc.text``; removals are appended to ``doc.removed``, a dateline's date becomes
    ``published`` only when none is known, a removed byline's name becomes ``author`` only when none
    is known (``metadata["author_source"] = "byline"``), photo credits go to ``metadata["photo_credits"]``."""
    result = clean_text(doc.text, config)
    metadata = doc.metadata
    if result.metadata.get("photo_credits"):
        metadata = dict(doc.metadata)
        metadata["photo_credits"] = list(metadata.get("photo_credits", [])) + result.metadata["photo_credits"]
    author = doc.author
    if not author and result.author:
        author = result.author
        metadata = dict(metadata)
        metadata["author_source"] = "byline"
    return replace(doc, text=result.text, removed=doc.removed + result.removed,
                   published=doc.published or result.published, author=author, metadata=metadata)


def explain_removals(original_text: str, removed: list[Removal]) -> str:
    """The original text with every removed span marked ``[-rule: text-]`` (line terminators stay
    outside the brackets so the layout is kept). Raises ValueError if a removal does not match
    the text: an audit that silently shows the wrong cut is worse than none."""
    out: list[str] = []
    pos = 0
    for r in sorted(removed, key=lambda r: r.start):
        if r.start < pos or r.end > len(original_text) or original_text[r.start:r.end] != r.text:
            raise ValueError(f"removal {r.rule!r} at {r.start}:{r.end} does not match the original text")
        out.append(original_text[pos:r.start])
        body = r.text
        if not body.strip():  # a collapsed blank-line run: shown as the blank lines it was, not as [-whitespace: -]
            out.append(body)
            pos = r.end
            continue
        newlines = len(body) - len(body.rstrip("\n"))
        body = body[:len(body) - newlines] if newlines else body
        out.append(f"[-{r.rule}: {body}-]" + "\n" * newlines)
        pos = r.end
    out.append(original_text[pos:])
    return "".join(out)


def explain_document(doc: Document) -> str:
    """``explain_removals`` for a cleaned Document: the pre-cleaning text is rebuilt from the kept
    text and the removal records, so the flow need not store the original separately."""
    return explain_removals(rebuild_original(doc.text, doc.removed), doc.removed)


def removal_counts(items: Iterable[Document | Removal | Iterable[Removal]]) -> dict[str, int]:
    """Removals per rule name, sorted by name, over Documents, Removals or lists of Removals
    (what report.json needs)."""
    counts: Counter[str] = Counter()
    for item in items:
        if isinstance(item, Removal):
            counts[item.rule] += 1
        elif isinstance(item, Document):
            counts.update(r.rule for r in item.removed)
        else:
            counts.update(r.rule for r in item)
    return dict(sorted(counts.items()))


def trailer_marker_patterns(config: Config | None = None) -> list[tuple[str, str]]:
    """(name, regex) pairs that find trailer markers still present in a cleaned text, built from
    the same phrase lists the rules use. Anchored to line starts (and, for promos and credits, to
    short lines), so they fire on what the cleaner would remove, not on prose."""
    table = _clean_table(config)
    bullets = "[" + re.escape(table["bullet_chars"]) + r"\s]*"

    def alt(phrases: Iterable[str]) -> str:
        uniq = sorted({p.strip().casefold() for p in phrases if p.strip()}, key=len, reverse=True)
        return "|".join(re.escape(p) for p in uniq)

    short = r"(?=[^\n]{0,200}$)"
    boundary = r"(?![A-Za-z0-9])"
    patterns = [
        ("nav", rf"(?im)^{bullets}(?:{alt(lang_list(table, 'nav_lines'))})[\s:.…]*$"),
        ("trailer_section", rf"(?im)^{bullets}(?:{alt(lang_list(table, 'section_headings'))})[\s:：.…]*$"),
        ("promo", rf"(?im)^{short}{bullets}[\[(<【]?(?:{alt(lang_list(table, 'promo_prefixes'))}){boundary}"),
        ("photo_credit", rf"(?im)^{short}{bullets}(?:{alt(p for p in lang_list(table, 'photo_prefixes') if p.rstrip().endswith((':', '=')))})"),
    ]
    return [(name, rx) for name, rx in patterns if not rx.endswith("(?:)")]
