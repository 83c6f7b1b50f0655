"""Extract: raw items → Documents with main text and metadata.

HTML goes through trafilatura (main text, title, date, author, site name, url; comments
excluded), after a pre-extraction pass (``cleaning.htmlprep``) that marks related blocks,
newsletter prompts, share bars, captions and consent banners for trafilatura to prune; a first or
last line that repeats the headline is dropped from the text (it stays as ``title``). When
trafilatura's text looks like a failed extraction (few words in sentence lines), other extractions
of the page are tried and the best by words in sentence lines is used (``metadata.extractor``);
when the page splits the article body into several containers of one class, the later ones
trafilatura left out are appended (``continuation_text``), and lists it cut out from between two
paragraphs it kept are put back (``restore_lists``). Plain text is taken as is, except a leading scraper header line such as
``date 2023-11-10 <title>`` which becomes ``published`` and ``title`` instead of text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from .config import Config
from .document import Document, Rejection
from .htmlprep import MARK_ATTR, PRUNE_XPATH, Dropped, mark_boilerplate
from .ingest import RawItem
from .scripts import ends_sentence, script_word_count

# " date 2023-11-10 Some title" — the header some scrapers put on the first line.
_TEXT_HEADER = re.compile(r"\A[ \t\ufeff]*date[ \t]+(\d{4}-\d{2}-\d{2})(?:[ \t]+([^\n]*?))?[ \t]*(?:\r?\n|\Z)")
_ISO_PREFIX = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%Y%m%d")


def normalize_date(value: object) -> str | None:
    """Best-effort ISO ``YYYY-MM-DD`` from a date string or object; None when unparseable."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    s = str(value).strip()
    if not s:
        return None
    m = _ISO_PREFIX.match(s)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(s, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


def split_text_header(text: str) -> tuple[str, str | None, str | None]:
    """Split a leading ``date YYYY-MM-DD <title>`` line off: returns (body, published, title)."""
    m = _TEXT_HEADER.match(text)
    if not m:
        return text, None, None
    published = normalize_date(m.group(1))
    if published is None:
        return text, None, None
    title = (m.group(2) or "").strip() or None
    return text[m.end():].lstrip("\n"), published, title


_DATE_WORD = re.compile(
    r"^(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|mon(?:day)?|tue(?:sday)?|wed(?:nesday)?|thu(?:rsday)?|"
    r"fri(?:day)?|sat(?:urday)?|sun(?:day)?|updated|published|am|pm)\.?$", re.I)


def clean_author(author: str | None) -> str | None:
    """trafilatura joins authors with "; " and sometimes takes a byline's date along
    ("Priya Raman; June"): keep the parts that are names, drop dates, times and weekdays."""
    if not author:
        return None
    parts = [p.strip() for p in author.split(";")]
    names = [p for p in parts if p and not any(ch.isdigit() for ch in p)
             and not all(_DATE_WORD.match(w) for w in p.replace(",", " ").split())]
    return "; ".join(names) or None


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host[4:] if host and host.startswith("www.") else host


def document_from_text(text: str, source: str, config: Config | None = None, *, doc_id: str = "", url: str | None = None,
                       title: str | None = None, published: str | None = None) -> Document:
    """A Document from already-extracted text (``.txt`` files, JSONL ``text`` records)."""
    body, header_date, header_title = split_text_header(_normalize_newlines(text))
    return Document(
        id=doc_id,
        source=source,
        text=body,
        url=url,
        title=title or header_title,
        published=normalize_date(published) or header_date,
        sitename=host_of(url),
    )


_TITLE_NOISE = re.compile(r"[\W_]+")
_TITLE_SEPARATORS = "|-–—:·•"


def _title_key(s: str) -> str:
    return " ".join(_TITLE_NOISE.sub(" ", s.casefold()).split())


def _title_candidates(title: str) -> set[str]:
    t = title.strip()
    candidates = {_title_key(t)}
    for sep in _TITLE_SEPARATORS:
        if f" {sep} " in t:
            candidates.add(_title_key(t.rsplit(f" {sep} ", 1)[0]))
            candidates.add(_title_key(t.split(f" {sep} ", 1)[0]))
    return candidates


def _is_title(line: str, candidates: set[str]) -> bool:
    key = _title_key(line)
    # Words by script: a Chinese or Japanese headline is one whitespace token of many words.
    return key in candidates and script_word_count(key, 1.5) >= 2


def drop_title_line(text: str, title: str | None) -> str:
    """``text`` without its first (or last) line when that line is the page title: the headline
    is ``Document.title``, and trafilatura often also puts it at the top of the body (or, on some
    layouts, after it). The page title may carry the site name ("Headline | Site"), so a line
    that is the title up to such a separator counts too. Anything else, and any line of fewer
    than two words, stays."""
    if not title:
        return text
    candidates = _title_candidates(title)
    start = len(text) - len(text.lstrip("\n"))
    nl = text.find("\n", start)
    if _is_title(text[start:] if nl < 0 else text[start:nl], candidates):
        return "" if nl < 0 else text[nl + 1:].lstrip("\n")
    body = text.rstrip("\n")
    cut = body.rfind("\n")
    if cut >= 0 and _is_title(body[cut + 1:], candidates):
        return body[:cut].rstrip("\n") + ("\n" if text.endswith("\n") else "")
    return text


# A table row as trafilatura writes it in text output: "| cell | cell |" (a "|" inside a cell
# escaped as "\|"); a Markdown rule row "|---|---|".
_TABLE_ROW = re.compile(r"^[ \t]*\|.*\|[ \t]*$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_RULE_CELL = re.compile(r"^:?-{3,}:?$")


def readable_tables(text: str) -> str:
    """Tables as readable text, one row a line: the non-empty cells of each row joined by a tab.

    trafilatura (``include_tables``) writes rows as ``| a |  | b |`` with empty layout cells and
    escaped pipes; rows with no text (spacers) and Markdown rule rows are dropped.
    """
    if "|" not in text:
        return text
    out = []
    for line in text.split("\n"):
        if not _TABLE_ROW.match(line):
            out.append(line)
            continue
        cells = [c.strip().replace("\\|", "|") for c in _CELL_SPLIT.split(line.strip()[1:-1])]
        cells = [c for c in cells if c and not _RULE_CELL.match(c)]
        if cells:
            out.append("\t".join(cells))
    return "\n".join(out)


def _trafilatura_options(config: Config) -> dict[str, object]:
    ex = config["extract"]
    return {
        "include_comments": bool(ex["include_comments"]),
        "include_tables": bool(ex["include_tables"]),
        "favor_precision": bool(ex["favor_precision"]),
        "favor_recall": bool(ex["favor_recall"]),
    }


# ---- fallback extraction for pages where trafilatura's result looks like a failure ----------------

_BLOCK_TAGS = frozenset({"div", "td", "th", "p", "article", "section", "main", "li", "dd", "blockquote",
                         "body", "table", "tr", "center", "pre", "ul", "ol", "dl", "form"})
_SKIP_TAGS = frozenset({"script", "style", "noscript", "iframe", "select", "option", "button", "textarea",
                        "nav", "header", "footer", "aside", "head", "title", "svg", "input"})


def prose_words(text: str) -> tuple[int, int]:
    """(words in sentence lines, all words) of ``text``, over logical lines (hard-wrapped
    paragraphs joined back): a sentence line has ``prose_min_line_words`` words at least and ends a
    sentence or holds a sentence end followed by another sentence, in any script
    (``cleaning.scripts``). Link lists, menus, headline lists and layout-table chrome have none."""
    from .scripts import ends_sentence, logical_lines, script_word_count, sentence_boundaries

    total = prose = 0
    for line in logical_lines(text.split("\n")):
        words = script_word_count(line, 1.5)
        total += words
        if words >= 5 and (ends_sentence(line) or sentence_boundaries(line) >= 1):
            prose += words
    return prose, total


def _own_text(el: Any) -> tuple[int, list[str]]:
    """Characters of text directly in block ``el`` (its text, its inline children's, their tails)
    outside links, and the pieces of that text (links included) in order."""
    pieces: list[str] = []
    plain = 0
    if el.text and el.text.strip():
        pieces.append(el.text)
        plain += len(el.text.strip())
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag and tag not in _BLOCK_TAGS and tag not in _SKIP_TAGS:
            # an inline element wrapping blocks (<font><div>…) keeps only its own leading text
            nested = any(isinstance(d.tag, str) and d.tag in _BLOCK_TAGS for d in child.iterdescendants())
            inner = (child.text or "") if nested else child.text_content()
            if inner.strip():
                pieces.append(inner)
                if tag != "a" and not child.xpath(".//a"):
                    plain += len(inner.strip())
        if child.tail and child.tail.strip():
            pieces.append(child.tail)
            plain += len(child.tail.strip())
    return plain, pieces


def main_block_text(tree: Any) -> str:
    """The text of the page's densest block of running text (a readability-style pick by text
    outside links): every block element's own non-link characters count fully for its parent
    and half for its grandparent; the best-scored container's blocks are written one a line.
    For pages where the extractor took a headline list or a layout table's chrome instead."""
    scores: dict[Any, float] = {}
    body = tree.find(".//body") if tree.tag != "body" else tree
    if body is None:
        return ""
    for el in body.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag not in _BLOCK_TAGS or any(a.tag in _SKIP_TAGS for a in el.iterancestors()):
            continue
        plain, _ = _own_text(el)
        if plain < 25:
            continue
        parent = el.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0.0) + plain
            grand = parent.getparent()
            if grand is not None:
                scores[grand] = scores.get(grand, 0.0) + plain / 2
        scores[el] = scores.get(el, 0.0) + plain
    if not scores:
        return ""
    best = max(scores, key=scores.__getitem__)
    lines: list[str] = []
    for el in best.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag not in _BLOCK_TAGS or any(a.tag in _SKIP_TAGS for a in el.iterancestors()):
            continue
        _, pieces = _own_text(el)
        line = " ".join("".join(pieces).split())
        if line:
            lines.append(line)
    return "\n".join(lines)


def _fallback_candidates(html: str, url: str | None, config: Config) -> list[tuple[str, str]]:
    """Other extractions of one page, each on a fresh copy with the pre-pass's marks pruned:
    trafilatura with tables kept (article text inside a layout table), readability's article
    block through trafilatura with tables kept, and the densest block of text outside links."""
    import trafilatura
    from trafilatura.readability_lxml import Document as ReadabilityDocument
    from trafilatura.utils import load_html

    opts = {**_trafilatura_options(config), "include_tables": True}
    out: list[tuple[str, str]] = []

    def prepared() -> Any:
        tree = load_html(html)
        if tree is None:
            return None
        try:
            mark_boilerplate(tree, config)
        except (ValueError, TypeError, AttributeError):
            return tree
        for el in tree.xpath(PRUNE_XPATH):
            if el.getparent() is not None:
                el.getparent().remove(el)
        return tree

    tree = prepared()
    if tree is None:
        return out
    res = trafilatura.bare_extraction(tree, url=url, **opts)
    out.append(("trafilatura_tables", readable_tables(res.text or "") if res else ""))
    tree = prepared()
    try:
        summary = ReadabilityDocument(tree, min_text_length=25).summary()
    except Exception:  # noqa: BLE001 - readability-lxml raises bare Exceptions on odd pages
        summary = ""
    if summary and not summary.lstrip()[:5].lower().startswith("<html"):
        summary = f"<html><body>{summary}</body></html>"  # a bare <div> fragment: trafilatura finds no body
    res = trafilatura.bare_extraction(summary, url=url, fast=True, **opts) if summary else None
    out.append(("readability", readable_tables(res.text or "") if res else ""))
    out.append(("main_block", main_block_text(prepared())))
    return out


# ---- article bodies split into several containers ----------------------------------------------

# Not the article's running text even inside its body: pull quotes (repeat a sentence), figures,
# embedded asides; and anything the pre-pass marked.
_NOT_BODY = frozenset({"aside", "figure", "figcaption", "script", "style", "noscript", "form", "nav",
                       "button", "footer", "header"})


def _norm_ws(s: str) -> str:
    return " ".join(s.split())


_PARA_TAGS = frozenset({"p", "h2", "h3", "h4", "li", "blockquote", "pre"})


def _block_texts(container: Any) -> list[str]:
    """The texts of ``container``'s paragraph-level blocks in document order (a block inside a
    block is part of its text), leaving out pull quotes, figures, asides, marked nodes and
    blocks that are mostly link text and lists whose every item holds a link."""
    out: list[str] = []

    def walk(el: Any) -> None:
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if not tag or tag in _NOT_BODY or child.get(MARK_ATTR) is not None:
                continue
            if tag in ("ul", "ol"):
                items = child.findall("li")
                if items and all(li.find(".//a") is not None for li in items):
                    continue  # every item a link: a list of other stories
            if tag in _PARA_TAGS:
                text = _norm_ws(child.text_content())
                linked = sum(len(_norm_ws(a.text_content())) for a in child.iter("a"))
                if text and linked <= 0.5 * len(text):  # a link item ("More from …"), not a paragraph
                    out.append(text)
            else:
                walk(child)

    walk(container)
    return out


def continuation_text(tree: Any, text: str, cont: dict[str, Any]) -> str:
    """Paragraphs of the article body that trafilatura left out because the page splits the
    body into several containers (an advertisement or a promo between them): the containers of
    the same tag and class as the one holding the extracted paragraphs, after it in the page and
    near it (a common ancestor at most ``max_levels`` above), whose own blocks are sentences
    (``min_prose_share`` of their words in sentence lines, ``min_words`` at least) and not already
    in the text. Returned as lines to append; "" when there are none."""
    norm_text = _norm_ws(text)
    if not norm_text:
        return ""
    probe = int(cont["probe_chars"])
    parents: dict[Any, int] = {}
    for p in tree.iter("p"):
        t = _norm_ws(p.text_content())
        if len(t) >= probe // 2 and t[:probe] in norm_text:  # (a Chinese sentence: 30-50 characters)
            parent = p.getparent()
            if parent is not None:
                parents[parent] = parents.get(parent, 0) + 1
    if not parents:
        return ""
    container = max(parents, key=parents.__getitem__)
    cls = (container.get("class") or "").strip()
    if not cls or parents[container] < 2 or parents[container] < float(cont["min_container_share"]) * sum(parents.values()):
        return ""  # no class to follow, or trafilatura's text already spans several containers
    same = [el for el in tree.iter(container.tag) if (el.get("class") or "").strip() == cls]
    if len(same) > int(cont["max_same_class"]):
        return ""  # a page builder's generic widget class, on every block of the page
    ancestors = list(container.iterancestors())
    near = set(ancestors[: int(cont["max_levels"])])
    added: list[str] = []
    for other in same[same.index(container) + 1:]:  # (in page order)
        if other in ancestors or container in other.iterancestors():
            continue
        if not any(a in near for a in other.iterancestors()):
            continue
        if other.get(MARK_ATTR) is not None or any(a.get(MARK_ATTR) is not None for a in other.iterancestors()):
            continue
        blocks = [b for b in _block_texts(other) if b[:probe] not in norm_text]
        while blocks and not ends_sentence(blocks[-1]):
            blocks.pop()  # a container's trailing headings or link list ("More from …") is not the story
        block_text = "\n".join(blocks)
        prose, total = prose_words(block_text)
        if prose >= int(cont["min_words"]) and prose >= float(cont["min_prose_share"]) * total:
            added.extend(blocks)
    return "\n".join(added)


def _block_key(el: Any, probe: int) -> str | None:
    """The first ``probe`` characters of block ``el``'s text, or None when ``el`` is not a block
    with text enough to be found in the extracted text."""
    if el is None or not isinstance(el.tag, str) or el.tag not in _PARA_TAGS | {"div", "h1", "h5", "h6"}:
        return None
    key = _norm_ws(el.text_content())[:probe]
    return key if len(key) >= 10 else None


def restore_lists(tree: Any, text: str, cont: dict[str, Any]) -> str:
    """``text`` with the lists trafilatura dropped from inside the article put back: a <ul>/<ol>
    whose previous and next sibling blocks are consecutive lines of the text ("… makes sure to:",
    then the paragraph after the list) was cut out of the middle of the story, and its items are
    inserted between them as "- item" lines. Lists of links, and lists inside pull quotes,
    figures, asides or marked nodes, are left out."""
    if "\n" not in text:
        return text
    lines = text.split("\n")
    joined = "\n".join(_norm_ws(line) for line in lines)  # one line per line, for offsets
    starts = [0]
    for line in joined.split("\n")[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def line_of(key: str | None) -> int:
        pos = joined.find(key) if key else -1
        return -1 if pos < 0 else bisect_right(starts, pos) - 1

    probe = int(cont["probe_chars"])
    inserts: dict[int, list[str]] = {}
    for lst in tree.iter("ul", "ol"):
        before = line_of(_block_key(lst.getprevious(), probe))
        if before < 0 or line_of(_block_key(lst.getnext(), probe)) != before + 1:
            continue  # not cut out from between two consecutive lines of the text
        if lst.get(MARK_ATTR) is not None or any(a.tag in _NOT_BODY or a.get(MARK_ATTR) is not None
                                                 for a in lst.iterancestors()):
            continue
        lis = lst.findall("li")
        items = [_norm_ws(li.text_content()) for li in lis]
        if not lis or not all(items):
            continue
        linked = sum(len(_norm_ws(a.text_content())) for a in lst.iter("a"))
        if linked > 0.5 * sum(map(len, items)) or any(item[:probe] in joined for item in items):
            continue  # a list of links, or one trafilatura kept
        inserts[before] = items
    if not inserts:
        return text
    out: list[str] = []
    for i, line in enumerate(lines):
        out.append(line)
        out.extend(f"- {item}" for item in inserts.get(i, ()))
    return "\n".join(out)


def _looks_failed(text: str, fb: dict[str, Any]) -> tuple[bool, int]:
    """Whether trafilatura's text looks like a failed extraction (few words in sentences, or
    sentence words a small share of the text), and its sentence-word count."""
    prose, total = prose_words(text)
    return prose < int(fb["min_prose_words"]) or prose < float(fb["min_prose_share"]) * total, prose


def choose_fallback(text: str, candidates: list[tuple[str, str]], fb: dict[str, Any]) -> tuple[str, str] | None:
    """(name, text) of the candidate to use instead of ``text``, or None to keep it. A candidate
    qualifies with ``min_gain`` times the primary's words in sentence lines and ``min_extra_words``
    more (the article trafilatura missed), or with ``min_prose_kept`` of its sentence words and at
    most ``max_other_kept`` of its other words, ``min_extra_words`` fewer (the same article without
    the chrome that came along); of those, the one with the most sentence words net of its other words wins, the first
    listed on a tie."""
    base, base_total = prose_words(text)
    base_other = base_total - base
    best: tuple[int, str, str] | None = None
    for name, cand in candidates:
        prose, total = prose_words(cand)
        more = prose >= float(fb["min_gain"]) * base and prose >= base + int(fb["min_extra_words"])
        other = total - prose
        cleaner = (base > 0 and prose >= float(fb.get("min_prose_kept", 2.0)) * base
                   and other <= float(fb.get("max_other_kept", 0.0)) * base_other
                   and base_other - other >= int(fb["min_extra_words"]))
        if not (more or cleaner):
            continue
        score = prose - (total - prose)
        if best is None or score > best[0]:
            best = (score, name, cand)
    return None if best is None else (best[1], best[2])


def extract_html(html: str, url: str | None, config: Config, *, prepare: bool | None = None) -> dict[str, Any] | None:
    """Run trafilatura on one page: main text and metadata, or None when it finds no article.

    With ``prepare`` (default: ``[extract.htmlprep] enabled``) the pre-extraction pass
    (``cleaning.htmlprep``) first marks related blocks, newsletter prompts, share bars, captions
    and consent banners, and trafilatura prunes them after reading the page's metadata. What was
    dropped is listed under ``"dropped"`` (category, tag, text excerpt) for audits; should the
    pass fail on a page, the page is extracted without it and ``"prepass_error"`` says why. With
    ``prepare=False`` this is exactly trafilatura with newsclean's options."""
    import trafilatura

    if prepare is None:
        prepare = bool(config["extract"].get("htmlprep", {}).get("enabled", False))
    source: object = html
    prep_error: str | None = None
    prune: str | None = None
    dropped: list[Dropped] = []
    from trafilatura.utils import load_html

    if prepare:
        tree = load_html(html)
        if tree is not None:
            try:
                dropped = mark_boilerplate(tree, config)
            except (ValueError, TypeError, AttributeError) as exc:
                # The pre-pass only ever removes; if it fails, extract as trafilatura alone would.
                prep_error = f"{type(exc).__name__}: {exc}"
                dropped = []
            else:
                source = tree
                prune = PRUNE_XPATH if dropped else None
    result = trafilatura.bare_extraction(source, url=url, with_metadata=True, prune_xpath=prune,
                                         **_trafilatura_options(config))
    text = readable_tables(result.text or "") if result is not None else ""
    extractor = "trafilatura"
    cont = config["extract"].get("continuation", {})
    if result is not None and cont.get("enabled", False):
        tree = source if prepare and prep_error is None and not isinstance(source, str) else load_html(html)
        if tree is not None:
            more = continuation_text(tree, text, cont)
            if more:
                text = text.rstrip("\n") + "\n" + more
                extractor = "trafilatura+continuation"
            if cont.get("restore_lists", False):
                text = restore_lists(tree, text, cont)
    fb = config["extract"].get("fallback", {})
    if prepare and fb.get("enabled", False):
        failed, _ = _looks_failed(text, fb)
        if failed:
            picked = choose_fallback(text, _fallback_candidates(html, url, config), fb)
            if picked is not None:
                extractor, text = picked
    if result is None:
        if extractor == "trafilatura":
            return None
        from trafilatura.settings import Document as _TDocument

        result = _TDocument()
    return {
        "text": text,
        "extractor": extractor,
        "title": result.title,
        "published": result.date,
        "author": result.author,
        "sitename": result.sitename,
        "url": result.url,
        "dropped": [{"category": d.category, "tag": d.tag, "text": d.text} for d in dropped],
        "prepass_error": prep_error,
    }


def non_space_chars(text: str) -> int:
    """Characters of ``text`` that are not whitespace (``str.isspace``). ``str.split()`` splits at
    exactly those characters, so the pieces' lengths add up to the count at C speed (a generator
    over the characters was ~0.1 ms of a 500-word document)."""
    return sum(map(len, text.split()))


def extract_item(item: RawItem, config: Config) -> Document | Rejection:
    """One raw item → a Document, or a Rejection saying why there is no usable article text."""
    if item.kind == "text":
        doc = document_from_text(item.content, item.source, config, doc_id=item.id, url=item.url,
                                 title=item.title, published=item.published)
        doc.author = item.author
        doc.sitename = item.sitename or doc.sitename
        doc.metadata.update(item.metadata)
    else:
        try:
            meta = extract_html(item.content, item.url, config)
        except Exception as exc:  # noqa: BLE001 - one broken page must not stop the run
            return Rejection(item.id, item.source, "extract.error", f"trafilatura failed: {type(exc).__name__}: {exc}", url=item.url)
        if meta is None:
            return Rejection(item.id, item.source, "extract.no_content", "trafilatura found no article text in the page", url=item.url)
        url = item.url or meta["url"]
        text = _normalize_newlines(meta["text"] or "")
        if config["extract"].get("drop_title_line", False):
            text = drop_title_line(text, item.title or meta["title"])
        doc = Document(
            id=item.id,
            source=item.source,
            text=text,
            url=url,
            title=item.title or meta["title"],
            published=normalize_date(item.published) or normalize_date(meta["published"]),
            author=item.author or clean_author(meta["author"]),
            sitename=item.sitename or meta["sitename"] or host_of(url),
            metadata=dict(item.metadata),
        )
        # The HTML pre-pass removes elements, not spans of the extracted text, so its audit
        # trail lives in metadata: what was dropped (category, tag, excerpt), or why it failed.
        if meta.get("dropped"):
            doc.metadata["html_dropped"] = meta["dropped"]
        if meta.get("prepass_error"):
            doc.metadata["html_prepass_error"] = meta["prepass_error"]
        if meta.get("extractor", "trafilatura") != "trafilatura":  # which extraction won (auditable)
            doc.metadata["extractor"] = meta["extractor"]
    doc.metadata["input_kind"] = item.kind  # html pages carry titles; plain text often does not
    max_chars = int(config["extract"].get("max_text_chars", 0) or 0)
    if max_chars and len(doc.text) > max_chars:
        return Rejection(item.id, item.source, "extract.too_long",
                         f"extracted text has {len(doc.text)} characters (> max_text_chars {max_chars})",
                         len(doc.text), item.url)
    min_chars = int(config["extract"]["min_extracted_chars"])
    n_chars = non_space_chars(doc.text)
    if n_chars < min_chars:
        return Rejection.of_document(doc, "extract.no_content",
                                     f"extracted text has {n_chars} non-space characters (< {min_chars}): no article found",
                                     n_chars, min_chars)
    return doc
