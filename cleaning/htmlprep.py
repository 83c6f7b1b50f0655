"""Pre-extraction HTML pass: mark elements that are clearly not article text before trafilatura.

trafilatura already discards much page chrome by class/id; what it leaves on news pages is
mostly related/recommended blocks, newsletter and subscribe prompts, share bars, figure
captions and credits, and consent banners whose class names it does not know. This pass finds
them by generic vocabularies (class/id name parts, ``role`` and ``aria-label`` words, tag
names) kept as data in ``[extract.htmlprep]`` of ``extract.toml`` — never one site's strings.

Elements are only *marked* (attribute ``data-newsclean-drop="<category>"``); trafilatura prunes
the marked nodes after reading the page's metadata, so title, author and date still come from the
whole page. Guards keep a match from taking the article with it: an element holding more than
``max_text_share`` of the page's paragraph text or more than ``max_long_paragraphs`` long
paragraphs (teasers are short, article paragraphs are long), or one that contains the page's
``<h1>`` or an ``<article>``/``<main>`` element, is never marked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml.html import HtmlElement

MARK_ATTR = "data-newsclean-drop"
# What trafilatura is told to prune (its ``prune_xpath`` runs after metadata extraction).
PRUNE_XPATH = f"//*[@{MARK_ATTR}]"

# Characters of a marked element's text kept in its ``Dropped`` record (enough to audit a block).
_EXCERPT = 2000
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_PART_SPLIT = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Dropped:
    """One marked element: its category (the vocabulary that matched), tag, and text excerpt."""

    category: str
    tag: str
    text: str


def name_parts(value: str) -> list[tuple[str, ...]]:
    """Class/id value -> one tuple of lowercase name parts per token:
    ``"c-relatedStories share_bar"`` -> ``[("c", "related", "stories"), ("share", "bar")]``."""
    out = []
    for token in value.split():
        parts = tuple(p for p in _PART_SPLIT.split(_CAMEL.sub("-", token).lower()) if p)
        if parts:
            out.append(parts)
    return out


def _contains_seq(parts: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(parts[i:i + n] == phrase for i in range(len(parts) - n + 1))


class Vocab:
    """The compiled ``[extract.htmlprep]`` table."""

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.enabled = bool(cfg.get("enabled", True))
        self.max_text_share = float(cfg["max_text_share"])
        self.skip_tags = frozenset(str(t) for t in cfg["never_tags"])
        self.name_blind_tags = frozenset(str(t) for t in cfg["name_blind_tags"])
        self.max_id_parts = int(cfg["max_id_parts"])
        self.long_paragraph_chars = int(cfg["long_paragraph_chars"])
        self.max_long_paragraphs = int(cfg["max_long_paragraphs"])
        self.headline_block = bool(cfg.get("headline_block", False))
        self.headline_block_depth = int(cfg.get("headline_block_depth", 3))
        self.categories: list[tuple[str, list[tuple[str, ...]], frozenset[str], list[str], frozenset[str]]] = []
        for name, spec in sorted(cfg["categories"].items(), key=lambda kv: int(kv[1].get("order", 0))):
            phrases = [tuple(p for p in _PART_SPLIT.split(str(x).lower()) if p) for x in spec.get("names", [])]
            self.categories.append((
                name,
                [p for p in phrases if p],
                frozenset(str(r).lower() for r in spec.get("roles", [])),
                [str(a).lower() for a in spec.get("aria_words", [])],
                frozenset(str(t).lower() for t in spec.get("tags", [])),
            ))
        self._memo: dict[str, str | None] = {}

    def category_of_names(self, value: str) -> str | None:
        """The first category whose name phrase occurs in one class/id token of ``value``."""
        hit = self._memo.get(value, "")
        if hit != "":
            return hit
        found = None
        toks = name_parts(value)
        for name, phrases, _, _, _ in self.categories:
            if any(_contains_seq(parts, ph) for parts in toks for ph in phrases):
                found = name
                break
        if len(self._memo) > 20_000:
            self._memo.clear()
        self._memo[value] = found
        return found

    def category(self, el: HtmlElement) -> str | None:
        tag = el.tag if isinstance(el.tag, str) else ""
        for name, _, roles, aria, tags in self.categories:
            if tag in tags:
                return name
            role = (el.get("role") or "").lower()
            if role and role in roles:
                return name
            label = (el.get("aria-label") or "").lower()
            if label and any(w in label for w in aria):
                return name
        if tag in self.name_blind_tags:
            return None
        el_id = el.get("id") or ""
        if max((len(p) for p in name_parts(el_id)), default=0) > self.max_id_parts:
            el_id = ""  # a slug of the element's own heading ("what-is-social-media-marketing")
        names = " ".join(v for v in (el.get("class"), el_id) if v)
        return self.category_of_names(names) if names else None


_VOCABS: dict[int, tuple[dict[str, Any], Vocab]] = {}


def vocab_for(config: dict[str, Any]) -> Vocab:
    table = config["extract"]["htmlprep"]
    hit = _VOCABS.get(id(table))
    if hit is None or hit[0] is not table:
        if len(_VOCABS) > 16:
            _VOCABS.clear()
        hit = (table, Vocab(table))
        _VOCABS[id(table)] = hit
    return hit[1]


def _text_len(el: HtmlElement) -> int:
    return sum(len(t.strip()) for t in el.itertext())


def mark_boilerplate(tree: HtmlElement, config: dict[str, Any]) -> list[Dropped]:
    """Mark the outermost non-article elements of ``tree`` in place; returns what was marked."""
    voc = vocab_for(config)
    body = tree.find(".//body")
    root = body if body is not None else tree
    para_total = sum(_text_len(p) for p in root.iter("p")) or 1
    h1s = root.findall(".//h1")
    stack = [root]
    while stack:
        el = stack.pop()
        for child in el:
            if not isinstance(child.tag, str):
                continue
            cat = None if child.tag.lower() in voc.skip_tags else voc.category(child)
            if cat is not None and _droppable(child, para_total, h1s, voc):
                child.set(MARK_ATTR, cat)  # its descendants go with it: not visited
            else:
                stack.append(child)
    if voc.headline_block:
        _mark_headline_block(h1s, para_total, voc)
    # the outermost marked elements, in document order
    out: list[Dropped] = []
    it = root.iter()
    for el in it:
        cat = el.get(MARK_ATTR) if isinstance(el.tag, str) else None
        if cat is None:
            continue
        text = " ".join(" ".join(el.itertext()).split())
        out.append(Dropped(cat, el.tag.lower(), text[:_EXCERPT]))
        for _ in el.iterdescendants():  # skip what is inside a marked element
            next(it, None)
    return out


def _mark_headline_block(h1s: list[HtmlElement], para_total: int, voc: Vocab) -> None:
    """In the ``<header>`` that holds the headline, everything beside the headline (standfirst,
    byline, date, share links) is not article text; the header must be small (a header that
    wraps the story is left alone)."""
    if len(h1s) != 1:
        return
    h1 = h1s[0]
    header = next((a for a in list(h1.iterancestors())[:voc.headline_block_depth] if a.tag == "header"), None)
    if header is None or header.get(MARK_ATTR) or any(a.get(MARK_ATTR) for a in header.iterancestors()):
        return
    if sum(_text_len(p) for p in header.iter("p")) > voc.max_text_share * para_total:
        return
    for el in header.iter():
        if not isinstance(el.tag, str) or el is header or el.get(MARK_ATTR):
            continue
        if el is h1 or any(a is el for a in h1.iterancestors()) or any(a is h1 for a in el.iterancestors()):
            continue
        if any(a.get(MARK_ATTR) for a in el.iterancestors()):
            continue
        text = " ".join(" ".join(el.itertext()).split())
        if el.tag in ("p", "div", "span", "time", "ul", "address", "a") and text:
            el.set(MARK_ATTR, "headline_block")


def _droppable(el: HtmlElement, para_total: int, h1s: list[HtmlElement], voc: Vocab) -> bool:
    """Guards: never the article itself, whatever its class says."""
    if el.find(".//article") is not None or el.find(".//main") is not None:
        return False
    if any(h is el or any(a is el for a in h.iterancestors()) for h in h1s):
        return False
    lengths = [_text_len(p) for p in el.iter("p")]
    if sum(lengths) > voc.max_text_share * para_total:
        return False
    return sum(1 for n in lengths if n >= voc.long_paragraph_chars) <= voc.max_long_paragraphs
