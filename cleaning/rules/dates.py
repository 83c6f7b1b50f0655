"""Date and byline lines: "July 23, 2012 Read time: 1 min", "입력 2024-03-04 10:32",
"By Jane Doe, CNN", "김철수 기자 kimcs@hankyung.com", and a scraper's " date 2023-11-10 <title>" header.

A dateline is a line made of nothing but dates, times and meta words; its first date becomes the
document's ``published`` date (ISO) when none is known.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Iterator

from .chrome import lang_list
from .page import Memo, Page, Tag

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MON = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sept|sep|oct|nov|dec)[a-z]*\.?"
_DATE_PATTERNS = [
    re.compile(_MON + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d{2})\b", re.I),
    re.compile(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+" + _MON + r",?\s+(?P<y>(?:19|20)\d{2})\b", re.I),
    re.compile(r"(?<![\d.,])(?P<y>(?:19|20)\d{2})\s*[-./]\s*(?P<m>\d{1,2})\s*[-./]\s*(?P<d>\d{1,2})(?![\d,])\.?"),
    # US order 11/19/2019 (day-first 19/11/2019 is taken when the month would be > 12).
    re.compile(r"(?<![\d/])(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>(?:19|20)\d{2})(?![\d/])"),
    re.compile(r"(?P<y>(?:19|20)\d{2})\s*년\s*(?P<m>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일"),
]
# What else may stand on a date line: times, am/pm, time zones, weekdays, "2 hours ago", reading time.
_FILLER_PATTERNS = [
    r"T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?",  # ISO 8601 time part
    r"\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?\s?m\.?(?![a-z]))?",
    r"(?<![\w-])(?:gmt|utc|kst|est|edt|cst|cdt|pst|pdt|et|pt|bst|cet|cest|jst)(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?(?![\w-])",
    r"(?<![\w-])(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?\.?(?![\w-])",
    r"[(\[]\s*[월화수목금토일]\s*[)\]]",
    r"\d+\s*(?:hours?|hrs?|minutes?|mins?|days?|seconds?|secs?|weeks?)\s+ago",
    r"(?<![\w-])\d{1,3}\s*(?:min(?:ute)?s?|분)(?![\w-])",
]
# Every date pattern above has a year (?:19|20)\d{2}: a line without one has no date (a gate that
# spares the five patterns' scans on most lines; tests check every pattern still has the year).
_YEAR = re.compile(r"(?:19|20)\d{2}")
_TIME = re.compile(r"\d{1,2}:\d{2}")
_READING_TIME = re.compile(r"read(?:ing)?\s*time|min(?:ute)?s?\s+read|읽는\s*시간|분\s*읽기", re.I)
_SEPARATORS = " \t\u3000\u00a0|·•,:;/-–—()[]<>"
_DIGIT = re.compile(r"\d")
_HEADER = re.compile(r"\A[ \t\ufeff]*date[ \t]+(\d{4}-\d{2}-\d{2})(?:[ \t]|\Z)")


def _iso(y: str, m: int, d: str) -> str | None:
    try:
        return date(int(y), m, int(d)).isoformat()
    except ValueError:
        return None


def find_dates(s: str) -> list[tuple[int, int, str]]:
    """(start, end, ISO date) of every valid calendar date in ``s``, in order, not overlapping."""
    found: list[tuple[int, int, str]] = []
    if not _YEAR.search(s):
        return found
    for rx in _DATE_PATTERNS:
        for m in rx.finditer(s):
            if any(a < m.end() and m.start() < b for a, b, _ in found):
                continue
            g = m.groupdict()
            month = _MONTHS[g["mon"].lower()] if g.get("mon") else int(g["m"])
            iso = _iso(g["y"], month, g["d"])
            if iso is None and not g.get("mon") and "/" in m.group():
                iso = _iso(g["y"], int(g["d"]), str(month))  # 19/11/2019
            if iso:
                found.append((m.start(), m.end(), iso))
    return sorted(found)


class _DateLineParser:
    """Splits a line into dates, filler and what is left over (the residue pieces)."""

    def __init__(self, cfg: dict[str, Any]) -> None:
        words = sorted({w.casefold() for w in lang_list(cfg, "date_words")}, key=len, reverse=True)
        alt = "|".join(re.escape(w) for w in words)
        word_rx = rf"(?<![\w-])(?:{alt})(?![\w-])" if alt else r"(?!x)x"
        self.filler = re.compile("|".join(_FILLER_PATTERNS + [word_rx]), re.I)
        self.meta = re.compile(word_rx, re.I)
        self.memo = Memo()

    def parse(self, s: str) -> tuple[list[str], list[str], bool]:
        """(ISO dates, residue pieces, has reading-time note)."""
        hit = self.memo.get(s)
        if hit is None:
            hit = self._parse(s)
            self.memo.put(s, hit)
        return hit  # type: ignore[no-any-return]

    def _parse(self, s: str) -> tuple[list[str], list[str], bool]:
        reading = bool(_READING_TIME.search(s))
        dates = find_dates(s)
        if not dates and not reading and not _TIME.search(s):
            return [], [s], False
        chars = list(s)
        for a, b, _ in dates:
            chars[a:b] = ["\x00"] * (b - a)
        masked = "".join(chars)
        masked = self.filler.sub(lambda m: "\x00" * len(m.group()), masked)
        pieces = [p.strip(_SEPARATORS) for p in re.split(r"\x00+|\s\|\s", masked)]
        return [iso for _, _, iso in dates], [p for p in pieces if p], reading


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


_PARSERS: dict[int, tuple[dict[str, Any], _DateLineParser]] = {}


def _parser_for(cfg: dict[str, Any]) -> _DateLineParser:
    """One parser (and its memo) shared by the dateline and byline rules of a config."""
    hit = _PARSERS.get(id(cfg))
    if hit is None or hit[0] is not cfg:
        if len(_PARSERS) > 16:
            _PARSERS.clear()
        hit = (cfg, _DateLineParser(cfg))
        _PARSERS[id(cfg)] = hit
    return hit[1]


class HeaderRule:
    """The ``date 2023-11-10 <title>`` first line some scrapers write. The extract stage normally
    splits it off; if it reaches cleaning anyway, it is removed and its date kept."""

    name = "header"

    def __init__(self, cfg: dict[str, Any]) -> None:
        pass

    def tag(self, page: Page) -> Iterator[Tag]:
        """The header line at the top, and any copies of it right below (a scraper that wrote
        the header twice): taking the whole run in one pass keeps cleaning idempotent."""
        for ln in page.lines:
            if ln.blank:
                continue
            m = _HEADER.match(ln.text) if page.free(ln.index) else None
            iso = _iso(m.group(1)[:4], int(m.group(1)[5:7]), m.group(1)[8:10]) if m else None
            if not iso:
                return
            yield Tag(ln.index, ln.index, self.name, iso)


class _DateValueRule:
    """A line rule whose verdict carries a value (the ISO date found on the line, if any)."""

    name: str

    def value(self, stripped: str, n_words: int | None = None) -> tuple[bool, str | None]:
        raise NotImplementedError

    def verdict(self, stripped: str, n_words: int | None = None) -> tuple[bool, str | None]:
        return self.value(stripped, n_words)

    def tag(self, page: Page) -> Iterator[Tag]:
        for ln in page.lines:
            if page.free(ln.index) and not ln.blank:
                ok, iso = self.value(ln.stripped)
                if ok:
                    yield Tag(ln.index, ln.index, self.name, iso)


class DatelineRule(_DateValueRule):
    """Lines holding only a date (and times, weekdays, "Updated", "Read time: 1 min", "송고")."""

    name = "dateline"

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.parser = _parser_for(cfg)
        self.max_words = int(cfg["dateline"]["max_words"])

    def value(self, stripped: str, n_words: int | None = None) -> tuple[bool, str | None]:
        if not _DIGIT.search(stripped) or (len(stripped.split()) if n_words is None else n_words) > self.max_words:
            return False, None
        dates, residue, reading = self.parser.parse(stripped)
        # "Updated at 1:23 p.m." has no date but is still a timestamp line.
        timestamp = bool(_TIME.search(stripped)) and self.parser.meta.search(stripped) is not None
        if residue or not (dates or reading or timestamp):
            return False, None
        return True, (dates[0] if dates else None)



class BylineRule(_DateValueRule):
    """Standalone bylines ("By Jane Doe, CNN", "Interview by Lee Min-ji | May 2, 2024",
    "김철수 기자 kimcs@hankyung.com"); a date on the line becomes ``published``."""

    name = "byline"

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.parser = _parser_for(cfg)
        self.max_words = int(cfg["byline"]["max_words"])
        self.max_line_words = int(cfg["dateline"]["max_words"])
        prefixes = sorted({p.casefold() for p in lang_list(cfg, "byline_prefixes")}, key=len, reverse=True)
        self.prefixes = prefixes
        self.name_suffixes = frozenset(lang_list(cfg, "byline_name_suffixes"))
        titles = sorted({t.casefold() for t in lang_list(cfg, "byline_titles")}, key=len, reverse=True)
        name = r"[A-Z][\w'’.]*(?:-[\w'’.]+)*"
        names = rf"{name}(?:\s+{name}){{0,3}}"
        title = "|".join(re.escape(t) for t in titles) or r"(?!x)x"
        self.patterns = [re.compile(p) for p in lang_list(cfg, "byline_patterns")]
        if prefixes:
            pre = "|".join(re.escape(p) for p in prefixes)
            self.patterns.append(re.compile(
                rf"^(?i:{pre})\s+{names}(?:\s*(?:,|(?i:and)|&)\s*{names})*"
                rf"(?:\s*,\s*(?:(?i:{title})|{names}))?\s*$"))

    def author(self, stripped: str) -> str | None:
        """The name(s) a byline line gives, for an empty ``author``: "By Heekyong Yang and
        Joyce Lee, Reuters | May 2, 2024" -> "Heekyong Yang; Joyce Lee", "워싱턴=김철수 특파원
        kimcs@hankyung.com" -> "김철수". None when the line is not a byline or names no one."""
        if len(stripped.split()) > self.max_line_words:
            return None
        text = stripped
        if not self.is_byline(text):
            dates, residue, _ = self.parser.parse(text)
            if not (dates and len(residue) == 1 and self.is_byline(residue[0])):
                return None
            text = residue[0]
        text = _EMAIL.sub(" ", text).strip()
        folded = text.casefold()
        for prefix in self.prefixes:
            if folded.startswith(prefix) and folded[len(prefix):len(prefix) + 1].isspace():
                text = text[len(prefix):].strip()
                break
        text = text.rsplit("=", 1)[-1]          # "워싱턴=김철수 특파원": a place before the name
        text = re.split(r"\s*[,|/]\s*", text.strip(), maxsplit=1)[0]  # ", CNN", "| Reuters"
        words = text.split()
        while words and words[-1] in self.name_suffixes:
            words.pop()
        names = [n.strip() for n in re.split(r"\s+(?i:and)\s+|\s*&\s*", " ".join(words)) if n.strip()]
        names = [n for n in names if any(ch.isalpha() for ch in n) and not any(ch.isdigit() for ch in n)
                 and len(n.split()) <= 4]
        return "; ".join(names) or None

    def is_byline(self, s: str, n_words: int | None = None) -> bool:
        return ((len(s.split()) if n_words is None else n_words) <= self.max_words
                and any(p.match(s) for p in self.patterns))

    def value(self, stripped: str, n_words: int | None = None) -> tuple[bool, str | None]:
        if n_words is None:
            n_words = len(stripped.split())
        if n_words > self.max_line_words:
            return False, None
        if self.is_byline(stripped, n_words):
            return True, None
        if not _YEAR.search(stripped):  # no year, no date (find_dates), so no dated byline
            return False, None
        dates, residue, _ = self.parser.parse(stripped)
        if dates and len(residue) == 1 and self.is_byline(residue[0]):
            return True, dates[0]
        return False, None

