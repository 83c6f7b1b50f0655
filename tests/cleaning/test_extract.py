"""Extraction: trafilatura on realistic news pages, and the text-header parser."""

from __future__ import annotations

from pathlib import Path

from cleaning.config import load_config
from cleaning.document import Document, Rejection
from cleaning.extract import clean_author, document_from_text, extract_item, non_space_chars, normalize_date, split_text_header
from cleaning.ingest import iter_inputs

CFG = load_config()


def extract_file(path: Path) -> Document | Rejection:
    (item,) = list(iter_inputs([str(path)], CFG))
    return extract_item(item, CFG)


def test_english_page_article_text_and_metadata(fixtures_dir: Path) -> None:
    doc = extract_file(fixtures_dir / "html" / "en_hyundai_georgia.html")
    assert isinstance(doc, Document)
    assert doc.title == "Hyundai speeds up Georgia EV plant as battery joint venture breaks ground"
    assert doc.published == "2023-05-26"
    assert doc.author == "Daniel Whitfield"
    assert doc.sitename == "Auto Industry Daily"
    assert doc.url == "https://www.autoindustrydaily.example/news/2023/05/hyundai-georgia-ev-plant"
    assert "brought forward the start of production" in doc.text
    assert "sold about 24,000 electric vehicles" in doc.text
    for chrome in ("Skip to main content", "Electric Vehicles", "Related Articles", "Sign up for our newsletter",
                   "Privacy policy", "All rights reserved", "KOSPI"):
        assert chrome not in doc.text, chrome
    dropped = {d["category"] for d in doc.metadata["html_dropped"]}
    assert {"related", "newsletter"} <= dropped, "the HTML pre-pass records what it dropped"


def test_korean_page(fixtures_dir: Path) -> None:
    doc = extract_file(fixtures_dir / "html" / "ko_kia_ev9.html")
    assert isinstance(doc, Document)
    assert doc.published == "2023-05-15"
    assert doc.sitename == "모빌리티경제"
    assert "1만367대" in doc.text and "조지아 공장" in doc.text
    for chrome in ("본문 바로가기", "회원가입", "관련기사", "대표전화", "All rights reserved"):
        assert chrome not in doc.text, chrome


def test_page_without_article_is_rejected(fixtures_dir: Path) -> None:
    rej = extract_file(fixtures_dir / "html" / "section_front_no_article.html")
    assert isinstance(rej, Rejection)
    assert rej.reason == "extract.no_content"


def test_empty_body_html_is_rejected(tmp_path: Path) -> None:
    p = tmp_path / "blank.html"
    p.write_text("<html><head><title>x</title></head><body></body></html>", encoding="utf-8")
    rej = extract_file(p)
    assert isinstance(rej, Rejection) and rej.reason == "extract.no_content"


def test_seed_000_header_becomes_metadata(seeds_dir: Path) -> None:
    raw = (seeds_dir / "000_c890ac01d5c57a8c.txt").read_text(encoding="utf-8")
    doc = document_from_text(raw, "seeds/000", CFG)
    assert doc.published == "2023-11-10"
    assert doc.title and doc.title.startswith("After launching its own hybrid range in 2024")
    assert "date 2023-11-10" not in doc.text
    assert doc.text.startswith("After launching its own hybrid range in 2024")


def test_text_without_header_is_untouched(seeds_dir: Path) -> None:
    raw = (seeds_dir / "002_cb31e03ef644ea87.txt").read_text(encoding="utf-8")
    body, published, title = split_text_header(raw)
    assert body == raw and published is None and title is None


def test_header_with_impossible_date_is_left_as_text() -> None:
    body, published, _ = split_text_header("date 2023-13-45 A headline\nBody.")
    assert published is None and body.startswith("date 2023-13-45")


def test_normalize_date_formats() -> None:
    assert normalize_date("2012-07-23T10:00:00Z") == "2012-07-23"
    assert normalize_date("July 23, 2012") == "2012-07-23"
    assert normalize_date("23.07.2012") == "2012-07-23"
    assert normalize_date("yesterday") is None
    assert normalize_date(None) is None


def test_author_keeps_names_and_drops_byline_dates() -> None:
    assert clean_author("Priya Raman; June") == "Priya Raman"
    assert clean_author("Heekyong Yang; Joyce Lee") == "Heekyong Yang; Joyce Lee"
    assert clean_author("Tuesday; 2:15 PM") is None
    assert clean_author("김하늘 기자") == "김하늘 기자"
    assert clean_author(None) is None


STANDINGS_PAGE = """<!DOCTYPE html><html><head><title>Rovers go top after derby win</title></head><body>
<article><h1>Rovers go top after derby win</h1>
<p>Rovers moved to the top of the league on Saturday after a 2-1 win over their city rivals, with
both goals coming in the last ten minutes of a tense derby in front of a sold-out home crowd.</p>
<p>The result leaves United two points behind with four matches to play, while Athletic, who drew
at the coast, remain third and still have a game in hand on both of the leaders.</p>
<table><tr><th>Team</th><th>Played</th><th>Points</th></tr>
<tr><td>Rovers</td><td>34</td><td>71</td></tr>
<tr><td>United</td><td>34</td><td>69</td></tr>
<tr><td>Athletic</td><td>33</td><td>66</td></tr></table>
<p>Rovers travel to Harbour Town next weekend, and their manager said the squad would not look any
further ahead than that game.</p></article></body></html>"""


def test_tables_switch_keeps_table_rows_as_readable_lines(tmp_path: Path) -> None:
    import copy

    page = tmp_path / "standings.html"
    page.write_text(STANDINGS_PAGE, encoding="utf-8")
    (item,) = list(iter_inputs([str(page)], CFG))
    off = extract_item(item, CFG)
    assert isinstance(off, Document) and "Athletic\t33\t66" not in off.text  # the default: no tables
    on_cfg = copy.deepcopy(CFG)
    on_cfg["extract"]["include_tables"] = True
    on = extract_item(item, on_cfg)
    assert isinstance(on, Document)
    assert "Team\tPlayed\tPoints\nRovers\t34\t71\nUnited\t34\t69\nAthletic\t33\t66" in on.text
    assert "|" not in on.text


def test_readable_tables_drops_spacer_and_rule_rows() -> None:
    from cleaning.extract import readable_tables

    text = "Intro.\n|  | Team | Pts |\n|---|---|\n|  |  |\n| Rovers | 71 |\n| A \\| B | 3 |\nEnd."
    assert readable_tables(text) == "Intro.\nTeam\tPts\nRovers\t71\nA | B\t3\nEnd."


def test_non_space_chars_counts_what_isspace_does_not_in_all_of_unicode() -> None:
    """The no-content check counts non-whitespace characters through ``str.split``: the same
    count as testing every character with ``str.isspace``, for every code point (Hangul, Han,
    Cyrillic, Arabic, the ideographic and no-break spaces, lone surrogates included)."""
    everything = "".join(map(chr, range(0x110000)))
    assert non_space_chars(everything) == sum(1 for ch in everything if not ch.isspace())
    assert non_space_chars("\u3000현대차\u00a0 Привет\tمرحبا\n中文 ") == len("현대차Приветمرحبا中文")
    assert non_space_chars("") == 0 and non_space_chars(" \n\u2028\u3000") == 0
