"""[output] format: Parquet twins of the JSONL parts, read back by the usual dataframe tools."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from cleaning.output import PARQUET_KINDS, jsonl_part_to_parquet, output_format, parquet_schema, sync_parquet
from flows.pipeline import newsclean_flow

_JSON_COLUMNS = {"removed", "metadata", "value", "threshold"}


def _corpus(root: Path, seeds_dir: Path) -> Path:
    """The seeds, a near copy of each (one word changed, another site), news briefs in four
    scripts, and inputs that are rejected (too short, empty)."""
    rng = random.Random(5)
    records = []
    for k, p in enumerate(sorted(seeds_dir.glob("*.txt"))):
        words = p.read_text(encoding="utf-8").split(" ")
        words[rng.randrange(len(words) // 2, len(words))] = "edited"
        records.append({"id": f"copy-{k}", "url": f"https://mirror.example/{k}", "text": " ".join(words),
                        "published": "2024-03-0%d" % (k + 1)})
    briefs = [
        "The port of Busan handled record container volumes in May as exports of cars and chips rose again, "
        "officials said on Monday, adding that new berths would open next year to ease congestion.",
        "Центральный банк сохранил ключевую ставку без изменений, сославшись на замедление инфляции и "
        "неопределённость во внешней торговле, сообщили в пресс-службе регулятора в пятницу.",
        "Η κυβέρνηση ανακοίνωσε νέο πρόγραμμα στήριξης για τους αγρότες που επλήγησαν από την ξηρασία, "
        "με επιδοτήσεις για άρδευση και ζωοτροφές μέχρι το τέλος του έτους.",
        "서울시는 내년부터 시내버스 요금을 150원 인상한다고 밝혔다. 시는 연료비와 인건비 상승으로 적자가 "
        "누적돼 불가피한 조치라고 설명했으며 저소득층 지원책도 함께 내놓았다.",
    ]
    records += [{"id": f"brief-{k}", "url": f"https://a.example/{k}", "title": f"Brief {k}", "text": t}
                for k, t in enumerate(briefs)]
    records.append({"id": "tiny", "text": "Too short."})
    root.mkdir()
    (root / "batch.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                                      encoding="utf-8")
    for p in sorted(seeds_dir.glob("*.txt")):
        (root / p.name).write_bytes(p.read_bytes())
    (root / "empty.txt").write_bytes(b"")
    return root


def _config(tmp: Path, fmt: str, batch_size: int = 500) -> str:
    path = tmp / f"{fmt}-{batch_size}.toml"
    path.write_text(f'[output]\nformat = "{fmt}"\n[pipeline]\nbatch_size = {batch_size}\n', encoding="utf-8")
    return str(path)


def _jsonl_records(out: Path, kind: str) -> list[dict]:
    rows = []
    for part in sorted((out / kind).glob("part-*.jsonl")):
        rows += [json.loads(line) for line in part.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


def _decoded(row: dict) -> dict:
    return {k: (json.loads(v) if k in _JSON_COLUMNS and v is not None else v) for k, v in row.items()}


def _records_equal(parquet_rows: list[dict], jsonl_rows: list[dict]) -> None:
    assert len(parquet_rows) == len(jsonl_rows) > 0
    for p, j in zip(parquet_rows, jsonl_rows, strict=True):
        assert _decoded(p) == j


@pytest.fixture(scope="module")
def both_runs(prefect_harness, seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("parquet")
    inputs = _corpus(tmp / "inputs", seeds_dir)
    a, b = tmp / "a", tmp / "b"
    newsclean_flow(inputs=[str(inputs)], out=str(a), config_path=_config(tmp, "both"))
    newsclean_flow(inputs=[str(inputs)], out=str(b), config_path=_config(tmp, "both", batch_size=1))
    return a, b


def test_both_writes_parquet_twins_byte_identical_across_batch_sizes(both_runs) -> None:
    a, b = both_runs
    assert (a / "corpus.jsonl").is_file()
    for kind in PARQUET_KINDS:
        files = sorted((a / "parquet" / kind).glob("*.parquet"))
        assert [f.name for f in files] == [p.with_suffix(".parquet").name for p in sorted((a / kind).glob("*.jsonl"))]
        for f in files:
            assert f.read_bytes() == (b / "parquet" / kind / f.name).read_bytes(), f


def test_parquet_rows_equal_the_jsonl_records_with_pandas_and_pyarrow(both_runs) -> None:
    import pandas as pd
    import pyarrow.dataset as ds

    out, _ = both_runs
    for kind in PARQUET_KINDS:
        records = _jsonl_records(out, kind)
        table = ds.dataset(out / "parquet" / kind, format="parquet").to_table()
        assert table.schema == parquet_schema(kind)
        _records_equal(table.to_pylist(), records)
        frame = pd.read_parquet(out / "parquet" / kind)
        assert list(frame["id"]) == [r["id"] for r in records]
    dups = pd.read_parquet(out / "parquet" / "duplicates")
    assert len(dups) >= 4 and ((dups["jaccard"] >= 0.6) | (dups["containment"] >= 0.7)).all()


def test_parquet_parts_load_with_dask_and_hugging_face_datasets(both_runs, tmp_path: Path, monkeypatch) -> None:
    import dask.dataframe as dd

    out, _ = both_runs
    corpus = _jsonl_records(out, "corpus")
    frame = dd.read_parquet(str(out / "parquet" / "corpus")).compute()
    assert list(frame["id"]) == [r["id"] for r in corpus]
    assert list(frame["text"]) == [r["text"] for r in corpus]

    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    loaded = datasets.load_dataset("parquet", data_files=sorted(str(p) for p in (out / "parquet" / "corpus").glob("*.parquet")),
                                   split="train", cache_dir=str(tmp_path / "hf"))
    _records_equal(loaded.to_list(), corpus)


def test_parquet_format_writes_no_jsonl_full_view(prefect_harness, seeds_dir: Path, tmp_path: Path) -> None:
    inputs = _corpus(tmp_path / "inputs", seeds_dir)
    out = tmp_path / "out"
    report = newsclean_flow(inputs=[str(inputs)], out=str(out), config_path=_config(tmp_path, "parquet"))
    assert report["counts"]["accounting_ok"]
    assert not (out / "corpus.jsonl").exists()
    import pyarrow.dataset as ds

    assert ds.dataset(out / "parquet" / "corpus").count_rows() == report["counts"]["kept"]
    assert ds.dataset(out / "parquet" / "rejected").count_rows() == report["counts"]["rejected"]


def test_sync_follows_replaced_parts_and_refuses_unknown_fields(tmp_path: Path) -> None:
    out = tmp_path
    (out / "corpus").mkdir()
    rec = {"id": "a", "source": "s", "text": "Ünïcode text", "removed": [], "metadata": {"k": [1, 2]}, "word_count": 2}
    (out / "corpus" / "part-000001.jsonl").write_text(json.dumps(rec) + "\n", encoding="utf-8")
    manifest = {"parts": {"corpus": [{"file": "corpus/part-000001.jsonl", "run_seq": 1, "records": 1}]}}
    assert sync_parquet(out, manifest, create=False) == {}  # no Parquet folder, not asked for one
    assert sync_parquet(out, manifest)["corpus"] == 1
    assert sync_parquet(out, manifest)["corpus"] == 0  # up to date: nothing rewritten
    (out / "corpus" / "part-000001-000002.jsonl").write_text(json.dumps(rec) + "\n", encoding="utf-8")
    compacted = {"parts": {"corpus": [{"file": "corpus/part-000001-000002.jsonl", "run_seq": 2, "records": 1}]}}
    sync_parquet(out, compacted, create=False)
    assert [f.name for f in (out / "parquet" / "corpus").iterdir()] == ["part-000001-000002.parquet"]
    bad = out / "corpus" / "part-000009.jsonl"
    bad.write_text(json.dumps({**rec, "new_field": 1}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="new_field"):
        jsonl_part_to_parquet(bad, out / "x.parquet", "corpus")
    assert not (out / "x.parquet").exists()


def test_unknown_output_format_is_a_config_error() -> None:
    from cleaning.config import ConfigError

    assert output_format({}) == "jsonl"
    with pytest.raises(ConfigError, match="format"):
        output_format({"output": {"format": "csv"}})


def test_validation_reads_a_parquet_part_as_it_reads_the_jsonl_part(tmp_path: Path) -> None:
    """Nested columns (JSON text in Parquet) are decoded: the derived columns the suite checks
    (has_removal, title_missing) are the same from either file."""
    from cleaning.validation import corpus_frame, read_corpus_file

    rows = [{"id": "a", "source": "s", "text": "Один текст.", "title": None, "removed": [], "metadata": {"input_kind": "text"}},
            {"id": "b", "source": "s", "text": "둘째 기사.", "title": None,
             "removed": [{"rule": "promo", "text": "Read more", "start": 0, "end": 9, "detail": None}],
             "metadata": {"input_kind": "html"}}]
    src = tmp_path / "part-000001.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    jsonl_part_to_parquet(src, tmp_path / "part-000001.parquet", "corpus")
    a = corpus_frame(read_corpus_file(src))
    b = corpus_frame(read_corpus_file(tmp_path / "part-000001.parquet"))
    for col in ("has_removal", "title_missing"):
        assert list(a[col]) == list(b[col]) == [0, 1], col
