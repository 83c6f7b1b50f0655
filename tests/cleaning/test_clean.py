"""Cleaning on the four seed articles (the issue's required results, one assertion each) and the
public API around it: removal records, explain, per-rule counts, marker patterns, config."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cleaning.clean import (
    CleanResult,
    clean_document,
    clean_text,
    explain_document,
    explain_removals,
    removal_counts,
    trailer_marker_patterns,
)
from cleaning.config import default_config, load_config
from cleaning.document import Document, Removal, rebuild_original
from cleaning.extract import document_from_text

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def seed_text(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def config():
    return default_config()


def content_lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.split("\n") if ln.strip()]


# ---- seed 000: press release behind a scraper header ------------------------------------------

@pytest.fixture(scope="module")
def seed000(config):
    raw = seed_text("000")
    doc = document_from_text(raw, "seeds/000")
    return raw, doc, clean_document(doc, config)


def test_seed000_has_no_date_header(seed000):
    _, _, cleaned = seed000
    assert "date 2023-11-10" not in cleaned.text


def test_seed000_published_is_header_date(seed000):
    _, _, cleaned = seed000
    assert cleaned.published == "2023-11-10"


def test_seed000_keeps_every_article_paragraph(seed000):
    _, doc, cleaned = seed000
    assert cleaned.text.startswith("After launching its own hybrid range in 2024")
    assert cleaned.text.rstrip().endswith("supporting our global growth ambitions.”")
    assert content_lines(cleaned.text) == content_lines(doc.text)
    assert {r.rule for r in cleaned.removed} <= {"whitespace"}


def test_seed000_header_removed_even_if_extract_did_not(config):
    result = clean_text(seed_text("000"), config)
    assert not result.text.lstrip().startswith("date")
    assert result.removed[0].rule == "header"
    assert result.published == "2023-11-10"
    assert result.text.rstrip().endswith("supporting our global growth ambitions.”")


# ---- seed 001: trade-journal page with chrome, dateline, noisy repeat, Related Content ----------

@pytest.fixture(scope="module")
def seed001(config):
    doc = document_from_text(seed_text("001"), "seeds/001")
    return doc, clean_document(doc, config)


def test_seed001_skip_to_main_content_gone(seed001):
    assert "Skip to main content" not in seed001[1].text


def test_seed001_dateline_gone(seed001):
    assert "July 23, 2012 Read time: 1 min" not in seed001[1].text
    assert "Read time" not in seed001[1].text


def test_seed001_noisy_repeat_gone(seed001):
    assert "RSS2453" not in seed001[1].text
    assert "Renault-838" not in seed001[1].text


def test_seed001_related_content_section_gone(seed001):
    text = seed001[1].text
    assert "Related Content" not in text
    for item in ("whisky", "Qualcomm", "CO2 targets", "Microsoft"):
        assert item not in text, item


def test_seed001_published_from_dateline(seed001):
    assert seed001[1].published == "2012-07-23"


def test_seed001_lead_stays(seed001):
    assert ("Renault-Nissan Alliance will invest US$160 million in Korea to meet anticipated demand"
            in seed001[1].text)
    assert seed001[1].text.count("will invest US$160 million") == 1


def test_seed001_ghosn_quote_stays(seed001):
    assert "said Renault-Nissan Alliance chairman and CEO Carlos Ghosn" in seed001[1].text
    assert "I am counting on every RSM employee" in seed001[1].text


def test_seed001_formed_in_1999_stays(seed001):
    assert "Formed in 1999, the Renault-Nissan Alliance achieved a record 8.03 million" in seed001[1].text


def test_seed001_exact_cleaned_text(seed001):
    lines = content_lines(seed001[1].text)
    assert lines[0] == "Renault-Nissan Alliance invests $160 million in Korea"
    assert len(lines) == 4
    assert lines[-1].startswith("Formed in 1999")


def test_seed001_removals_are_named(seed001):
    rules = [r.rule for r in seed001[1].removed if r.rule != "whitespace"]
    assert rules == ["nav", "dateline", "repeated_paragraph", "trailer_section"]


# ---- seed 002: photo credit and 17 unheaded finance headlines ---------------------------------

HEADLINES_002 = [ln for ln in seed_text("002").split("\n")[13:] if ln.strip()]


@pytest.fixture(scope="module")
def seed002(config):
    doc = document_from_text(seed_text("002"), "seeds/002")
    return doc, clean_document(doc, config)


def test_seed002_fixture_has_17_headlines():
    assert len(HEADLINES_002) == 17
    assert HEADLINES_002[0].startswith("Oil Prices Rebound")
    assert HEADLINES_002[-1].startswith("Wall Street Futures Slip")


def test_seed002_photo_credit_gone(seed002):
    assert "Photo: KG Mobility Newsroom" not in seed002[1].text


def test_seed002_photo_credit_in_metadata(seed002):
    assert seed002[1].metadata["photo_credits"] == ["KG Mobility Newsroom"]


def test_seed002_all_17_headlines_gone(seed002):
    text = seed002[1].text
    for headline in HEADLINES_002:
        assert headline.strip() not in text, headline
    assert "Oil Prices Rebound" not in text and "Wall Street Futures Slip" not in text


def test_seed002_every_article_paragraph_stays(seed002):
    doc, cleaned = seed002
    article = content_lines(doc.text)[:10]
    assert article[0].startswith("BYD, the world's third-largest EV battery producer")
    assert article[-1].endswith("major production facilities in the U.S.")
    assert content_lines(cleaned.text) == article


# ---- seed 003: "Read more…" glued to a headline mid-article ----------------------------------

@pytest.fixture(scope="module")
def seed003(config):
    doc = document_from_text(seed_text("003"), "seeds/003")
    return doc, clean_document(doc, config)


def test_seed003_read_more_line_gone(seed003):
    assert "Read more…Microsoft says that Russian hacking campaign hit over 40 businesses" not in seed003[1].text
    assert "Russian hacking" not in seed003[1].text


def test_seed003_paragraph_after_promo_stays(seed003):
    assert seed003[1].text.endswith(
        "The South Korean company is looking at the next generation of power technology, "
        "solid-state batteries. They will be more powerful than li-ion versions, with more "
        "performance and range.")


def test_seed003_only_the_promo_removed(seed003):
    doc, cleaned = seed003
    assert [r.rule for r in cleaned.removed] == ["promo"]
    assert len(content_lines(cleaned.text)) == len(content_lines(doc.text)) - 1


# ---- records and API ------------------------------------------------------------------------

@pytest.mark.parametrize("prefix", ["000", "001", "002", "003"])
def test_seed_rebuild_exact_and_idempotent(prefix, config):
    raw = seed_text(prefix)
    result = clean_text(raw, config)
    assert rebuild_original(result.text, result.removed) == raw
    for r in result.removed:
        assert raw[r.start:r.end] == r.text
    again = clean_text(result.text, config)
    assert again.removed == [] and again.text == result.text


def test_clean_document_keeps_known_published(config):
    doc = Document(id="x", source="s", text=seed_text("001"), published="2012-07-01")
    assert clean_document(doc, config).published == "2012-07-01"


def test_clean_document_appends_to_existing_removals(config):
    earlier = Removal("extract.header", "x", 0, 1)
    doc = Document(id="x", source="s", text=seed_text("003"), removed=[earlier])
    cleaned = clean_document(doc, config)
    assert cleaned.removed[0] == earlier and cleaned.removed[1].rule == "promo"


def test_clean_text_without_config_uses_defaults():
    result = clean_text("Skip to main content\nSeoul shares rose on Tuesday as chipmakers gained.\n")
    assert isinstance(result, CleanResult)
    assert result.text == "Seoul shares rose on Tuesday as chipmakers gained.\n"


def test_clean_text_rejects_non_strings(config):
    with pytest.raises(TypeError):
        clean_text(b"bytes", config)  # type: ignore[arg-type]


def test_explain_marks_removed_spans_with_rule_names(config):
    raw = seed_text("003")
    result = clean_text(raw, config)
    shown = explain_removals(raw, result.removed)
    assert "[-promo: Read more…Microsoft says that Russian hacking campaign hit over 40 businesses-]\n" in shown
    assert re.sub(r"\[-\w+: (.*?)-\]", r"\1", shown, flags=re.S) == raw


def test_explain_document_rebuilds_the_original(seed001):
    doc, cleaned = seed001
    shown = explain_document(cleaned)
    assert shown.startswith("[-nav: Skip to main content-]\n")
    assert "[-dateline: July 23, 2012 Read time: 1 min-]\n" in shown
    assert "[-trailer_section: Related Content\n" in shown
    assert re.sub(r"\[-\w+: (.*?)-\]", r"\1", shown, flags=re.S) == doc.text


def test_explain_rejects_removals_that_do_not_match(config):
    with pytest.raises(ValueError):
        explain_removals("Hello world\n", [Removal("nav", "Goodbye", 0, 7)])


def test_removal_counts_per_rule(seed001, seed002):
    counts = removal_counts([seed001[1], seed002[1]])
    assert counts["headline_list"] == 1 and counts["photo_credit"] == 1 and counts["trailer_section"] == 1
    assert list(counts) == sorted(counts)
    assert removal_counts(seed002[1].removed) == removal_counts([seed002[1]])


def test_marker_patterns_find_trailers_but_not_prose(config, seed001, seed002, seed003):
    patterns = [(name, re.compile(rx)) for name, rx in trailer_marker_patterns(config)]
    assert {name for name, _ in patterns} == {"nav", "trailer_section", "promo", "photo_credit"}
    for raw, expected in ((seed_text("001"), {"nav", "trailer_section"}),
                          (seed_text("002"), {"photo_credit"}), (seed_text("003"), {"promo"})):
        assert {name for name, rx in patterns if rx.search(raw)} == expected
    for cleaned in (seed001[1].text, seed002[1].text, seed003[1].text):
        assert not [name for name, rx in patterns if rx.search(cleaned)]
    prose = "Photo evidence showed the ship. Read more about it, he said.\nRelated content was removed.\n"
    assert not [name for name, rx in patterns if rx.search(prose)]


def test_user_config_can_switch_a_rule_off(tmp_path):
    user = tmp_path / "mine.toml"
    user.write_text('[clean]\nrules = ["nav", "whitespace"]\n', encoding="utf-8")
    cfg = load_config(user)
    result = clean_text(seed_text("001"), cfg)
    assert {r.rule for r in result.removed} == {"nav", "whitespace"}


def test_user_config_can_replace_a_phrase_list():
    cfg = load_config(overrides={"clean": {"lang": {"en": {"nav_lines": ["print edition"]}}}})
    text = "Print edition\nThe port handled 23 million TEU last year.\n"
    assert clean_text(text, cfg).text == "The port handled 23 million TEU last year.\n"


def test_unknown_rule_name_is_an_error():
    cfg = load_config(overrides={"clean": {"rules": ["nav", "navv"]}})
    with pytest.raises(ValueError, match="navv"):
        clean_text("text\n", cfg)


BYLINE_AUTHORS = [
    ("By Heekyong Yang and Joyce Lee, Reuters\n\nSEOUL (Reuters) - South Korea's exports rose 5% in May, "
     "the trade ministry said on Monday, helped by chips.\n\nShipments of semiconductors jumped 20% from a "
     "year earlier, data showed.\n", "Heekyong Yang; Joyce Lee"),
    ("By Jane Doe | May 2, 2024\n\nThe city council voted on Tuesday to expand the bus network, officials "
     "said.\n\nThe plan adds twelve routes by next spring.\n", "Jane Doe"),
    ("현대차가 전기차 생산을 늘린다고 3일 밝혔다. 회사는 울산 공장에 새 라인을 짓는다.\n\n회사 관계자는 \"수요가 "
     "늘고 있다\"고 말했다.\n\n워싱턴=김철수 특파원 kimcs@hankyung.com\n", "김철수"),
]


@pytest.mark.parametrize("text,author", BYLINE_AUTHORS)
def test_a_removed_byline_fills_an_empty_author(text: str, author: str) -> None:
    cfg = load_config()
    doc = clean_document(Document(id="b", source="s.txt", text=text), cfg)
    assert any(r.rule == "byline" for r in doc.removed)
    assert doc.author == author and doc.metadata["author_source"] == "byline"
    kept = clean_document(Document(id="b", source="s.txt", text=text, author="Desk Editor"), cfg)
    assert kept.author == "Desk Editor" and "author_source" not in kept.metadata


def test_an_e_mail_only_byline_names_no_author() -> None:
    text = ("현대차가 전기차 생산을 늘린다고 3일 밝혔다. 회사는 울산 공장에 새 라인을 짓는다.\n\n"
            "회사 관계자는 \"수요가 늘고 있다\"고 말했다.\n\nkimcs@hankyung.com\n")
    doc = clean_document(Document(id="b", source="s.txt", text=text), load_config())
    assert any(r.rule == "byline" for r in doc.removed)
    assert doc.author is None
