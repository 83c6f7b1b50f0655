"""Extraction fallback: when trafilatura's text looks like a failed extraction (no sentences: a
layout-table page's chrome, a headline list), other extractions of the page are tried and the one
with the most words in sentence lines is used, recorded as metadata.extractor. Fixtures are pages
written for these tests in the styles that fail (tests/fixtures/html)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from cleaning.config import load_config
from cleaning.document import Document
from cleaning.extract import choose_fallback, extract_html, extract_item, main_block_text, prose_words
from cleaning.ingest import iter_inputs

CFG = load_config()
OFF = copy.deepcopy(CFG)
OFF["extract"]["fallback"]["enabled"] = False


def _html(fixtures_dir: Path, name: str) -> str:
    return (fixtures_dir / "html" / name).read_text(encoding="utf-8")


def test_layout_table_page_greek(fixtures_dir: Path) -> None:
    """The article is a <td> of <br>-separated text; with tables off trafilatura returns only the
    footer's link rows. The fallback returns the article, and says which extractor did."""
    html = _html(fixtures_dir, "el_layout_table_article.html")
    before = extract_html(html, None, OFF)
    assert before is not None and "αφαλάτωσης" not in before["text"] and before["extractor"] == "trafilatura"
    assert prose_words(before["text"])[0] == 0
    after = extract_html(html, None, CFG)
    assert after is not None and after["extractor"] != "trafilatura"
    assert "Η μονάδα έχει δυναμικότητα τριών χιλιάδων κυβικών μέτρων την ημέρα" in after["text"]
    assert "Το έργο θα επεκταθεί και σε δεύτερη φάση" in after["text"]
    for chrome in ("Προσωπικά Δεδομένα", "Δρομολόγια πλοίων", "Copyright"):
        assert chrome not in after["text"], chrome
    assert after["title"] == before["title"] == "Νέα μονάδα αφαλάτωσης στη Σύρο"  # metadata from the whole page


def test_extractor_recorded_in_document_metadata(fixtures_dir: Path) -> None:
    (item,) = list(iter_inputs([str(fixtures_dir / "html" / "el_layout_table_article.html")], CFG))
    doc = extract_item(item, CFG)
    assert isinstance(doc, Document)
    assert doc.metadata["extractor"] in {"trafilatura_tables", "readability", "main_block"}
    assert "αφαλάτωσης" in doc.text


@pytest.mark.parametrize("name", ["en_hyundai_georgia.html", "ko_kia_ev9.html", "en_port_strike_boilerplate.html"])
def test_ordinary_article_pages_keep_trafilatura(fixtures_dir: Path, name: str) -> None:
    """A page trafilatura reads well is not re-extracted: same text, no extractor recorded."""
    html = _html(fixtures_dir, name)
    on, off = extract_html(html, None, CFG), extract_html(html, None, OFF)
    assert on is not None and off is not None
    assert on["extractor"] == "trafilatura" and on["text"] == off["text"]
    (item,) = list(iter_inputs([str(fixtures_dir / "html" / name)], CFG))
    doc = extract_item(item, CFG)
    assert isinstance(doc, Document) and "extractor" not in doc.metadata


def test_section_front_stays_without_article(fixtures_dir: Path) -> None:
    """A page with no article has nothing better to offer: no candidate qualifies."""
    html = _html(fixtures_dir, "section_front_no_article.html")
    on = extract_html(html, None, CFG)
    assert on is None or on["extractor"] == "trafilatura"


@pytest.mark.parametrize("name, expect, lists", [
    ("zh_headline_list_article.html", "律师每周两次到站坐班", ["市区新增三条公交线路", "地铁四号线全线洞通"]),
    ("pl_layout_table_article.html", "Budowa czterokilometrowej linii kosztowała 180 mln zł", ["Apteki dyżurne", "Regulamin serwisu"]),
    ("el_layout_table_article.html", "Οι κάτοικοι των βόρειων χωριών του νησιού", ["Δρομολόγια πλοίων", "Όροι Χρήσης"]),
])
def test_main_block_is_the_text_outside_links(fixtures_dir: Path, name: str, expect: str, lists: list[str]) -> None:
    """The densest block of text outside links is the article, not the headline lists or menus."""
    from trafilatura.utils import load_html

    text = main_block_text(load_html(_html(fixtures_dir, name)))
    assert expect in text
    for headline in lists:
        assert headline not in text, headline


SENTENCES = {
    "el": "Η κυβέρνηση ανακοίνωσε την Τρίτη νέα μέτρα στήριξης για τα νοικοκυριά που πλήττονται από την ακρίβεια.",
    "ru": "Министерство финансов сообщило во вторник о росте дефицита бюджета в первом квартале на треть.",
    "zh": "国家统计局周二公布的数据显示，今年第一季度国内生产总值同比增长百分之五点三，高于市场预期。",
    "ko": "현대자동차는 울산에 2조원을 투자해 전기차 전용 공장을 짓는다고 월요일 밝혔다.",
    "ar": "أعلنت الحكومة يوم الثلاثاء عن حزمة جديدة من الإجراءات لدعم الأسر المتضررة من ارتفاع الأسعار.",
    "en": "The port authority said on Tuesday it would add night shifts at two container terminals.",
}
HEADLINES = {
    "el": ["Νέα μέτρα για την ακρίβεια", "Τι αλλάζει στις συντάξεις", "Ο καιρός αύριο"],
    "ru": ["Новые меры поддержки семей", "Что изменится с пенсиями", "Погода на завтра"],
    "zh": ["市区新增三条公交线路", "今年首批保障房项目开工", "气象台发布大风蓝色预警"],
    "ko": ["정부, 새 물가 대책 발표", "연금 무엇이 바뀌나", "내일 날씨"],
    "ar": ["إجراءات جديدة لمواجهة الغلاء", "ما الذي سيتغير في المعاشات", "طقس الغد"],
    "en": ["New measures on prices", "What changes for pensions", "Tomorrow's weather"],
}


@pytest.mark.parametrize("lang", sorted(SENTENCES))
def test_sentence_words_count_prose_not_headlines(lang: str) -> None:
    """Words in sentence lines, in every script: a headline list has none, prose all."""
    headlines = "\n".join(HEADLINES[lang] * 4)
    assert prose_words(headlines)[0] == 0
    prose, total = prose_words(SENTENCES[lang] + "\n" + SENTENCES[lang])
    assert prose == total > 0


@pytest.mark.parametrize("lang", sorted(SENTENCES))
def test_choice_needs_a_clear_gain(lang: str) -> None:
    fb = CFG["extract"]["fallback"]
    headlines = "\n".join(HEADLINES[lang] * 4)
    article = "\n".join([SENTENCES[lang]] * 6)
    assert choose_fallback(headlines, [("main_block", article)], fb) == ("main_block", article)
    # the article itself is never replaced by a list, nor by a slightly longer version of itself
    assert choose_fallback(article, [("main_block", headlines)], fb) is None
    assert choose_fallback(article, [("readability", article + "\n" + SENTENCES[lang])], fb) is None
    # of two qualifying candidates, the one with less chrome around the same sentences wins
    chrome = article + "\n" + headlines
    assert choose_fallback(headlines, [("trafilatura_tables", chrome), ("readability", article)], fb)[0] == "readability"


@pytest.mark.parametrize("name, expect", [
    ("el_layout_table_article.html", "Η μονάδα έχει δυναμικότητα τριών χιλιάδων"),
    ("en_hyundai_georgia.html", "brought forward the start of production"),
    ("ko_kia_ev9.html", None),
])
def test_every_candidate_reads_the_article(fixtures_dir: Path, name: str, expect: str | None) -> None:
    """Each alternative extraction returns the article's sentences (readability's block is a bare
    <div> fragment, which trafilatura reads only inside a document body)."""
    from cleaning.extract import _fallback_candidates

    cands = dict(_fallback_candidates(_html(fixtures_dir, name), None, CFG))
    assert set(cands) == {"trafilatura_tables", "readability", "main_block"}
    for label, text in cands.items():
        assert prose_words(text)[0] >= 30, label
        if expect:
            assert expect in text, label


@pytest.mark.parametrize("lang", sorted(SENTENCES))
def test_same_article_without_the_chrome_replaces_it(lang: str) -> None:
    """trafilatura took the article with a long list of menu and headline lines: a candidate with
    the same sentences and at most half the other lines is used; one that drops sentences is not."""
    fb = CFG["extract"]["fallback"]
    article = "\n".join([SENTENCES[lang]] * 3)
    menus = "\n".join(HEADLINES[lang] * 12)
    primary = menus + "\n" + article + "\n" + menus
    assert choose_fallback(primary, [("readability", article)], fb) == ("readability", article)
    shorter = "\n".join([SENTENCES[lang]] * 2)
    assert choose_fallback(primary, [("readability", shorter)], fb) is None
    most_menus = menus + "\n" + article + "\n" + "\n".join(HEADLINES[lang] * 6)  # 3/4 of the chrome kept
    assert choose_fallback(primary, [("main_block", most_menus)], fb) is None
