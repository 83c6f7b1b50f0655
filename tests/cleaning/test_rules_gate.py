"""The literal pre-checks in front of the nav patterns (cleaning/rules/gate.py) and the regex-free
ends_like_sentence skip work, never change an answer: every configured pattern answers as its bare regex does, in many scripts and
with the characters that IGNORECASE folds differently from str.lower()."""

from __future__ import annotations

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
