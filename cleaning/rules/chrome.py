"""Phrase-list rules over single lines: navigation/chrome, inline promos, photo credits.

The phrases are data (``[clean.lang.*]`` in clean.toml). Every match is limited to short lines,
so the same words inside an article sentence never trigger a removal.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Iterator

from .gate import GatedPattern, GateScreen, anchored_union, fold_for_gates
from .page import Memo, Page, Tag, ends_like_sentence, has_hangul, normalize_phrase, normalize_phrase_upto, phrase_prefix_regex


_KO_SENTENCE = re.compile(r"다[.!?][\"'”’)]*$")


def lang_list(cfg: dict[str, Any], key: str) -> list[str]:
    """One phrase list merged over every configured language (sorted by language code)."""
    out: list[str] = []
    for lang in sorted(cfg.get("lang", {})):
        out.extend(str(v) for v in cfg["lang"][lang].get(key, []))
    return out


def substring_regex(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One search for "any of these strings occurs" (``any(p in s for p in phrases)``), or None
    when there are none (an empty phrase occurs everywhere: then a pattern that always matches)."""
    uniq = sorted(set(phrases), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, uniq))) if uniq else None


def _contains_any(s: str, phrases: tuple[str, ...]) -> bool:
    """``substring_regex(phrases).search(s) is not None``, with ``in`` tests (CPython's fast
    substring search beats a regex alternation tried at every position by about 2x)."""
    for p in phrases:
        if p in s:
            return True
    return False


class _MemoizedLineMatch:
    """Line rules see the same chrome lines on page after page: remember each line's verdict."""

    memo: Memo

    def matches(self, stripped: str) -> bool:
        hit = self.memo.get(stripped)
        if hit is None:
            hit = self._matches(stripped)
            self.memo.put(stripped, hit)
        return hit

    def _matches(self, stripped: str) -> bool:
        raise NotImplementedError


class NavRule(_MemoizedLineMatch):
    """Navigation and chrome lines: "Skip to main content", "Advertisement", cookie banners,
    share/follow/newsletter calls, copyright lines."""

    name = "nav"

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.bullets = cfg["bullet_chars"]
        self.lines = {normalize_phrase(p, self.bullets) for p in lang_list(cfg, "nav_lines")}
        self.prefixes = phrase_prefix_regex(p.casefold() for p in lang_list(cfg, "nav_prefixes"))
        self.consent = phrase_prefix_regex(p.casefold() for p in lang_list(cfg, "consent_prefixes"))
        self.contains = tuple(p.casefold() for p in lang_list(cfg, "nav_contains"))
        # Whole-line regexes (separators, "Follow X on Twitter", "Reporting by …; Editing by …",
        # affiliate disclosures, paywall prompts); each pattern carries its own shape limits.
        # Each runs only on lines holding the literals it needs (most lines: none of them).
        self.patterns = [GatedPattern(re.compile(p)) for p in lang_list(cfg, "nav_patterns")]
        # The ungated patterns that start with "^" (they fail at the first character) run as one
        # alternation matched at the line start; the gated ones keep their gates, with one screen
        # search in front of all those gates.
        union, rest = anchored_union([p.rx for p in self.patterns if not p.gated])
        self.anchored = union
        self.unanchored = [p for p in self.patterns if p.gated or p.rx in rest] if union is not None else self.patterns
        self.screen = GateScreen(self.unanchored)
        self.ungated = [p for p in self.unanchored if not p.gated]
        self.max_words = int(cfg["nav"]["max_words"])
        self.max_words_consent = int(cfg["nav"]["max_words_consent"])
        # _matches reads the normalized line only when it may equal a nav line or has at most
        # max_words words: a longer one is not built (normalize_phrase_upto gives None)
        self.norm_words = max([self.max_words, *(len(p.split()) for p in self.lines)])
        self.memo = Memo()

    def _matches(self, stripped: str, n_words: int | None = None) -> bool:
        norm = normalize_phrase_upto(stripped, self.bullets, self.norm_words)
        if norm is not None:  # None: more words than any nav line and than max_words (not empty)
            if not norm:
                return False
            if norm in self.lines:
                return True
        if n_words is None:
            n_words = len(stripped.split())
        raw = stripped.casefold().lstrip(self.bullets + " \t<[(")
        if self.consent and n_words <= self.max_words_consent and self.consent.match(raw):
            return True
        if n_words <= self.max_words_consent:
            if self.anchored is not None and "\n" not in stripped and self.anchored.match(stripped):
                return True
            lower = fold_for_gates(stripped)
            # a line the screen rules out fails every gate: only the ungated patterns run
            for p in self.unanchored if self.screen.possible(stripped, lower) else self.ungated:
                if p.gated and not p.passes(stripped, lower):
                    continue
                if p.rx.search(stripped):
                    return True
        if n_words > self.max_words or norm is None:  # (norm has no more words than the line)
            return False
        if self.prefixes and (self.prefixes.match(raw) or self.prefixes.match(norm)):
            return True
        return _contains_any(norm, self.contains)

    def verdict(self, stripped: str, n_words: int | None = None) -> tuple[bool, str | None]:
        """(tags the line?, value): the per-line answer ``cleaning.clean`` caches for a run of line
        rules (``n_words``: ``len(stripped.split())`` when the caller has it)."""
        return self._matches(stripped, n_words), None

    def tag(self, page: Page) -> Iterator[Tag]:
        for ln in page.lines:
            if page.free(ln.index) and not ln.blank and self.matches(ln.stripped):
                yield Tag(ln.index, ln.index, self.name)


class PromoRule(_MemoizedLineMatch):
    """Inline promo lines, also mid-article: "Read more…<headline>", "ALSO READ: …",
    "Click here to …", "▶ 관련기사: …", "…를 구독하세요"."""

    name = "promo"

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.bullets = cfg["bullet_chars"]
        self.prefixes = phrase_prefix_regex(p.casefold() for p in lang_list(cfg, "promo_prefixes"))
        self.contains = tuple(p.casefold() for p in lang_list(cfg, "promo_contains"))
        self.max_words = int(cfg["promo"]["max_words"])
        self.max_words_contains = int(cfg["nav"]["max_words"])
        self.memo = Memo()

    def _matches(self, stripped: str, n_words: int | None = None) -> bool:
        if n_words is None:
            n_words = len(stripped.split())
        if n_words > self.max_words:
            return False
        # A Korean line that ends like a sentence ("…했다.") is article prose, whatever its first word.
        if has_hangul(stripped) and _KO_SENTENCE.search(stripped):
            return False
        raw = stripped.casefold().lstrip(self.bullets + " \t[(<【")
        if self.prefixes and self.prefixes.match(raw):
            return True
        return n_words <= self.max_words_contains and _contains_any(raw, self.contains)

    def verdict(self, stripped: str, n_words: int | None = None) -> tuple[bool, str | None]:
        return self._matches(stripped, n_words), None

    def tag(self, page: Page) -> Iterator[Tag]:
        for ln in page.lines:
            if page.free(ln.index) and not ln.blank and self.matches(ln.stripped):
                yield Tag(ln.index, ln.index, self.name)


class PhotoCreditRule:
    """Photo/image credit lines ("Photo: KG Mobility Newsroom", "(Getty Images)", "/사진=뉴스1") and
    captions that end with a credit. The credit goes to ``metadata["photo_credits"]``."""

    name = "photo_credit"

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.bullets = cfg["bullet_chars"]
        self.prefixes = sorted({p.casefold() for p in lang_list(cfg, "photo_prefixes")}, key=len, reverse=True)
        self.prefix_rx = phrase_prefix_regex(self.prefixes)
        self.memo = Memo()
        # Caption-suffix regexes scan the whole line: each runs behind its literal gate, with one
        # screen search in front of all the gates (a prose line usually holds none of them).
        self.suffixes = [GatedPattern(re.compile(p)) for p in lang_list(cfg, "photo_caption_suffixes")]
        self.suffix_screen = GateScreen(self.suffixes)
        self.ungated_suffixes = [p for p in self.suffixes if not p.gated]
        self.max_words_prefix = int(cfg["photo_credit"]["max_words_prefix"])
        self.max_words_caption = int(cfg["photo_credit"]["max_words_caption"])

    def credit(self, stripped: str) -> str | None:
        """The credit text if the line is a credit or credited caption, else None."""
        hit = self.memo.get(stripped, 0)
        if hit == 0:
            hit = self._credit(stripped)
            self.memo.put(stripped, hit)
        return hit  # type: ignore[return-value]

    def _credit(self, stripped: str, n_words: int | None = None) -> str | None:
        if n_words is None:
            n_words = len(stripped.split())
        raw = stripped.casefold().lstrip(self.bullets + " \t")
        if n_words <= self.max_words_prefix and self.prefix_rx and self.prefix_rx.match(raw):
            for p in self.prefixes:
                if raw.startswith(p):
                    # "Featured image by X, …" names its credit as plainly as "Photo: X".
                    explicit = p.endswith((":", "=", " image by")) or p[:1] in "([<"
                    # "Getty Images said on Monday it would …" is a sentence, not a credit.
                    if not explicit and n_words > 8 and ends_like_sentence(stripped):
                        continue
                    rest = stripped.lstrip(self.bullets + " \t")[len(p):].strip(" :=)]>/\t")
                    return rest or stripped
        if n_words <= self.max_words_caption:
            lower = fold_for_gates(stripped)
            for p in self.suffixes if self.suffix_screen.possible(stripped, lower) else self.ungated_suffixes:
                if p.gated and not p.passes(stripped, lower):
                    continue
                m = p.rx.search(stripped)
                if m:
                    return m.group().strip(" ()[]<>/\t") or stripped
        return None

    def verdict(self, stripped: str, n_words: int | None = None) -> tuple[bool, str | None]:
        credit = self._credit(stripped, n_words)
        return credit is not None, credit

    def tag(self, page: Page) -> Iterator[Tag]:
        for ln in page.lines:
            if page.free(ln.index) and not ln.blank:
                credit = self.credit(ln.stripped)
                if credit is not None:
                    yield Tag(ln.index, ln.index, self.name, credit)
