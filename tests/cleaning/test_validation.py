"""Validation: the GX suites on the seeds (all pass) and on a deliberately broken corpus (exactly
the planted faults fail), the report and its failure message, corpus files, and the Data Docs
opened offline in real headless Chromium.

GX is slow to import (~3.5 s), so every GX run happens once, in module-scoped fixtures; the
seeds run and the broken run share one output folder, as two runs of a pipeline would.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cleaning import validation as v
from cleaning.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
# The corpus may only hold these languages in this test (language.keep).
CONFIG = load_config(overrides={"language": {"keep": ["en", "ko"]}})

# What the seeds are about, as the extractor would have found it (titles, dates, URLs).
SEED_META = {
    "000_c890ac01d5c57a8c": ("Polestar 4 to be built at Renault Korea Motors' Busan plant", "2023-11-10",
                             "https://www.renaultgroup.com/en/news-on-air/news/polestar-4-busan"),
    "001_856dfffb84b6831f": ("Renault-Nissan Alliance invests $160 million in Korea", "2013-03-26",
                             "https://www.renault-nissan-alliance.com/news/invests-160-million-korea"),
    "002_cb31e03ef644ea87": ("BYD and KG Mobility in talks on EV battery cell factory in South Korea", None,
                             "https://www.businesskorea.co.kr/news/articleView.html?idxno=230515"),
    "003_a00562647d89fb25": ("Polestar and SK Inc. to co-develop performance EVs and batteries", "2021-03-04",
                             "https://www.gizmochina.com/2021/03/04/polestar-sk-inc-partnership/"),
}
GERMAN_TEXT = (
    "Der Autobauer Renault Korea will im Werk Busan ab der zweiten Jahreshälfte 2025 das "
    "Elektro-SUV Polestar 4 fertigen. Das teilten die Unternehmen am Freitag in Seoul mit. Die "
    "Fabrik liegt direkt am Exporthafen und beschäftigt rund 2000 Menschen. Polestar, eine Tochter "
    "des chinesischen Geely-Konzerns, will mit der Produktion in Südkorea Zölle auf in China gebaute "
    "Autos umgehen und den nordamerikanischen Markt beliefern. Branchenbeobachter rechnen mit einer "
    "Jahreskapazität von bis zu 300.000 Fahrzeugen für das gesamte Werk, das bislang vor allem "
    "Hybridmodelle für den Export baut."
)
LEFTOVER_TRAILER = "Read more…Microsoft says that Russian hacking campaign hit over 40 businesses"

EXPECTED_BROKEN = {
    "clean_corpus.id_unique",  # duplicate ids
    "clean_corpus.text_not_blank",  # empty text
    "clean_corpus.word_count_in_bounds",  # ... which has 0 words
    "clean_corpus.no_trailer_markers",  # a leftover "Read more…" line
    "clean_corpus.language_in_set",  # German in an en/ko corpus
    "clean_corpus.published_in_range",  # a date in the future
    "raw_documents.url_well_formed",  # a relative URL from ingest
    "run_summary.accounting_holds",  # 7 inputs, 6 accounted for
}
EXPECTED_CRITICAL = {
    "clean_corpus.id_unique",
    "clean_corpus.text_not_blank",
    "clean_corpus.language_in_set",
    "run_summary.accounting_holds",
}


def _cleaner_has_markers() -> bool:
    import cleaning.clean

    return hasattr(cleaning.clean, "trailer_marker_patterns")


def _record(doc_id: str, text: str, removed: list[dict[str, Any]], title: str | None, published: str | None,
            url: str, language: str = "en") -> dict[str, Any]:
    return {
        "id": doc_id, "source": f"seeds/{doc_id}.txt", "url": url, "title": title, "published": published,
        "author": None, "sitename": url.split("/")[2], "language": language, "language_score": 0.9999,
        "text": text, "word_count": len(text.split()),
        "content_hash": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "removed": removed, "cluster_id": None, "cluster_size": None,
        "metadata": {"extracted_with": "trafilatura 2.3.1"},
    }


def seed_record(path: Path) -> dict[str, Any]:
    """A seed as the cleaner would leave it: lines starting with a trailer marker removed,
    each removal recorded as a span of the original text."""
    original = path.read_text("utf-8")
    markers = [re.compile(rx) for _, rx in v.trailer_patterns(CONFIG)]
    kept, removed, pos = [], [], 0
    for line in original.splitlines(keepends=True):
        if any(m.search(line) for m in markers):
            removed.append({"rule": "trailer", "text": line, "start": pos, "end": pos + len(line)})
        else:
            kept.append(line)
        pos += len(line)
    title, published, url = SEED_META[path.stem]
    return _record(path.stem, "".join(kept).strip(), removed, title, published, url)


def raw_row(rec: dict[str, Any]) -> dict[str, Any]:
    return {"id": rec["id"], "source": rec["source"], "url": rec["url"], "content_chars": len(rec["text"]) + 500,
            "kind": "text"}


def good_rows() -> list[dict[str, Any]]:
    return [seed_record(p) for p in SEEDS]


def broken_rows() -> list[dict[str, Any]]:
    rows = copy.deepcopy(good_rows())
    rows[0]["published"] = "2031-11-10"  # future date (day and year swapped by a parser)
    rows[1]["id"] = rows[0]["id"]  # duplicate id, different text
    rows[2].update(text="", word_count=0, content_hash=hashlib.sha256(b"").hexdigest())  # empty text
    text = rows[3]["text"] + "\n" + LEFTOVER_TRAILER  # a trailer the cleaner missed
    rows[3].update(text=text, word_count=len(text.split()), content_hash=hashlib.sha256(text.encode()).hexdigest())
    rows.append(_record("004_german_brief", GERMAN_TEXT, [], "Polestar 4 kommt aus Busan", "2023-11-10",
                        "https://www.example-auto.de/news/polestar-4-busan", language="de"))
    return rows


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("validation_out")


@pytest.fixture(scope="module")
def good_report(out_dir) -> v.ValidationReport:
    rows = good_rows()
    summary = {"inputs": 6, "kept": 4, "rejected": 1, "duplicates": 1}
    return v.validate_run(out_dir, CONFIG, [raw_row(r) for r in rows], rows, summary, "seeds-run")


@pytest.fixture(scope="module")
def broken_report(out_dir, good_report) -> v.ValidationReport:  # after good_report: same site, 2nd run
    rows = broken_rows()
    raw = [raw_row(r) for r in good_rows()] + [dict(raw_row(rows[-1]), url="/news/polestar-4-busan")]
    summary = {"inputs": 7, "kept": 5, "rejected": 1, "duplicates": 0}
    return v.validate_run(out_dir, CONFIG, raw, rows, summary, "broken-run")


# ------------------------------------------------------------------ suites and report


def test_seeds_pass_every_expectation_of_every_suite(good_report):
    assert good_report.success
    assert good_report.failed_names() == set()
    assert [s.name for s in good_report.suites] == list(v.SUITE_NAMES)
    for suite in good_report.suites:
        on_disk = json.loads((ROOT / "expectations" / f"{suite.name}.json").read_text())
        assert [e.name for e in suite.expectations] == [e["meta"]["name"] for e in on_disk["expectations"]]
        assert all("error" not in e.observed for e in suite.expectations), suite.name


def test_broken_corpus_fails_exactly_the_planted_faults(broken_report):
    assert broken_report.failed_names() == EXPECTED_BROKEN
    assert {e.full_name for e in broken_report.critical_failures} == EXPECTED_CRITICAL
    assert not broken_report.success
    assert all("error" not in e.observed for s in broken_report.suites for e in s.expectations)


def test_failures_carry_examples_of_the_failing_rows(broken_report):
    corpus = {e.name: e for e in broken_report.suite("clean_corpus").expectations}
    assert {x["id"] for x in corpus["id_unique"].examples} == {"000_c890ac01d5c57a8c"}
    assert corpus["text_not_blank"].examples == [{"id": "002_cb31e03ef644ea87", "value": ""}]
    assert corpus["language_in_set"].examples == [{"id": "004_german_brief", "value": "de"}]
    trailer = corpus["no_trailer_markers"].examples
    assert [x["id"] for x in trailer] == ["003_a00562647d89fb25"]
    assert "Read more…Microsoft" in trailer[0]["value"]  # the offending line, not the text's start
    assert trailer[0]["marker"] == ("promo" if _cleaner_has_markers() else "read_more")
    assert corpus["published_in_range"].examples[0]["id"] == "000_c890ac01d5c57a8c"
    assert corpus["id_unique"].observed["unexpected_count"] == 2
    summary = broken_report.suite("run_summary").expectations[0]
    assert summary.name == "accounting_holds" and summary.critical and not summary.success


def test_raise_for_critical_names_each_critical_failure_with_examples(broken_report, good_report):
    v.raise_for_critical(good_report)  # nothing critical: no exception
    with pytest.raises(v.ValidationFailed) as excinfo:
        v.raise_for_critical(broken_report)
    message = str(excinfo.value)
    assert "4 critical expectation(s) failed" in message
    for name in EXPECTED_CRITICAL:
        assert name in message
    assert "id=004_german_brief 'de'" in message
    assert "why it matters:" in message
    assert "no_trailer_markers" not in message  # a warning, not a reason to fail the run
    assert excinfo.value.report is broken_report
    import pickle  # a Prefect task may raise it in another process

    again = pickle.loads(pickle.dumps(excinfo.value))
    assert str(again) == message and again.report.failed_names() == broken_report.failed_names()


def test_report_dict_is_json_and_has_no_run_time_or_absolute_paths(broken_report):
    data = broken_report.to_dict()
    text = json.dumps(data, ensure_ascii=False)
    assert json.loads(text) == data
    assert data["data_docs_index"] == "validation/index.html"
    assert str(broken_report.out_dir) not in text
    assert not re.search(r"\d{8}T\d{6}", text) and broken_report.run_time not in text  # no run time
    assert list(data) == ["run_name", "success", "data_docs_index", "critical_failures", "warnings", "suites"]


def test_markdown_summarizes_each_suite_and_links_data_docs(broken_report):
    md = broken_report.to_markdown()
    assert "**FAILED (4 critical), 4 warning(s)**" in md
    assert "[validation/index.html](validation/index.html)" in md
    assert "| clean_corpus | **fail** | 14 | 6 (3) |" in md
    assert "| no_trailer_markers | text | warning | 1 of 5 rows unexpected (20.0%) |" in md
    assert "| accounting_holds | accounted, inputs | critical | 1 of 1 rows unexpected (100.0%) " \
           "| {'accounted': 6, 'inputs': 7} |" in md
    for name in v.SUITE_NAMES:
        assert f"### {name}: fail" in md
    absolute = broken_report.to_markdown(absolute_links=True)
    assert f"({broken_report.data_docs_index.resolve().as_uri()})" in absolute


def test_a_run_that_keeps_nothing_has_no_critical_failure(tmp_path):
    summary = {"inputs": 3, "kept": 0, "rejected": 3, "duplicates": 0}
    report = v.validate_run(tmp_path, CONFIG, [raw_row(r) for r in good_rows()[:3]], [], summary, "all-rejected")
    assert report.success
    # shares of nothing are undefined, and rejecting everything is worth a look: warnings only
    assert report.failed_names() == {
        "clean_corpus.title_mostly_present", "clean_corpus.removal_share_in_bounds", "run_summary.rejection_ratio_in_bounds",
    }


def test_removal_share_ignores_whitespace_tidying_and_blank_titles_count_as_missing():
    rows = good_rows()[:3]
    rows[0]["removed"] = [{"rule": "whitespace", "text": "\n", "start": 0, "end": 1}]
    rows[1]["title"] = "  "
    frame = v.corpus_frame(rows, ignore_rules=["whitespace"])
    assert frame["has_removal"].tolist() == [0, 1, 1]
    assert frame["title"].isna().tolist() == [False, True, False]
    assert str(frame["published_date"].dtype) == "datetime64[ns]"
    assert "removed" not in frame.columns and "metadata" not in frame.columns


def test_corpus_files_jsonl_and_parquet_give_the_same_result_as_the_run(tmp_path, good_report, broken_report):
    good_path = tmp_path / "corpus.jsonl"
    good_path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in good_rows()), "utf-8")
    from_jsonl = v.validate_corpus_file(good_path, CONFIG, tmp_path / "out")
    assert from_jsonl.success and [s.name for s in from_jsonl.suites] == ["clean_corpus"]
    assert from_jsonl.suite("clean_corpus").to_dict() == good_report.suite("clean_corpus").to_dict()

    import pandas as pd

    broken_path = tmp_path / "corpus.parquet"
    pd.DataFrame(broken_rows()).to_parquet(broken_path)
    from_parquet = v.validate_corpus_file(broken_path, CONFIG, tmp_path / "out")
    assert from_parquet.suite("clean_corpus").to_dict() == broken_report.suite("clean_corpus").to_dict()
    assert from_parquet.run_name == "validate-corpus"


def test_corpus_file_errors_are_named(tmp_path):
    with pytest.raises(FileNotFoundError):
        v.read_corpus_file(tmp_path / "missing.jsonl")
    (tmp_path / "corpus.csv").write_text("id,text\n")
    with pytest.raises(ValueError, match="unknown corpus format"):
        v.read_corpus_file(tmp_path / "corpus.csv")
    (tmp_path / "bad.jsonl").write_text('{"id": "a"}\n{"id": \n')
    with pytest.raises(ValueError, match="bad.jsonl:2"):
        v.read_corpus_file(tmp_path / "bad.jsonl")
    with pytest.raises(ValueError, match="duplicates"):
        v.summary_frame({"inputs": 3, "kept": 3, "rejected": 0})


# ------------------------------------------------------------------ config references


def test_suite_thresholds_come_from_the_config_by_reference():
    cfg = load_config(overrides={"quality": {"too_short": {"min_words": 120}}, "language": {"keep": "all"}})
    suite = {e["meta"]["name"]: e for e in v.load_suite("clean_corpus", cfg)["expectations"]}
    assert suite["word_count_in_bounds"]["kwargs"]["min_value"] == 120
    assert suite["word_count_in_bounds"]["kwargs"]["max_value"] == cfg["quality"]["too_long"]["max_words"]
    assert suite["language_in_set"]["kwargs"]["value_set"] == sorted(cfg["validation"]["languages"]["known"])
    assert suite["published_in_range"]["kwargs"]["min_value"] == "1990-01-01T00:00:00"
    assert suite["no_trailer_markers"]["kwargs"]["regex_list"] == [v.combined_trailer_regex(cfg)]


@pytest.mark.parametrize("line, hit", [
    ("Read more…Microsoft says that Russian hacking campaign hit over 40 businesses", True),
    ("Skip to main content", True),
    ("Related Content", True),
    ("Photo: KG Mobility Newsroom", True),
    ("Readers wanted more detail on the Busan plant's capacity.", False),
    ("The photo: a line of Polestar 4s leaving the Busan plant, was widely shared.", False),
])
def test_combined_trailer_regex_matches_exactly_what_the_patterns_match(line, hit):
    text = f"The Busan plant has approximately 2,000 employees.\n{line}\nProduction starts in 2025."
    separate = any(re.search(rx, text) for _, rx in v.trailer_patterns(CONFIG))
    assert separate is hit
    assert bool(re.search(v.combined_trailer_regex(CONFIG), text)) is hit


def test_severity_is_data_and_a_dangling_reference_is_an_error():
    cfg = load_config(overrides={"validation": {"severity": {"clean_corpus.no_trailer_markers": "critical"}}})
    suite = {e["meta"]["name"]: e for e in v.load_suite("clean_corpus", cfg)["expectations"]}
    assert suite["no_trailer_markers"]["meta"]["critical"] is True
    bad = load_config(overrides={"validation": {"word_count": {"min": {"$config": "quality.no_such_key"}}}})
    with pytest.raises(ConfigError, match="quality.no_such_key"):
        v.load_suite("clean_corpus", bad)


def test_trailer_markers_catch_the_seed_trailers_and_spare_clean_text():
    markers = [re.compile(rx) for _, rx in v.trailer_patterns(CONFIG)]
    raw_hits = [p.name for p in SEEDS if any(m.search(p.read_text("utf-8")) for m in markers)]
    assert "001_856dfffb84b6831f.txt" in raw_hits  # "Skip to main content"
    assert "003_a00562647d89fb25.txt" in raw_hits  # "Read more…"
    assert not any(m.search(r["text"]) for r in good_rows() for m in markers)


# ------------------------------------------------------------------ Data Docs, offline


def test_data_docs_accumulate_runs_and_reference_no_remote_assets(out_dir, good_report, broken_report):
    site = out_dir / "validation"
    assert broken_report.data_docs_index == site / "index.html"
    index = (site / "index.html").read_text("utf-8")
    for report in (good_report, broken_report):
        for page in report.pages.values():
            assert page.is_file(), page
            assert page.relative_to(site).as_posix() in index  # linked from the index
    assert broken_report.remote_assets_left == []
    for suite in v.SUITE_NAMES:  # each expectation's "why" (meta.notes) is shown as a GX note
        n_expectations = len(json.loads((ROOT / "expectations" / f"{suite}.json").read_text())["expectations"])
        assert (site / "expectations" / f"{suite}.html").read_text("utf-8").count("fa-comment") == n_expectations
    pages = [p for p in site.rglob("*.html") if "static" not in p.relative_to(site).parts]
    assert len(pages) >= 1 + 3 + 6  # index, 3 suite pages, 2 runs x 3 validation pages
    for page in pages:
        html = page.read_text("utf-8")
        assert v.remote_asset_references(html) == [], page
        for ref in re.findall(r'(?:src|href)="((?:\.\./)*static/vendor/[^"]+)"', html):
            assert (page.parent / ref).resolve().is_file(), (page, ref)


def test_generated_pages_reference_no_remote_assets():
    """Every CDN/S3 asset the installed GX templates name has a vendored replacement."""
    import great_expectations

    views = Path(great_expectations.__file__).parent / "render" / "view"
    named = set()
    for path in list(views.rglob("*.j2")) + list(views.rglob("*.css")):
        named.update(v.remote_asset_references(path.read_text("utf-8")))
    named = {u for u in named if "{{" not in u}
    s3 = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/full_logo_dark.png"
    assert named - set(v.OFFLINE_ASSETS) - {s3} == set()
    for local in v.OFFLINE_ASSETS.values():
        assert (v.ASSETS_DIR / local).is_file(), local


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI"):
        pytest.fail("chromium is required in CI (apt-get install -y chromium)")
    pytest.skip("chromium not installed")


def _offline_chromium(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """Headless Chromium with every network request refused: proxy to a closed port, no DNS."""
    cmd = [
        _chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
        "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>", "--host-resolver-rules=MAP * ~NOTFOUND",
        "--virtual-time-budget=5000", "--window-size=1400,900", *args, url,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True)


def test_index_renders_offline_in_headless_chromium(out_dir, good_report, broken_report, tmp_path):
    index_url = broken_report.data_docs_index.as_uri()
    dom = _offline_chromium(index_url, tmp_path, "--dump-dom").stdout
    # bootstrap-table (vendored JS, run from file://) built the table from the inline data.
    assert 'class="bootstrap-table bootstrap4"' in dom
    rows = re.findall(r'<tr class="clickable-row" data-href="(validations/[^"]+)"', dom)
    assert len(rows) == 6
    for run in ("seeds-run", "broken-run"):
        for suite in v.SUITE_NAMES:
            assert any(r.startswith(f"validations/{suite}/{run}/") for r in rows), (suite, run)
    # pass/fail icons: the seeds run passes, every suite of the broken run has a failure
    # (rendered rows only: the same markup also sits in the page's inline table data)
    status = {
        href: "pass" if "ge-success-icon" in cells else "fail"
        for href, cells in re.findall(r'<tr class="clickable-row" data-href="(validations/[^"]+)"[^>]*>(.*?)</tr>', dom, re.DOTALL)
    }
    assert sorted(status.values()) == ["fail"] * 3 + ["pass"] * 3
    assert all(s == ("pass" if "/seeds-run/" in h else "fail") for h, s in status.items())

    shot = tmp_path / "index.png"
    _offline_chromium(index_url, tmp_path, f"--screenshot={shot}")
    assert _pixels_near(shot, (40, 167, 69)) > 50  # Bootstrap's text-success #28a745
    assert _pixels_near(shot, (220, 53, 69)) > 20  # text-danger #dc3545


def _pixels_near(png: Path, rgb: tuple[int, int, int], tolerance: int = 25) -> int:
    """How many pixels have about this colour. The status icons are Font Awesome glyphs coloured
    by Bootstrap classes: they are only drawn when both the CSS and the webfont loaded from disk
    (unstyled, the <i> elements are empty and nothing on the page is green or red)."""
    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(png).convert("RGB"), dtype=np.int16)
    return int((np.abs(pixels - np.array(rgb)) < tolerance).all(axis=-1).sum())


def test_validation_page_renders_offline_with_the_failed_expectation(broken_report, tmp_path):
    page = broken_report.pages["clean_corpus"]
    dom = _offline_chromium(page.as_uri(), tmp_path, "--dump-dom").stdout
    assert "clean_corpus" in dom
    assert "Failed" in dom
    # the failed expectations with their unexpected values, in the order GX renders columns
    assert re.search(r"2 unexpected values found.*000_c890ac01d5c57a8c", dom, re.DOTALL)  # duplicate id
    assert re.search(r"values must belong to this set.*1 unexpected values found.*>de<", dom, re.DOTALL)


def test_missing_titles_count_only_where_the_input_carries_one():
    rows = good_rows()[:3]
    for r in rows:
        r["title"] = None
    rows[0]["metadata"] = {"input_kind": "text"}
    rows[1]["metadata"] = {"input_kind": "text"}
    rows[2]["metadata"] = {"input_kind": "html"}
    frame = v.corpus_frame(rows)
    assert frame["title_missing"].tolist() == [0, 0, 1], "a plain-text input without a headline is not a lost title"
