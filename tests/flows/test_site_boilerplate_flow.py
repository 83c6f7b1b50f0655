"""site_boilerplate in the flow: counts learned run after run in the state directory, removed before dedup."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cleaning"))

from test_site_boilerplate import BODIES, FOOTER, NEWSLETTER  # noqa: E402

from flows.pipeline import newsclean_flow  # noqa: E402


def _write(path: Path, langs: list[str]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for lang in langs:
            fh.write(json.dumps({"url": f"https://www.globalwire.example/{lang}/story", "sitename": "Global Wire",
                                 "text": f"{BODIES[lang]}\n\n{NEWSLETTER}\n\n{FOOTER}\n"}, ensure_ascii=False) + "\n")


def test_site_template_is_learned_across_runs_and_removed_with_provenance(prefect_harness, tmp_path: Path):
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    _write(inputs / "day1.jsonl", ["ko", "ru", "el"])
    first = newsclean_flow(inputs=[str(inputs)], out=str(out))
    assert first["counts"]["kept"] == 3
    assert "site_boilerplate" not in first["removals_by_rule"]  # 3 pages: not yet a template

    _write(inputs / "day2.jsonl", ["pl", "ar", "en"])
    second = newsclean_flow(inputs=[str(inputs)], out=str(out))
    assert second["counts"]["kept"] == 3 and second["counts"]["duplicates"] == 0
    assert second["removals_by_rule"]["site_boilerplate"] >= 3  # the rest may go to nav (copyright line)
    rows = [json.loads(line) for line in (out / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    by_lang = {r["url"].split("/")[3]: r for r in rows}
    for lang in ("pl", "ar", "en"):
        cut = [r for r in by_lang[lang]["removed"] if r["rule"] == "site_boilerplate"]
        assert cut and all(r["detail"] == "site Global Wire: line in 6 of 6 documents" for r in cut)
        assert NEWSLETTER not in by_lang[lang]["text"] and FOOTER not in by_lang[lang]["text"]
        assert BODIES[lang].split("\n\n")[0] in by_lang[lang]["text"]
    for lang in ("ko", "ru", "el"):  # the earlier corpus is immutable
        assert NEWSLETTER in by_lang[lang]["text"]
