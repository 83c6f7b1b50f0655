"""The atomic writer: whole files or none, with the permissions a plain open() would give."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cleaning.output import atomic_write_bytes, write_jsonl

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_outputs_honour_the_umask_like_open(tmp_path: Path, umask: int) -> None:
    """Run in a child process so the umask of the test process is left alone."""
    code = (
        "import os, sys; from pathlib import Path; from cleaning.output import write_jsonl, atomic_write_bytes\n"
        f"os.umask({umask}); d = Path(sys.argv[1])\n"
        "write_jsonl(d / 'corpus.jsonl', [{'id': 'a', 'text': 'Zażółć gęślą jaźń. 안녕하세요.'}])\n"
        "atomic_write_bytes(d / 'report.json', b'{}')\n"
        "open(d / 'plain.txt', 'w').close()\n"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, check=True,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})
    plain = stat.S_IMODE((tmp_path / "plain.txt").stat().st_mode)
    assert plain == 0o666 & ~umask
    for name in ("corpus.jsonl", "report.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == plain, name


def test_a_failed_write_leaves_the_previous_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "rejected.jsonl"
    atomic_write_bytes(target, b"before\n")

    def records():
        yield {"id": "1"}
        raise RuntimeError("disk went away")

    with pytest.raises(RuntimeError):
        write_jsonl(target, records())
    assert target.read_bytes() == b"before\n"
    assert [p.name for p in tmp_path.iterdir()] == ["rejected.jsonl"]
