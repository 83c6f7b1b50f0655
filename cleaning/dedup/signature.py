"""DocSignature: everything dedup needs about a document, without its text (picklable: ~1 KB of
MinHash plus 4 bytes per sampled feature, ~1-3 KB for a news article)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

import numpy as np

from ..config import Config
from ..document import Document
from .settings import DedupSettings, dedup_settings
from .sketch import sketch_batch, text_content_hash

_U64 = np.uint64


def sorted_unique(a: np.ndarray) -> np.ndarray:
    """``np.unique(a)`` for a 1-d array, by sorting: numpy 2.4's ``np.unique`` takes a hash path
    when no extra outputs are asked for, measured ~200x slower on 6.6M uint64 (9.7 s vs 0.05 s)
    and 6-30x slower on a few hundred values."""
    s = np.sort(a, axis=None)  # a flattened, sorted copy, as np.unique returns
    if len(s) > 1:
        s = s[np.r_[True, s[1:] != s[:-1]]]
    return s


# in_sorted's bitmap (issue 14: the common step spent 14 of its 39 s at 100k in binary search)
_BITMAP_MAX_BITS = 1 << 28  # a bitmap of ref's whole span: at most 32 MB (zeroed lazily by the
_BITMAP_BITS_PER_VALUE = 1024  # system), and for fewer than 2**16 values at most 128 bytes a value
_CHUNK = 1 << 20  # values tested at a time: bounded temporaries


def in_sorted(values: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """``np.isin(values, ref)`` for a sorted, duplicate-free integer ``ref``: no sort of ``ref``
    per call (np.isin sorts both arrays every time). Binary search, except for many values
    against a ``ref`` that spans few enough integers: a bitmap of its span then answers each
    value with one memory access (the common step's spill files: 2.6M features against 16k
    within 2**28, measured 0.04 s instead of 0.24 s). Both paths give exactly np.isin's answer
    (tested). A filter of ``ref``'s low bits in front of the binary search for wide spans was
    tried and measured no faster on the 30k and 100k dedup folders, so there is none."""
    if not len(ref):
        return np.zeros(len(values), dtype=bool)
    if len(values) >= 4096 and values.dtype == ref.dtype and values.dtype.kind in "iu":
        span = int(ref[-1]) - int(ref[0]) + 1
        if span <= _BITMAP_MAX_BITS and (len(values) >= 1 << 16 or span <= _BITMAP_BITS_PER_VALUE * len(values)):
            return _span_in_sorted(values, ref, span)
    return _binary_in_sorted(values, ref)


def _binary_in_sorted(values: np.ndarray, ref: np.ndarray) -> np.ndarray:
    idx = np.searchsorted(ref, values)
    idx[idx == len(ref)] = len(ref) - 1
    return ref[idx] == values


def _span_in_sorted(values: np.ndarray, ref: np.ndarray, span: int) -> np.ndarray:
    """``in_sorted`` by a bitmap of ``ref``'s span (offsets from ``ref[0]``), a chunk of values at a time."""
    base, top = ref[0], ref[-1]
    off = (ref - base).astype(np.int64)  # exact in ref's own type: sorted, so in [0, span)
    byte = off >> 3
    starts = np.flatnonzero(np.r_[True, byte[1:] != byte[:-1]])
    bitmap = np.zeros((span + 7) >> 3, np.uint8)
    bitmap[byte[starts]] = np.bitwise_or.reduceat((1 << (off & 7)).astype(np.uint8), starts)
    del off, byte, starts
    out = np.empty(len(values), dtype=bool)
    for a in range(0, len(values), _CHUNK):
        x = values[a:a + _CHUNK]
        inside = (x >= base) & (x <= top)
        v = np.where(inside, x - base, 0).astype(np.int64)  # (x - base wraps outside: masked)
        out[a:a + _CHUNK] = ((bitmap[v >> 3] >> (v & 7).astype(np.uint8)) & 1).astype(bool) & inside
    return out


@dataclass(slots=True)
class DocSignature:
    """One document as dedup sees it. ``minhash`` is a uint64 array of ``num_perm`` values
    (all 2**64-1 when the text has no shingle). ``run`` is set for signatures that come back
    from a persisted index: the run that kept them."""

    id: str
    source: str
    url: str | None
    sitename: str | None
    published: str | None
    text_chars: int
    n_metadata: int
    content_hash: str
    minhash: np.ndarray | None = None
    n_shingles: int = 0
    shingle_kind: str = "chars"  # "chars" | "cjk_chars": which character n-gram size was used
    run: str | None = None
    features: np.ndarray | None = None  # sorted distinct uint32 feature hashes (exact verification)

    @property
    def site(self) -> str | None:
        """The outlet: ``sitename`` if known, else the url host without ``www.``."""
        if self.sitename:
            return self.sitename.strip()
        if self.url:
            host = urlsplit(self.url).hostname or ""
            return host.removeprefix("www.") or None
        return None


_PUNCT_WS = re.compile(r"[\W_]+", re.UNICODE)


def normalize_for_hash(text: str) -> str:
    """The text roughly as the exact-duplicate hash sees it (for audits): NFKC, case folded,
    runs of whitespace/punctuation as one space. ``content_hash`` folds case one character
    at a time (so "ß" stays "ß" there, while ``str.casefold`` here makes it "ss")."""
    return _PUNCT_WS.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def content_hash(text: str) -> str:
    """Exact-duplicate hash of the normalized text: NFKC, case folded, every run of
    whitespace/punctuation folded to one separator (so re-wrapped or re-punctuated copies
    collide). Equal to ``DocSignature.content_hash`` for the same text."""
    return text_content_hash(text)


def _metadata_count(doc: Document) -> int:
    return sum(1 for v in (doc.title, doc.author, doc.published, doc.url, doc.sitename) if v)


def compute_signatures(docs: list[Document], config: Config) -> list[DocSignature]:
    """Signatures for one batch (pure: safe in parallel worker processes)."""
    s = dedup_settings(config)
    if not docs:
        return []
    sk = sketch_batch([d.text for d in docs], char_ngram=s.char_ngram, cjk_char_ngram=s.cjk_char_ngram,
                      cjk_min_share=s.cjk_min_share, feature_sample=s.feature_sample,
                      minhash_sample=s.minhash_sample, minhash_char_ngram=s.minhash_char_ngram,
                      minhash_cjk_char_ngram=s.minhash_cjk_char_ngram,
                      num_perm=s.num_perm, seed=s.seed)
    # Rows and feature slices are views of the batch's arrays (no copy per document: nothing
    # writes to a signature's arrays, and together they hold exactly the batch's bytes).
    return [
        DocSignature(
            id=d.id, source=d.source, url=d.url, sitename=d.sitename, published=d.published,
            text_chars=len(d.text), n_metadata=_metadata_count(d),
            content_hash=ch, minhash=mh, n_shingles=n, shingle_kind="cjk_chars" if cjk else "chars",
            features=f,
        )
        for d, ch, mh, n, cjk, f in zip(docs, sk.content_hashes, list(sk.minhashes), sk.n_shingles.tolist(),
                                        sk.char_mode.tolist(), sk.features, strict=True)
    ]


def band_keys(minhashes: np.ndarray, s: DedupSettings) -> np.ndarray:
    """(n_docs, lsh_bands) int64 bucket keys; the band number is mixed in, so one flat
    key space serves all bands (a single SQLite index, one numpy sort)."""
    n = minhashes.shape[0]
    rows = minhashes[:, : s.lsh_bands * s.lsh_rows].reshape(n, s.lsh_bands, s.lsh_rows)
    with np.errstate(over="ignore"):
        acc = np.arange(1, s.lsh_bands + 1, dtype=np.uint64)[None, :] * _U64(0x9E3779B97F4A7C15)
        acc = np.broadcast_to(acc, (n, s.lsh_bands)).copy()
        for r in range(s.lsh_rows):
            acc ^= rows[:, :, r]
            acc *= _U64(0xBF58476D1CE4E5B9)
            acc ^= acc >> _U64(29)
    return acc.view(np.int64)


def estimate_similarity(a: DocSignature, b: DocSignature) -> tuple[float, float]:
    """(estimated Jaccard, estimated containment of the smaller in the larger)."""
    j = float(np.mean(a.minhash == b.minhash))
    return j, containment_from_jaccard(j, a.n_shingles, b.n_shingles)


def containment_from_jaccard(j, n_a, n_b):
    """|A∩B| = J(|A|+|B|)/(1+J); divided by the smaller set (works on scalars and arrays)."""
    small = np.minimum(n_a, n_b)
    inter = j * (np.asarray(n_a) + np.asarray(n_b)) / (1.0 + j)
    out = np.minimum(1.0, inter / np.maximum(small, 1))
    return float(out) if np.ndim(out) == 0 else out
