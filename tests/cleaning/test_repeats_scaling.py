"""repeated_paragraph is near-linear and finds exactly the copies the all-pairs comparison finds."""

from __future__ import annotations

import random
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaning.config import load_config
from cleaning.rules.page import Page
from cleaning.rules.repeats import RepeatedParagraphRule

# Paragraph copies only: the repeated-block pass (a doubled body) is tested in test_repeated_block.py
CFG = {**load_config()["clean"]}
CFG["repeated_paragraph"] = {**CFG["repeated_paragraph"], "block_min_words": 0}
_EDGE = RepeatedParagraphRule.__init__.__globals__["_EDGE_PUNCT"]


def all_pairs(page: Page, rule: RepeatedParagraphRule) -> list[int]:
    """The rule as it was: every paragraph compared with every other (the reference)."""
    cands = [ln for ln in page.free_content() if ln.words >= rule.min_words]
    sigs = []
    for ln in cands:
        words, noise = set(), 0
        for raw in ln.stripped.split():
            w = raw.strip(_EDGE)
            if w:
                if rule.noise.match(w):
                    noise += 1
                else:
                    words.add(w.casefold())
        sigs.append((frozenset(words), noise))
    parent = list(range(len(cands)))

    def find(a: int) -> int:
        while parent[a] != a:
            a = parent[a]
        return a

    for a in range(len(cands)):
        for b in range(a + 1, len(cands)):
            sa, sb = sigs[a][0], sigs[b][0]
            if not sa or not sb:
                continue
            inter = len(sa & sb)
            if inter and inter / (len(sa) + len(sb) - inter) >= rule.min_jaccard:
                if sa != sb and rule.near_needs_noise and sigs[a][1] == sigs[b][1]:
                    continue
                parent[find(a)] = find(b)
    groups: dict[int, list[int]] = {}
    for k in range(len(cands)):
        groups.setdefault(find(k), []).append(k)
    drop = []
    for members in groups.values():
        if len(members) > 1:
            keep = min(members, key=lambda k: (sigs[k][1], cands[k].index))
            drop += [cands[k].index for k in members if k != keep]
    return sorted(drop)


SENTENCES = [
    "Hyundai Motor will invest 2 trillion won in a new electric vehicle plant in Ulsan, the company said on Monday.",
    "현대자동차는 울산에 2조원을 투자해 전기차 전용 공장을 짓는다고 월요일 밝혔다 공장은 2025년 완공 예정이다 생산 규모는 연 20만대다.",
    "Министерство финансов России сообщило во вторник о росте дефицита бюджета в первом квартале этого года на треть.",
    "Η κυβέρνηση ανακοίνωσε την Τρίτη νέα μέτρα στήριξης για τα νοικοκυριά που πλήττονται από την ακρίβεια στην ενέργεια.",
    "Rząd przyjął we wtorek projekt ustawy o pomocy dla gospodarstw domowych dotkniętych wysokimi cenami energii elektrycznej.",
    "أعلنت الحكومة يوم الثلاثاء عن حزمة جديدة من الإجراءات لدعم الأسر المتضررة من ارتفاع أسعار الطاقة في البلاد هذا العام.",
    "国家统计局周二公布的数据显示 今年第一季度 国内生产总值 同比增长 百分之五点三 高于市场预期 消费和投资 均有所回升 出口 保持稳定",
]


@st.composite
def pages(draw: st.DrawFn) -> str:
    base = draw(st.lists(st.sampled_from(SENTENCES), min_size=2, max_size=40))
    out = []
    for s in base:
        words = s.split()
        edit = draw(st.sampled_from(["same", "noise", "drop", "swap", "none"]))
        if edit == "noise":
            words = ["RSS" + str(draw(st.integers(1, 9999)))] + words
        elif edit == "drop" and len(words) > 3:
            del words[draw(st.integers(0, len(words) - 1))]
        elif edit == "swap":
            words[draw(st.integers(0, len(words) - 1))] = "Renault-" + str(draw(st.integers(1, 99)))
        out.append(" ".join(words))
    return "\n".join(out) + "\n"


@settings(max_examples=200, deadline=None)
@given(pages())
def test_the_index_finds_the_same_copies_as_all_pairs(text: str) -> None:
    page = Page.from_text(text)
    for cutoff in (0, RepeatedParagraphRule.all_pairs_up_to):  # the word index, and the small-page path
        rule = RepeatedParagraphRule(CFG)
        rule.all_pairs_up_to = cutoff
        assert sorted(t.first for t in rule.tag(page)) == all_pairs(page, rule)


def test_a_long_page_is_near_linear() -> None:
    rnd = random.Random(1)
    # Word frequencies of natural text are Zipfian: a few words everywhere, most words rare.
    vocab = ["".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(2, 9))) for _ in range(20_000)]
    weights = [1 / (rank + 1) for rank in range(len(vocab))]
    paragraphs = [" ".join(rnd.choices(vocab, weights, k=30)) for _ in range(4000)]  # ~800 KB
    paragraphs += paragraphs[:50]  # some true copies
    page = Page.from_text("\n".join(paragraphs) + "\n")
    rule = RepeatedParagraphRule(CFG)
    t0 = time.perf_counter()
    tags = list(rule.tag(page))
    elapsed = time.perf_counter() - t0
    assert len(tags) == 50
    assert elapsed < 3.0, f"{elapsed:.1f} s for 4,050 paragraphs (all pairs took ~40 s)"
