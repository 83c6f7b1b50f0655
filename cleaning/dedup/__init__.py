"""Deduplication (placeholder: exact hashes only; replaced by the Dedup issue's MinHash LSH)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Config
from ..document import Document, Duplicate

_PUNCT_WS = re.compile(r"[\W_]+", re.UNICODE)


def normalize_for_hash(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return _PUNCT_WS.sub(" ", text).strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalize_for_hash(text).encode()).hexdigest()[:32]


@dataclass(slots=True)
class DocSignature:
    id: str
    source: str
    url: str | None
    sitename: str | None
    published: str | None
    text_chars: int
    n_metadata: int
    content_hash: str
    minhash: Any = None
    n_shingles: int = 0


@dataclass(slots=True)
class DedupOutcome:
    clusters: dict[str, tuple[str, int]] = field(default_factory=dict)
    duplicates: list[Duplicate] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)


def compute_signatures(docs: list[Document], config: Config) -> list[DocSignature]:
    return [
        DocSignature(d.id, d.source, d.url, d.sitename, d.published, len(d.text),
                     sum(1 for v in (d.title, d.author, d.published, d.url, d.sitename) if v),
                     content_hash(d.text))
        for d in docs
    ]


class DedupIndex:
    def __init__(self, state_dir: Path | None) -> None:
        self.state_dir = state_dir

    def add(self, sigs: list[DocSignature]) -> None:
        pass

    def close(self) -> None:
        pass


def open_index(config: Config, state_dir: Path | None) -> DedupIndex:
    return DedupIndex(state_dir)


def resolve_duplicates(sigs: list[DocSignature], config: Config, index: DedupIndex | None) -> DedupOutcome:
    out = DedupOutcome()
    first: dict[str, str] = {}
    for s in sorted(sigs, key=lambda s: s.id):
        if s.content_hash in first:
            out.duplicates.append(Duplicate(s.id, s.source, first[s.content_hash], 1.0, "exact", s.url))
        else:
            first[s.content_hash] = s.id
    for s in sigs:
        if s.content_hash in first and first[s.content_hash] == s.id:
            out.clusters[s.id] = (s.id, 1)
    return out
