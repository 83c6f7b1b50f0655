"""The literal pre-checks in front of the nav patterns (cleaning/rules/gate.py) and the regex-free
ends_like_sentence skip work, never change an answer: every configured pattern answers as its bare regex does, in many scripts and
with the characters that IGNORECASE folds differently from str.lower()."""

from __future__ import annotations

import functools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaning.config import default_config
from cleaning.rules import NavRule
from cleaning.rules.gate import GatedPattern, fold_for_gates, literal_gate
from cleaning.rules.page import _TERMINAL, ends_like_sentence

LINES = [
    # chrome the patterns are for (examples from the clean.toml comments)
    "We may earn commission from links on this page",
    "Purchases made through our links may earn us a commission.",
    "As an Amazon Associate I earn from qualifying purchases.",
    "Mike Wall is a senior writer. Follow him on Twitter @mikewall.",
    "Tips? Email us at tips@example.com",
    "Questions? Contact us at [email protected]",
    "…do not hesitate to reach out to Orient Software. We have experts ready to help.",
    "Don't hesitate to contact our team for a free estimate",
    "Talk To Our Social Media Marketing Experts",
    "Book a demo today",
    "Unlock up to 55% OFF your subscription today!",
    "Start your free trial now",
    "Order your copy today!",
    "Join Medium for free to get updates from this writer",
    # the same words in article prose (quotes, reporting verbs, long sentences)
    "\"Don't hesitate to call us,\" the mayor said on Tuesday.",
    "The company said customers could get a 20% off voucher by ordering today!",
    "Analysts told Reuters the retailer would earn a commission on every sale through its app.",
    "Prices are now 15% off for members, according to the shop.",
    # other scripts, real sentences
    "부산항만공사는 화요일 컨테이너 터미널 두 곳에 야간 근무를 추가한다고 밝혔다.",
    "国家统计局周二公布，一季度国内生产总值同比增长5.3%。",
    "Министерство финансов сообщило, что дефицит бюджета сократился.",
    "Η κυβέρνηση ανακοίνωσε νέα μέτρα στήριξης για τους αγρότες.",
    "Rząd przyjął w środę projekt ustawy o podatku od nieruchomości.",
    "أعلنت وزارة الصحة عن حملة تطعيم جديدة في المدارس.",
    # characters IGNORECASE matches to an ASCII letter while str.lower() does not map them to it
    "We may earn a commiſſion from links on this page",
    "Purchases made THROUGH OUR LİNKS support us",
    "As an Amazon Aſſociate I earn from qualifying purchases",
    "Follow hım on Twitter @someone",
    "Email uſ at tips@example.com",
    "Unlock 50% OFF your first box today!",
    "We may earn a \u212aickback commission",
]


@pytest.fixture(scope="module")
def nav():
    return NavRule(default_config()["clean"])


def test_every_nav_pattern_answers_like_its_bare_regex(nav):
    assert any(p.gated for p in nav.patterns), "no nav pattern is gated: the speed-up is gone"
    for p in nav.patterns:
        for line in LINES:
            assert bool(p.search(line, fold_for_gates(line))) == bool(p.rx.search(line)), (p.pattern, line)


def test_ignorecase_folds_that_lower_misses_still_match():
    rx = re.compile(r"(?i:\b(?:we|us|i)\b[^.!?]{0,80}\b(?:earn|receive)\b[^.!?]{0,40}\bcommissions?\b)")
    g = GatedPattern(rx)
    line = "We may earn a commiſſion from links on this page"
    assert rx.search(line)
    assert fold_for_gates(line) is None
    assert g.search(line, fold_for_gates(line))
    assert not g.search("We may earn nothing from links on this page", "we may earn nothing from links on this page")


def test_gate_literals_are_read_from_the_pattern():
    cs, ci = literal_gate(re.compile(r"^(?!.*\bsaid\b).*\b(?i:e-?mail|contact) us at\s+\S+@\S+"))
    assert frozenset({" us at"}) in cs  # case-sensitive literal outside (?i:…)
    assert not any("said" in alt for alts in ci + cs for alt in alts)  # negative lookahead: not required
    _, ci = literal_gate(re.compile(r"(?i:\bthrough (?:our|my) links\b|\bas an amazon associate\b)"))
    assert frozenset({"through ", "as an amazon associate"}) in ci
    # "^" then a plain item fails at the first character: cheaper ungated
    assert not GatedPattern(re.compile(r"^(?i:unlock this (?:article|story))")).gated



@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(".!?。！？…\"'”’)]»a가 \n\t\r\u3000\x0b;:")), max_size=8))
def test_ends_like_sentence_reads_the_end_as_the_regex_does(s):
    assert ends_like_sentence(s) == bool(_TERMINAL.search(s.rstrip()))


def test_ends_like_sentence_on_real_lines():
    for line in LINES + ["(Reporting by Priya Raman; Editing by Tom Becker)", "그는 \"곧 발표하겠다\"고 말했다.",
                         "Он сказал: «Мы готовы».", "Τι θα γίνει;", "他说：“我们会继续努力。”", "Related:", ""]:
        assert ends_like_sentence(line) == bool(_TERMINAL.search(line.rstrip())), line


# ---- gates of the date rules and repeated_paragraph (issue 14): same answers, less work --------

_SCRIPT_LINES = LINES + [
    "By Jane Doe, CNN | May 2, 2024", "Published 2024-03-04 10:32 KST", "입력 2024-03-04 10:32",
    "김철수 기자 kimcs@hankyung.com 2024년 3월 4일", "Updated at 1:23 p.m.", "July 23, 2012 Read time: 1 min",
    "2024年3月4日 星期一", "4 марта 2024 г., 10:32", "04.03.2024, 10:32", "Τρίτη, 4 Μαρτίου 2024",
    "4 marca 2024 r.", "٤ مارس ٢٠٢٤", "RSS2453 Renault-838 Nissan Alliance will invest in 2025",
    "COVID-19 cases rose 12% in Q3 2021, officials said.", "١٩٩٩ ٢٠٢٤ ۱۹۹۹",
]


def test_every_date_pattern_needs_the_year_the_gate_looks_for():
    from cleaning.rules.dates import _DATE_PATTERNS, _YEAR

    for rx in _DATE_PATTERNS:
        assert "(?:19|20)\\d{2}" in rx.pattern, rx.pattern
    assert _YEAR.pattern == "(?:19|20)\\d{2}"


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["2024", "1999", "19", "20", "24", "-", "/", ".", " ", "년", "월", "일", "May", "3",
                                 "١٩٩٩", "٢٠٢٤", "१९९९", ":", "12", "th", ","]), max_size=12))
def test_find_dates_gate_changes_no_answer(parts):
    from cleaning.rules import dates

    s = "".join(parts)
    gated = dates.find_dates(s)
    gate, dates._YEAR = dates._YEAR, re.compile("")  # every line passes: the patterns alone decide
    try:
        assert dates.find_dates(s) == gated
    finally:
        dates._YEAR = gate


def test_date_rules_answer_as_without_the_year_gate():
    from cleaning.rules.dates import _YEAR, BylineRule, DatelineRule

    cfg = default_config()["clean"]
    byline, dateline = BylineRule(cfg), DatelineRule(cfg)
    for line in _SCRIPT_LINES:
        dates, residue, _ = byline.parser.parse(line)
        expect = (True, None) if byline.is_byline(line) else (
            (True, dates[0]) if dates and len(residue) == 1 and byline.is_byline(residue[0]) else (False, None))
        if len(line.split()) <= byline.max_line_words:
            assert byline.value(line) == expect, line
        if dates:
            assert _YEAR.search(line), line
        dateline.value(line)  # runs in every script


def test_needs_digit_reads_the_parse_tree():
    from cleaning.rules.gate import needs_digit

    noise = default_config()["clean"]["repeated_paragraph"]["noise_token_pattern"]
    assert needs_digit(re.compile(noise))
    for p, want in [(r"[0-9]+", True), (r"(?:ab|\d)\d", True), (r"x{0,3}\d", True), (r"(?i:x1)", True),
                    (r"\d?x", False), (r"a|1", False), (r"[^0-9]", False), (r"[a-z0-9]+", False), (r"\w+", False)]:
        assert needs_digit(re.compile(p)) is want, p


def test_ignorecase_digit_literals_match_only_themselves():
    import sys

    every = "".join(chr(cp) for cp in range(sys.maxunicode + 1))
    for d in "0123456789":
        assert re.findall(d, every, re.I) == [d]


def test_casefold_keeps_whitespace_and_edge_punctuation_in_place():
    """repeated_paragraph folds the whole line before splitting and stripping: the same words only
    if casefold maps no character to or from whitespace or an edge punctuation mark."""
    import sys

    from cleaning.rules.repeats import _EDGE_PUNCT

    for cp in range(sys.maxunicode + 1):
        c = chr(cp)
        f = c.casefold()
        assert (f == c) if (c.isspace() or c in _EDGE_PUNCT) else not any(x.isspace() or x in _EDGE_PUNCT for x in f), cp


def test_repeated_paragraph_signature_as_word_by_word():
    from cleaning.rules.repeats import _EDGE_PUNCT, RepeatedParagraphRule

    rule = RepeatedParagraphRule(default_config()["clean"])
    for line in _SCRIPT_LINES + ["ΣΟΦΟΣ «Ο ΔΡΟΜΟΣ» Straße İSTANBUL ﬁnal “quoted” (RSS12) ...", "… — …"]:
        words, noise = set(), 0
        for raw in line.split():
            w = raw.strip(_EDGE_PUNCT)
            if w:
                if rule.noise.match(w):
                    noise += 1
                else:
                    words.add(w.casefold())
        assert rule._compute_signature(line) == (frozenset(words), noise), line


def _nav_reference(nav, stripped: str) -> bool:
    """NavRule._matches with every pattern searched bare (no union, no screen, no gate)."""
    from cleaning.rules.page import normalize_phrase

    norm = normalize_phrase(stripped, nav.bullets)
    if not norm:
        return False
    if norm in nav.lines:
        return True
    n_words = len(stripped.split())
    raw = stripped.casefold().lstrip(nav.bullets + " \t<[(")
    if nav.consent and n_words <= nav.max_words_consent and nav.consent.match(raw):
        return True
    if n_words <= nav.max_words_consent and any(p.rx.search(stripped) for p in nav.patterns):
        return True
    if n_words > nav.max_words:
        return False
    if nav.prefixes and (nav.prefixes.match(raw) or nav.prefixes.match(norm)):
        return True
    return any(p in norm for p in nav.contains)


_NAV_EXTRA = [
    "___", "* * *", "Follow AP's full coverage of Brexit at https://apnews.com/brexit", "Follow Hardtail Canada",
    "Reporting by Priya Raman; Editing by Tom Becker", "(Reporting by Priya Raman; Editing by Tom Becker)",
    "copyright Inexhibit 2019 - ISSN 2283-5474", "© 2024 Metro Times. All rights reserved.",
    "https://static.example/image/x-500-250/headline.jpg", "Already have an account? Log in",
    "This article is exclusive to subscribers", "Unlock this article", "Subscribe to continue reading",
    "Get the cash you need with a low-interest personal loan today", "Follow us", "FOLLOW US ON TWITTER @x",
]


@functools.cache
def _default_nav() -> NavRule:
    return NavRule(default_config()["clean"])


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(["follow", "Follow", "us", " ", "on", "twitter", "@x", "today", "now", "you", "50%", "off",
                                 "!", "\"", "said", "we", "earn", "commission", "through", "our", "links", "___", "©", "2024",
                                 "reporting", "by", "Jane", "Doe", ";", "ſ", "İ", "따르면", "说", "сказал", "είπε", "powiedział",
                                 "قال", "https://x.jpg", "do not", "hesitate to", "contact", "email us at", "a@b.co"]),
                max_size=14))
def test_nav_union_and_screen_answer_as_every_bare_pattern(parts):
    nav = _default_nav()
    s = " ".join(parts).strip()
    assert nav._matches(s) == _nav_reference(nav, s), s


def test_nav_union_and_screen_on_real_lines(nav):
    assert nav.anchored is not None and nav.screen.cs is not None
    for line in LINES + _SCRIPT_LINES + _NAV_EXTRA:
        assert nav._matches(line) == _nav_reference(nav, line), line


def test_anchored_union_leaves_out_backrefs_and_unanchored():
    from cleaning.rules.gate import anchored_union

    pats = [re.compile(p) for p in [r"^(a)\1$", r"^ab", r"^(?i:cd)", r"xy", r"^(?P<n>e)(?P=n)"]]
    union, rest = anchored_union(pats)
    assert union is not None and [p.pattern for p in rest] == [r"^(a)\1$", "xy", r"^(?P<n>e)(?P=n)"]
    for s in ["ab", "CD", "xab", "aa", "ee", "xy"]:
        assert bool(union.match(s)) == any(p.search(s) for p in pats if p not in rest), s


def _title_case_reference(s: str) -> bool:
    from cleaning.rules import topical

    caps = total = 0
    for w in s.split():
        m = topical._LATIN_TOKEN.match(w)
        if not m or w.casefold().strip("\"'“‘([") in topical._SMALL_WORDS:
            continue
        total += 1
        if m.group(1).isupper() or any(ch.isupper() for ch in w[1:3]):
            caps += 1
    return total >= 2 and caps / total >= 0.7


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(["The", "the", "iRobot", "eBay", "Seoul", "rises", "of", "A", "and", "\"Quote", "(Tech",
                                 "서울", "Москва", "Αθήνα", "Polska", "上海", "بغداد", "3%", "—", "Us", "vs."]), max_size=16))
def test_title_case_stops_early_with_the_same_answer(words):
    from cleaning.rules.topical import title_case

    s = " ".join(words)
    assert title_case(s) == _title_case_reference(s), s


def test_off_topic_last_line_shortcut_is_the_walks_first_step():
    """_stops_at_last_line answers what the first step of _tail's walk back decides."""
    from collections import Counter

    from cleaning.rules import OffTopicRule, Page, Vocabulary
    from cleaning.rules.page import overlap_share

    cfg = default_config()["clean"]
    rule = OffTopicRule(cfg, Vocabulary(cfg["lang"]["en"]["stopwords"] + cfg["lang"]["ko"]["stopwords"]))
    texts = [
        "Hyundai Motor will invest in a new electric vehicle plant in Ulsan this year.\n"
        "The plant will build electric vehicle batteries for export markets.\n"
        "Lemon tart recipe with crisp pastry and fresh cream topping tonight",
        "Hyundai Motor will invest in a new electric vehicle plant in Ulsan this year.\n"
        "The plant will build electric vehicle batteries for export markets.\n"
        "Electric vehicle plant workers will build batteries in Ulsan",
        "현대자동차는 울산에 전기차 전용 공장을 짓는다고 밝혔다.\n공장은 내년 완공 예정이며 전기차 배터리를 생산한다.\n"
        "오늘의 날씨 맑음 기온 영하 바람 강함 미세먼지 보통",
        "Rząd przyjął we wtorek projekt ustawy o pomocy.\nThe plant will build electric vehicle batteries.\n"
        "Η κυβέρνηση ανακοίνωσε νέα μέτρα στήριξης για τα νοικοκυριά",
        "Министерство финансов сообщило о дефиците.\n国家统计局周二公布数据。\nأعلنت الحكومة عن حزمة جديدة من الإجراءات",
    ]
    for text in texts:
        content = Page.from_text(text).free_content()
        toks = [rule.vocab.tokens(ln.stripped) for ln in content]
        t = toks[-1]
        rest = Counter()
        for x in toks[:-1]:
            rest.update(x)
        first_step_stops = (len(t) < rule.min_tokens_per_line or rule._reads_like_article(content[-1].stripped)
                            or overlap_share(t, rest) > rule.max_overlap)
        assert rule._stops_at_last_line(content) == first_step_stops, text


def test_line_rule_run_tags_as_the_rules_one_by_one():
    """clean._one_pass over the plan (consecutive line rules as one cached loop) gives the spans,
    date and credits of the rules run one after another, on the seeds and lines in 7 scripts."""
    from pathlib import Path

    from cleaning.clean import _LineRuleRun, _compiled, _one_pass, reset_line_caches

    comp = _compiled(None)
    assert any(isinstance(step, _LineRuleRun) for step in comp.plan)
    seeds = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in seeds]
    texts.append("\n".join(_SCRIPT_LINES + _NAV_EXTRA + LINES + [
        "Photo: KG Mobility Newsroom", "(사진=연합뉴스)", "KOSPI 2,501.23 ▲12.40 (+0.50%)", "Read more: Markets rally",
        "▶ 관련기사: 반도체 수출", "By Jane Doe, CNN", "Advertisement", "", "Share this article", "Advertisement"]))
    for text in texts:
        for _ in range(2):  # cold, then from the caches
            assert _one_pass(text, comp.plan) == _one_pass(text, comp.rules)
        reset_line_caches()


def test_photo_caption_suffix_gates_answer_as_the_bare_patterns():
    from cleaning.rules import PhotoCreditRule
    from cleaning.rules.chrome import substring_regex

    rule = PhotoCreditRule(default_config()["clean"])
    assert all(p.gated for p in rule.suffixes)
    lines = LINES + _SCRIPT_LINES + [
        "A worker at the plant in Ulsan (Photo by Kim Min-ji)", "Protesters in Seoul. (AP Photo/Ahn Young-joon)",
        "Smoke rises over the city. REUTERS/Jane Doe/File Photo", "Photo Zack Xavier on https://unsplash.com/x",
        "시민들이 거리를 걷고 있다. (사진=연합뉴스)", "시민들이 거리를 걷고 있다 /사진=뉴스1 김철수 기자",
        "Ein Bild (ePA)", "The APPLE CAPITAL report (Reuters)", "Image via Shutterstock", "Photo by İlker (Getty Images)",
    ]
    for line in lines:
        bare = next((m for p in rule.suffixes if (m := p.rx.search(line))), None)
        gated = next((m for p in rule.suffixes if p.search(line, fold_for_gates(line))), None)
        assert (bare and bare.group()) == (gated and gated.group()), line
        if len(line.split()) <= rule.max_words_caption and bare and not rule.prefix_rx.match(line.casefold()):
            assert rule._credit(line) is not None, line
    rx = substring_regex(["to your inbox", "click here", "무단전재"])
    for s in ["get it to your inbox", "CLICK HERE".casefold(), "무단전재 금지", "nothing here", ""]:
        assert bool(rx.search(s)) == any(p in s for p in ["to your inbox", "click here", "무단전재"]), s
    assert substring_regex([]) is None and substring_regex([""]).search("x")


def test_literal_screens_answer_as_regex_alternations():
    """GateScreen.possible and the nav/promo "contains" checks test literals with ``in``: the same
    answers as one regex alternation of those literals, on lines in 7 scripts (cased, casefolded)."""
    from cleaning.rules import PromoRule
    from cleaning.rules.chrome import _contains_any, substring_regex

    cfg = default_config()["clean"]
    nav, promo = NavRule(cfg), PromoRule(cfg)
    lines = LINES + _SCRIPT_LINES + _NAV_EXTRA + ["Follow us on X for 20% off today!", "all rights reserved",
                                                  "İstanbul now", "무단전재 및 재배포 금지", "Don't hesitate to email us at x@y.z"]
    hits = 0
    for rule in (nav, promo):
        rx = substring_regex(rule.contains)
        for line in lines:
            for s in (line, line.casefold()):
                assert _contains_any(s, rule.contains) == (rx.search(s) is not None), s
                hits += _contains_any(s, rule.contains)
    ci = re.compile("|".join(map(re.escape, nav.screen.ci)))
    cs = re.compile("|".join(map(re.escape, nav.screen.cs)))
    for line in lines:
        lower = fold_for_gates(line)
        expected = lower is None or bool(ci.search(lower)) or bool(cs.search(line))
        assert nav.screen.possible(line, lower) == expected, line
        hits += expected
    assert hits > 5


def test_content_memo_tags_as_the_rule_computes_them():
    """repeated_paragraph, headline_list and off_topic keep their tags by the free lines' texts
    (ContentMemo): a page with the same content at other line numbers (blank lines and a claimed
    line in front) gets the tags the rule computes for it, on the seeds and lines in 7 scripts."""
    from pathlib import Path

    from cleaning.clean import _compiled, reset_line_caches
    from cleaning.rules.page import Page, Tag

    comp = _compiled(None)
    rules = [r for r in comp.rules if r.name in ("repeated_paragraph", "headline_list", "off_topic")]
    assert len(rules) == 3
    seeds = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in seeds] + ["\n".join(_SCRIPT_LINES + _SCRIPT_LINES)]
    reset_line_caches()
    found = 0
    for text in texts:
        for rule in rules:
            first = list(rule.tag(Page.from_text(text)))
            moved = Page.from_text("\n\nAdvertisement\n" + text)
            moved.claim(Tag(2, 2, "nav"))
            hits = len(rule.content_memo)
            again = list(rule.tag(moved))
            assert len(rule.content_memo) == hits  # answered from the memo
            assert again == list(rule._tag_content(moved.free_content()))
            assert [(t.first + 3, t.last + 3) for t in first] == [(t.first, t.last) for t in again]
            found += len(again)
    assert found > 0


def _seed_lines() -> list[str]:
    from pathlib import Path

    seeds = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))
    return [ln for p in seeds for ln in p.read_text(encoding="utf-8").splitlines()]


def test_block_tokens_as_findall():
    """repeated_paragraph's whitespace split of punctuation-blanked ASCII text finds the tokens
    ``\\w+`` finds, on real lines in 7 scripts, the seeds (Korean) and every ASCII character."""
    from cleaning.rules.repeats import _BLOCK_TOKEN, _block_tokens

    every_ascii = "".join(map(chr, range(128)))
    texts = _SCRIPT_LINES + _NAV_EXTRA + _seed_lines() + [
        every_ascii, every_ascii * 2 + "’quoted’ — “it’s” … «x» a\u00a0b 3′", "don’t stop—now…",
        "tab\tsep\x1cfile\x1fsep_under_score 3.5% $12", "\n".join(_SCRIPT_LINES)]
    for s in texts + [s.casefold() for s in texts]:
        assert _block_tokens(s) == _BLOCK_TOKEN.findall(s), s


@settings(max_examples=800, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab Z9_-'’.,!?\t\n\x1c“”—–…«»·•\u00a0é서说ж") + ["\x00", "\x7f"]), max_size=40))
def test_block_tokens_as_findall_on_any_mix(s):
    from cleaning.rules.repeats import _BLOCK_TOKEN, _block_tokens

    assert _block_tokens(s) == _BLOCK_TOKEN.findall(s)



def _page_lines_reference(text: str) -> list[tuple[int, int, int, str, str, bool]]:
    """Page.from_text's lines as first written: a find loop over "\\n"."""
    out = []
    pos, n = 0, len(text)
    while pos < n:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl + 1
        body = text[pos:end - 1] if nl >= 0 else text[pos:end]
        out.append((len(out), pos, end, body, body.strip(), not body.strip()))
        pos = end
    return out


def test_page_lines_from_split_as_the_find_loop():
    from cleaning.rules.page import Line, Page

    texts = ["", "\n", "\n\n", "a", "a\n", "a\nb", "a\nb\n", "\n a \n\n", " \t\r\n\u3000\n\u2028x\r\n",
             "\n".join(_SCRIPT_LINES), "\n".join(_seed_lines()) + "\n"]
    for text in texts:
        page = Page.from_text(text)
        assert [(ln.index, ln.start, ln.end, ln.text, ln.stripped, ln.blank) for ln in page.lines] == _page_lines_reference(text)
        assert page.owner == [-1] * len(page.lines) and page.tags == []
        assert "".join(text[ln.start:ln.end] for ln in page.lines) == text
    a, b = Line(0, 0, 2, "a", "a", False), Line(0, 0, 2, "a", "a", False)
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1  # hashable by value, as when frozen


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \t\n\r\u3000\u2028서")), max_size=30))
def test_page_lines_from_split_on_any_text(text):
    from cleaning.rules.page import Page

    page = Page.from_text(text)
    assert [(ln.index, ln.start, ln.end, ln.text, ln.stripped, ln.blank) for ln in page.lines] == _page_lines_reference(text)


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(list("a1٣ \t\n\u00a0\u3000-.,") + ["RSS2453", "Renault-838", "x"]), max_size=30))
def test_digit_words_from_word_starts_only(parts):
    from cleaning.rules.repeats import _DIGIT_WORD, _DIGIT_WORD_DEF

    s = "".join(parts)
    assert _DIGIT_WORD.findall(s) == _DIGIT_WORD_DEF.findall(s)


def test_digit_words_from_word_starts_only_on_real_lines():
    from cleaning.rules.repeats import _DIGIT_WORD, _DIGIT_WORD_DEF

    for line in _SCRIPT_LINES + _NAV_EXTRA + _seed_lines():
        assert _DIGIT_WORD.findall(line) == _DIGIT_WORD_DEF.findall(line), line


_CUE_WORDS = ["said", "says", "told", "added", "stated", "quoted", "reported", "announced", "according to",
              "contributed to this report", "’s", "'s", "밝혔다", "기자", "“", "\"", "”", "‘"]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_CUE_WORDS + ["x", "unsaid", "saidx", "resaid", " ", "-", "1", "é", "ö", "\n", "k"]), max_size=12))
def test_article_cues_lookbehind_after_the_cue_finds_the_same(parts):
    fast, plain = _cue_pair()
    s = "".join(parts)
    assert [m.span() for m in fast.finditer(s)] == [m.span() for m in plain.finditer(s)], s


@functools.cache
def _cue_pair():
    from cleaning.rules.topical import article_cue_regex, article_cue_regex_plain

    cfg = default_config()["clean"]
    return article_cue_regex(cfg), article_cue_regex_plain(cfg)


def test_article_cues_on_real_lines():
    fast, plain = _cue_pair()
    assert fast is not None and fast.pattern != plain.pattern
    for line in _SCRIPT_LINES + _NAV_EXTRA + _seed_lines() + ["He said: “yes”", "Unsaid things", "Seoul’s mayor", "saidsaid"]:
        s = line.casefold()
        assert [m.span() for m in fast.finditer(s)] == [m.span() for m in plain.finditer(s)], line


def test_has_words_and_has_hangul_as_their_definitions():
    from cleaning.rules.page import _HANGUL, Page, has_hangul

    text = "\n".join(_SCRIPT_LINES + _NAV_EXTRA + _seed_lines() + [
        "a\u2003b\u00a0c\u3000d\te  f", "  ", "one", "x " * 12, "\u2028a b\u2029c"])
    for ln in Page.from_text(text).lines:
        assert has_hangul(ln.stripped) == bool(_HANGUL.search(ln.stripped))
        for k in range(-1, 15):
            assert ln.has_words(k) == (ln.words >= k), (ln.stripped, k)


def test_gate_screen_skips_only_non_ascii_literals_on_ascii_lines():
    from cleaning.rules import PhotoCreditRule

    rule = PhotoCreditRule(default_config()["clean"])
    screen = rule.suffix_screen
    assert screen.cs is not None and len(screen.cs_ascii) < len(screen.cs)
    for line in _SCRIPT_LINES + _NAV_EXTRA + _seed_lines() + ["(Getty Images)", "사진=연합뉴스", "Photo: AP"]:
        lower = line.lower()
        want = any(lit in lower for lit in screen.ci or ()) or any(lit in line for lit in screen.cs)
        assert screen.possible(line, lower) == want, line


def test_normalize_phrase_upto_as_normalize_phrase():
    from cleaning.rules.page import normalize_phrase, normalize_phrase_upto

    bullets = default_config()["clean"]["bullet_chars"]
    lines = _SCRIPT_LINES + _NAV_EXTRA + _seed_lines() + [
        "", "  ", "• • •", "▶ 관련기사 :", "[ Read more ]", "(a b)", "a\u2003b\u00a0c\u3000d", "Stay connected with me!",
        "\u2003lead wide space", "x " * 20, "【 많이 본 뉴스 】", "... …", "a b c d e f g."]
    for line in lines:
        full = normalize_phrase(line, bullets)
        assert len(full.split()) <= len(line.split())
        for m in range(0, 18):
            want = full if len(full.split()) <= m else None
            assert normalize_phrase_upto(line, bullets, m) == want, (line, m)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(["•", "▶", " ", "\u3000", "\u2003", "[", "]", "(", ")", ":", "…", ".", "!", "read",
                                 "More", "ß", "관련기사", "x"]), max_size=14))
def test_nav_matches_with_short_normalization_on_any_mix(parts):
    nav = _default_nav()
    s = "".join(parts).strip()
    assert nav._matches(s) == _nav_reference(nav, s), s
