"""Tokens, shingles, exact hashes and MinHash signatures, vectorized over a batch with numpy.

Why numpy and not datasketch's ``MinHash.update``: per-shingle Python calls cap at ~1-3k docs/s
per core (ENVIRONMENT.md), the target is >= 10k on 500-word documents. Here a whole batch
is one array (bytes when every text is ASCII, else UTF-16 units, astral characters as one
stand-in unit): per-character lookup tables fold case and mark word characters,
NFKC touches only the few spans around characters it can change, n-gram hashes are slices of
one prefix sum, each document's features are sorted as a row of one padded matrix, and the
signature is a one-permutation MinHash (``_oph_rows``): a document's distinct 32-bit gram hashes
fall into ``num_perm`` bins by their top bits, each bin keeps its smallest value (the first in a
sorted row), empty bins are densified by fixed probes (Shrivastava 2017). One pass instead of
``num_perm`` multiply + minimum passes (scheme v2); measured mean |error| of the Jaccard
estimate on 400 copy pairs 0.0165 vs 0.0193 for v2 (over the features), and
``benchmarks/dedup_bench.py`` re-measures it against datasketch.

Features are character n-grams of the folded word characters (spaces and punctuation dropped),
sampled by hash (the same grams in every copy). They survive letter noise, merged and split
words and Korean spacing variants; documents mostly in Hangul / Han / Kana use a shorter n
(``cjk_char_ngram``). The same sorted feature sets serve exact verification in resolve.py.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import xxhash

SCHEME = "newsclean-oph-chargram-v3"  # recorded in every persisted index; bump when hashing changes

_U64 = np.uint64
_MIX1 = _U64(0xBF58476D1CE4E5B9)
_MIX2 = _U64(0x94D049BB133111EB)
_RADIX = 0x9E3779B97F4A7C15  # odd, so invertible mod 2**64
_RADIX_INV = pow(_RADIX, -1, 1 << 64)
_RADIX_U64 = _U64(_RADIX)
_SEPARATOR = "\x00"  # joins a batch; never a word character
_MAX_CHUNK_CHARS = 500_000  # characters per numpy pass (~125 news articles; 2M: ~80 MB more per worker, no faster)


def _is_cjk(cp: int) -> bool:
    return (
        0x1100 <= cp <= 0x11FF  # Hangul Jamo
        or 0x3040 <= cp <= 0x30FF  # Hiragana, Katakana
        or 0x3130 <= cp <= 0x318F  # Hangul compatibility Jamo
        or 0x3400 <= cp <= 0x4DBF  # CJK extension A
        or 0x4E00 <= cp <= 0x9FFF  # CJK unified ideographs
        or 0xAC00 <= cp <= 0xD7AF  # Hangul syllables
        or 0xF900 <= cp <= 0xFAFF  # CJK compatibility ideographs
    )


@lru_cache(maxsize=1)
def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-BMP-code-point lookup tables: case fold (+1), is-word-character, is-CJK (built once, ~40 ms)."""
    fold = np.arange(0x10000, dtype=np.uint64)
    word = np.zeros(0x10000, dtype=bool)
    cjk = np.zeros(0x10000, dtype=bool)
    for cp in range(0x10000):
        if 0xD800 <= cp < 0xE000:
            continue
        ch = chr(cp)
        folded = ch.casefold()
        if len(folded) == 1:
            fold[cp] = ord(folded)
        # Same notion of "word" as the regex [^\W_]: letters, digits and combining marks.
        word[cp] = ch.isalnum() or unicodedata.category(ch)[0] == "M"
        cjk[cp] = _is_cjk(cp)
    # Stored +1 so that no character (not even U+0000) contributes zero to a token hash.
    return fold + np.uint64(1), word, cjk


@lru_cache(maxsize=1)
def _char_hashes() -> np.ndarray:
    """Mixed 64-bit hash of each BMP code point's case fold (one table lookup per character)."""
    fold1, _, _ = _tables()
    with np.errstate(over="ignore"):
        return _mix(fold1 * _RADIX_U64)


_ASTRAL = 0xD800  # stands for an astral character in a chunk's UTF-16 array (no lone surrogate gets there)


@lru_cache(maxsize=1)
def _word_table() -> np.ndarray:
    """Is-word-character per UTF-16 unit, with the astral stand-in counted as a word character
    (emoji and rare scripts are word characters)."""
    word = _tables()[1].copy()
    word[_ASTRAL] = True
    return word


@lru_cache(maxsize=1)
def _arrow_tables():
    """The word table (as uint8) and the character hashes as Arrow arrays, for ``_lookup``."""
    import pyarrow as pa

    return pa.array(_word_table().view(np.uint8)), pa.array(_char_hashes())


def _lookup(table, index: np.ndarray) -> np.ndarray:
    """``table[index]`` for a uint8/uint16 ``index``, read-only. Arrow's take reads the narrow
    indices as they are; numpy's converts them to a 64-bit copy first (measured 2-3x slower
    on a chunk's 1.5M units)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.take(table, pa.array(index)).to_numpy()


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer: turns structured 64-bit sums into uniform hashes (in place)."""
    z ^= z >> _U64(30)
    z *= _MIX1
    z ^= z >> _U64(27)
    z *= _MIX2
    z ^= z >> _U64(31)
    return z


class _Powers:
    """RADIX**i and RADIX**-i mod 2**64, grown on demand and reused across batches.

    Batches are sketched in several threads at once (Prefect's thread pool): the two arrays
    are one immutable tuple, replaced in a single assignment under a lock, so a reader never
    sees a grown ``fwd`` beside a short ``inv`` (that race raised IndexError on cold starts).
    """

    _lock = threading.Lock()
    _arrays: tuple[np.ndarray, np.ndarray] = (np.ones(1, dtype=np.uint64), np.ones(1, dtype=np.uint64))

    @classmethod
    def get(cls, n: int) -> tuple[np.ndarray, np.ndarray]:
        fwd, inv = cls._arrays  # one read: both arrays of the same generation
        if len(fwd) < n:
            with cls._lock:
                fwd, inv = cls._arrays
                if len(fwd) < n:
                    size = max(n, 2 * len(fwd))
                    with np.errstate(over="ignore"):
                        fwd = np.concatenate(([_U64(1)], np.cumprod(np.full(size - 1, _RADIX, np.uint64))))
                        inv = np.concatenate(([_U64(1)], np.cumprod(np.full(size - 1, _RADIX_INV, np.uint64))))
                    fwd.flags.writeable = False
                    inv.flags.writeable = False
                    cls._arrays = (fwd, inv)
        return fwd[:n], inv[:n]


_EMPTY = np.iinfo(np.uint64).max  # an empty bin; a document with no feature has only these
_PROBES = 32  # densification rounds by random probe before the rotation fallback


@lru_cache(maxsize=8)
def _probe_table(num_bins: int, seed: int) -> np.ndarray:
    """Densification probes: round t fills an empty bin i from bin ``table[i, t]`` (when that one
    is non-empty). The same for every document (a pure function of (num_bins, seed)), so two
    copies with the same empty bin copy from the same place: the optimal densification of
    Shrivastava (ICML 2017), with independent probes per bin."""
    table = np.random.default_rng(seed).integers(0, num_bins, size=(num_bins, _PROBES), dtype=np.int64)
    table.flags.writeable = False
    return table


@dataclass(slots=True)
class BatchSketch:
    """What the vectorized pass yields per document (aligned with the input order)."""

    content_hashes: list[str]
    minhashes: np.ndarray  # (n_docs, num_perm) uint64; all-max rows for docs with no feature
    n_shingles: np.ndarray  # int64 distinct features per document (= len(features[i]))
    char_mode: np.ndarray  # bool: a CJK document (shingled with cjk_char_ngram)
    features: list[np.ndarray]  # per document: sorted distinct uint32 feature hashes


@lru_cache(maxsize=1)
def _nfkc_unstable() -> np.ndarray:
    """Per BMP code point: may NFKC change this character or its neighbours? True for characters
    NFKC maps to something else, combining marks (ccc != 0), characters that compose with a
    preceding one (the second element of any canonical decomposition; Hangul V and T jamo) and
    surrogates. Every other character has a normalization boundary before it (UAX #15), so NFKC
    of a text is NFKC of the few spans around unstable characters, the rest as it is (built
    once, ~0.2 s)."""
    bad = np.zeros(0x10000, dtype=bool)
    for cp in range(0x20000):
        if 0xD800 <= cp < 0xE000:
            continue
        ch = chr(cp)
        dec = unicodedata.decomposition(ch)
        if dec and not dec.startswith("<"):
            for part in dec.split()[1:]:
                if int(part, 16) < 0x10000:
                    bad[int(part, 16)] = True
        if cp < 0x10000 and (unicodedata.combining(ch) or unicodedata.normalize("NFKC", ch) != ch):
            bad[cp] = True
    bad[0x1161:0x1176] = True  # Hangul V jamo (compose with a leading L jamo)
    bad[0x11A8:0x11C3] = True  # Hangul T jamo (compose with an LV syllable)
    bad[0xD800:0xE000] = True
    return bad


def _nfkc_spans(raw: bytes, cp: np.ndarray, top: int) -> tuple[np.ndarray, int, np.ndarray, tuple]:
    """NFKC of the UTF-16 text ``raw`` (``cp``: its units), normalizing only the spans around
    unstable characters: ``unicodedata.normalize`` costs ~50 ns per character on a whole news
    article with one "…" or no-break space in it, this ~1 ns. Equal to NFKC of each text on its
    own: the separator is stable, so no span crosses it. Surrogates count as unstable, so every
    astral character is inside a span (a pair is never split); in the result each one is the
    stand-in ``_ASTRAL``, its code point is returned in order in the third array. The fourth
    item (span starts, cumulative length changes) moves a position of ``cp`` to the result."""
    # Nothing below U+00A0 is unstable: a cheap first cut, 4 units at a time (a block of 4
    # units with none >= U+0080 is skipped whole), then per unit.
    n4 = len(cp) // 4
    blocks = np.flatnonzero(cp[: 4 * n4].view(np.uint64) & np.uint64(0xFF80FF80FF80FF80))
    pos = np.r_[(blocks[:, None] * 4 + np.arange(4)).ravel(), np.arange(4 * n4, len(cp))]
    pos = pos[cp[pos] >= 0xA0]
    pos = pos[_nfkc_unstable()[cp[pos]]]
    no_shift = (np.empty(0, np.int64), np.zeros(1, np.int64))
    if not len(pos):
        return cp, top, np.empty(0, np.uint32), no_shift
    brk = np.flatnonzero(np.diff(pos) != 1)
    starts = np.maximum(pos[np.r_[0, brk + 1]] - 1, 0)  # from the stable character before a run
    ends = pos[np.r_[brk, len(pos) - 1]] + 1  # to the stable character after it (excluded)
    pieces, astral, last, delta = [], [], 0, []
    for s, e in zip(starts.tolist(), ends.tolist()):
        pieces.append(cp[last:s])
        span = np.frombuffer(unicodedata.normalize("NFKC", raw[2 * s : 2 * e].decode("utf-16-le")).encode("utf-32-le"),
                             dtype=np.uint32)
        if len(span):
            span_top = int(span.max())
            if span_top >= 0x10000:
                high = span >= 0x10000
                astral.append(span[high])
                span = np.where(high, np.uint32(_ASTRAL), span)
                span_top = int(span.max())
            top = max(top, span_top)
        pieces.append(span.astype(np.uint16))
        delta.append(len(span) - (e - s))
        last = e
    pieces.append(cp[last:])
    shift = (starts, np.r_[0, np.cumsum(delta)])  # units added before position p: [searchsorted(starts, p)]
    return np.concatenate(pieces), top, (np.concatenate(astral) if astral else np.empty(0, np.uint32)), shift


def _codepoints(texts: list[str]) -> tuple[np.ndarray, int, bytes, np.ndarray]:
    """The texts, each followed by the separator, as one array (uint8 when all are ASCII, else
    UTF-16 units), its largest value, the bytes it views and the separators' positions: the
    narrower the array, the cheaper every later pass. Each text is encoded on its own, so one
    emoji makes only its own text pay for a 4-byte string."""
    if not texts:
        raw = _SEPARATOR.encode("ascii")
        return np.frombuffer(raw, dtype=np.uint8), 0, raw, np.zeros(1, np.int64)
    if all(t.isascii() for t in texts):  # O(1) each in CPython
        parts, unit, dtype, top = [t.encode("ascii") for t in texts], 1, np.uint8, 0x7F
    else:
        parts, unit, dtype, top = [t.encode("utf-16-le") for t in texts], 2, np.uint16, None
    raw = (b"\x00" * unit).join(parts + [b""])
    cp = np.frombuffer(raw, dtype=dtype)
    seps = np.cumsum(np.fromiter(map(len, parts), np.int64, len(parts)) // unit + 1) - 1
    return cp, (int(cp.max()) if top is None else top), raw, seps


def _sampled_grams(prefix: np.ndarray, inv: np.ndarray, cb: np.ndarray, n: int,
                   eligible_doc: np.ndarray, sample: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of the character n-grams (inside one eligible document) kept by the sample, and
    their document numbers (sorted). ``cb``: word characters before each document.

    A gram's hash is a slice of the prefix sum of character hashes (a position-independent
    polynomial: two array passes whatever n); the sample is decided on its top bits (uniform:
    a sum of odd multiples of mixed character hashes), so only kept grams pay for the rest.
    Grams reaching into the next document are never kept (their hash is overwritten first)."""
    m = len(prefix) - n  # grams over the whole chunk
    if m <= 0:
        return np.empty(0, np.uint64), np.empty(0, np.int64)
    acc = np.empty(m, dtype=np.uint64)
    with np.errstate(over="ignore"):
        np.subtract(prefix[n:], prefix[:m], out=acc)
        acc *= inv[:m]
    cross = (cb[1:, None] - np.arange(1, n, dtype=np.int64)[None, :]).ravel()  # n-1 starts per boundary
    cross = cross[(cross >= 0) & (cross < m)]
    if sample > 1:
        limit = _U64(1) << _U64(64 - sample.bit_length() + 1)  # kept: top bits all zero
        acc[cross] = limit
        idx = np.flatnonzero(acc < limit)
    else:
        ok = np.ones(m, dtype=bool)
        ok[cross] = False
        idx = np.flatnonzero(ok)
    per_doc = np.diff(np.searchsorted(idx, cb))
    doc = np.repeat(np.arange(len(per_doc), dtype=np.int64), per_doc)
    if not eligible_doc.all():
        keep = eligible_doc[doc]
        idx, doc = idx[keep], doc[keep]
    return _mix(acc[idx]), doc


def _distinct_per_doc(h32: np.ndarray, doc: np.ndarray, n_docs: int,
                      doc_sorted: bool) -> tuple[np.ndarray, np.ndarray]:
    """Each document's distinct values of ``h32``, sorted, concatenated in document order, and
    their count per document. Documents of similar size (the usual batch) are sorted as rows of
    one padded uint32 matrix (measured 2-3x faster than one uint64 sort of (doc, value) keys);
    a batch with a document far longer than the rest takes the key sort."""
    counts = np.bincount(doc, minlength=n_docs) if len(doc) else np.zeros(n_docs, np.int64)
    width = int(counts.max()) if n_docs else 0
    if doc_sorted and width and width * n_docs <= 2 * len(doc) + 64 * n_docs:
        starts = np.r_[0, np.cumsum(counts)[:-1]]
        grid = np.full((n_docs, width), 0xFFFFFFFF, dtype=np.uint32)
        # Value j (of document doc[j]) goes to row doc[j], column j - starts[doc[j]]: one flat
        # put (a 2-d fancy assignment costs several times more).
        flat = np.arange(len(doc), dtype=np.int64)
        flat += np.repeat(np.arange(n_docs, dtype=np.int64) * width - starts, counts)
        grid.ravel()[flat] = h32
        grid.sort(axis=1)
        # The first counts[d] entries of row d are its values (padding sorts last); keep the
        # first of each run of equal values.
        keep = np.arange(width)[None, :] < counts[:, None]
        keep[:, 1:] &= grid[:, 1:] != grid[:, :-1]
        return grid[keep], keep.sum(axis=1)
    key = (doc.astype(np.uint64) << _U64(32)) | h32.astype(np.uint64)
    key.sort()
    if len(key) > 1:
        key = key[np.r_[True, key[1:] != key[:-1]]]
    fb = np.searchsorted(key, np.arange(n_docs + 1, dtype=np.uint64) << _U64(32))
    return key.astype(np.uint32), np.diff(fb).astype(np.int64)


def _oph_rows(feats: np.ndarray, counts: np.ndarray, num_bins: int, seed: int) -> np.ndarray:
    """One-permutation MinHash: each document's features (sorted, distinct uint32 hashes, one
    document after another, ``counts[i]`` of them for document i) fall into ``num_bins`` bins
    by their top bits, and bin k of a document holds its smallest feature in that bin. The
    features are uniform hashes already, so no further hashing: one pass instead of a multiply
    and a minimum per permutation. The bin is monotone in the feature, so in a sorted row the
    minimum of a bin is its first feature. Empty bins are densified (``_probe_table``, then
    the next non-empty bin to the right); documents without features keep all bins empty."""
    n_docs = len(counts)
    out = np.full((n_docs, num_bins), _EMPTY, dtype=np.uint64)
    if len(feats) == 0:
        return out
    if num_bins & (num_bins - 1) == 0:  # the same value as the general form below, in 32 bits
        bins = feats >> np.uint32(32 - num_bins.bit_length() + 1)
    else:
        bins = ((feats.astype(np.uint64) * _U64(num_bins)) >> _U64(32)).astype(np.int64)
    ends = np.cumsum(counts)
    first = np.empty(len(feats), dtype=bool)
    first[0] = True
    np.not_equal(bins[1:], bins[:-1], out=first[1:])
    first[(ends - counts)[counts > 0]] = True  # a document's first feature opens a bin
    idx = np.flatnonzero(first)
    cell = np.searchsorted(ends, idx, side="right") * num_bins + bins[idx]  # sorted: rows, then bins
    flat = out.reshape(-1)
    flat[cell] = feats[idx]
    filled = np.zeros(n_docs * num_bins, dtype=bool)
    filled[cell] = True
    empty = np.flatnonzero(~filled.reshape(n_docs, num_bins) & (counts > 0)[:, None])
    if len(empty):
        probes = _probe_table(num_bins, seed)
        row, k = np.divmod(empty, num_bins)
        row *= num_bins
        for t in range(_PROBES):
            src = row + probes[k, t]
            ok = filled[src]  # original bins only: densified ones are never copied on
            flat[empty[ok]] = flat[src[ok]]
            miss = ~ok
            empty, row, k = empty[miss], row[miss], k[miss]
            if not len(empty):
                break
        if len(empty):  # few non-empty bins (a tiny document): the next non-empty bin, circularly
            j = np.searchsorted(cell, empty)
            wrap = j == len(cell)
            j[wrap] = 0
            wrap |= cell[j] >= row + num_bins
            j[wrap] = np.searchsorted(cell, row[wrap])
            flat[empty] = flat[cell[j]]
    return out


def _grams_by_script(prefix: np.ndarray, inv: np.ndarray, cb: np.ndarray, char_mode: np.ndarray, n: int,
                     cjk_n: int, sample: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Sampled n-gram hashes and document numbers, one part per script mode present in the
    chunk: ``n`` for most documents, ``cjk_n`` for those ``char_mode`` marks as CJK."""
    parts_h, parts_d = [], []
    for size, mode in ((n, False), (cjk_n, True)):
        eligible = char_mode == mode
        if eligible.any():
            h, d = _sampled_grams(prefix, inv, cb, size, eligible, sample)
            parts_h.append(h)
            parts_d.append(d)
    return parts_h, parts_d


def _minhash_input(prefix: np.ndarray, inv: np.ndarray, cb: np.ndarray, char_mode: np.ndarray, n_docs: int,
                   n: int, cjk_n: int, sample: int) -> tuple[np.ndarray, np.ndarray]:
    """The sampled n-gram hashes MinHash runs over, grouped by document (document order), and
    their count per document."""
    parts_h, parts_d = _grams_by_script(prefix, inv, cb, char_mode, n, cjk_n, sample)
    if not parts_h:
        return np.empty(0, np.uint64), np.zeros(n_docs, np.int64)
    h, d = (parts_h[0], parts_d[0]) if len(parts_h) == 1 else (np.concatenate(parts_h), np.concatenate(parts_d))
    if len(parts_h) > 1:  # both scripts in one chunk: put each document's grams together again
        order = np.argsort(d, kind="stable")
        h, d = h[order], d[order]
    return h, np.bincount(d, minlength=n_docs)


def sketch_batch(texts: list[str], *, char_ngram: int, cjk_char_ngram: int, cjk_min_share: float,
                 feature_sample: int, num_perm: int, seed: int, minhash_sample: int = 1,
                 minhash_char_ngram: int | None = None, minhash_cjk_char_ngram: int | None = None) -> BatchSketch:
    """Exact-duplicate hashes, verification features and MinHash signatures for a batch of texts.

    Work happens in chunks of at most ``_MAX_CHUNK_CHARS`` characters, so memory (about
    40 bytes per character while a chunk is processed) stays bounded whatever the batch."""
    params = dict(char_ngram=char_ngram, cjk_char_ngram=cjk_char_ngram, cjk_min_share=cjk_min_share,
                  feature_sample=feature_sample, num_perm=num_perm, seed=seed, minhash_sample=minhash_sample,
                  minhash_char_ngram=minhash_char_ngram, minhash_cjk_char_ngram=minhash_cjk_char_ngram)
    chunks, start, size = [], 0, 0
    for i, t in enumerate(texts):
        if size and size + len(t) > _MAX_CHUNK_CHARS:
            chunks.append(_sketch_chunk(texts[start:i], **params))
            start, size = i, 0
        size += len(t) + 1
    chunks.append(_sketch_chunk(texts[start:], **params))
    if len(chunks) == 1:
        return chunks[0]
    return BatchSketch(
        [h for c in chunks for h in c.content_hashes],
        np.concatenate([c.minhashes for c in chunks]),
        np.concatenate([c.n_shingles for c in chunks]),
        np.concatenate([c.char_mode for c in chunks]),
        [f for c in chunks for f in c.features],
    )


def _sketch_chunk(texts: list[str], *, char_ngram: int, cjk_char_ngram: int, cjk_min_share: float,
                  feature_sample: int, num_perm: int, seed: int, minhash_sample: int = 1,
                  minhash_char_ngram: int | None = None, minhash_cjk_char_ngram: int | None = None) -> BatchSketch:
    """One pass of whole-array numpy operations over a chunk of texts joined into one code-point
    array: no per-character or per-gram Python; per document only its content hash and slices."""
    n_docs = len(texts)
    if any(_SEPARATOR in t for t in texts):  # a text holds the separator itself: a space there
        texts = [t.replace(_SEPARATOR, " ") for t in texts]
    cp, top, raw, seps = _codepoints(texts)  # one separator per document, at its end
    astral = np.empty(0, np.uint32)
    if top > 0x7F:  # NFKC (nothing to do for ASCII), only around characters it can change
        cp, top, astral, (span_starts, grown) = _nfkc_spans(raw, cp, top)
        seps = seps + grown[np.searchsorted(span_starts, seps)]  # a separator may start a span, never end inside one
    _, _, cjk = _tables()
    is_word = _lookup(_arrow_tables()[0], cp).view(np.bool_)  # emoji and rare scripts are word characters
    w_cp = np.compress(is_word, cp)
    c_hash = _lookup(_arrow_tables()[1], w_cp)  # case-folded character hashes (read-only)
    if len(astral):  # astral characters: hashed from the code point itself
        c_hash = c_hash.copy()
        with np.errstate(over="ignore"):
            c_hash[np.flatnonzero(w_cp == _ASTRAL)] = _mix(astral.astype(np.uint64) * _RADIX_U64 + _U64(1))
    n_chars = len(c_hash)

    # Word tokens: maximal runs of word characters (a separator always ends one). They define
    # the exact-duplicate hash whatever the script, so content_hash needs no configuration:
    # the document's folded word characters (their hashes) and word lengths, so copies
    # differing only in case, spacing or punctuation collide, "ab c" and "a bc" do not.
    # A word starts and ends where is_word changes (the text ends with a separator, so every
    # start has its end); its word characters are contiguous in c_hash.
    edges = np.flatnonzero(is_word[1:] != is_word[:-1]) + 1
    if len(is_word) and is_word[0]:
        edges = np.r_[0, edges]
    w_start = edges[0::2]
    w_len = edges[1::2] - w_start
    w_len32 = w_len.astype(np.uint32)
    # Document i spans [bounds[i], bounds[i + 1]) of cp; its words wb[i]:wb[i + 1], its word
    # characters cb[i]:cb[i + 1] of c_hash.
    bounds = np.r_[0, seps + 1]
    wb = np.searchsorted(w_start, bounds)
    cb = np.r_[0, np.cumsum(w_len)][wb]
    content_hashes = []
    cbl, wbl = cb.tolist(), wb.tolist()
    for i in range(n_docs):
        h = xxhash.xxh3_128(c_hash[cbl[i] : cbl[i + 1]])
        h.update(w_len32[wbl[i] : wbl[i + 1]])
        content_hashes.append(h.hexdigest())

    # Script choice per document: the share of CJK among its word characters.
    char_mode = np.zeros(n_docs, dtype=bool)
    if top >= 0x1100:  # below U+1100 nothing is CJK
        cjk_pos = np.flatnonzero(w_cp >= 0x1100)
        cjk_pos = cjk_pos[cjk[w_cp[cjk_pos]]]
        if len(cjk_pos):
            n_cjk = np.diff(np.searchsorted(cjk_pos, cb))
            char_mode = n_cjk > cjk_min_share * np.maximum(np.diff(cb), 1)

    # One prefix sum of position-weighted character hashes; every n-gram hash is a slice of it.
    fwd, inv = _Powers.get(n_chars + 1)
    prefix = np.empty(n_chars + 1, dtype=np.uint64)
    prefix[0] = 0
    with np.errstate(over="ignore"):
        np.cumsum(np.multiply(c_hash, fwd[:n_chars]), out=prefix[1:])

    # Features: character n-grams of the folded word characters with spaces and punctuation
    # dropped (so split, merged and re-punctuated words change nothing, and one wrong letter
    # touches only n grams), kept when their hash falls in 1 of ``feature_sample`` classes
    # (the same grams in every copy: a deterministic, content-defined sample).
    parts_h, parts_d = _grams_by_script(prefix, inv, cb, char_mode, char_ngram, cjk_char_ngram, feature_sample)
    sh = np.concatenate(parts_h) if parts_h else np.empty(0, np.uint64)
    sd = np.concatenate(parts_d) if parts_d else np.empty(0, np.int64)
    feats32, n_shingles = _distinct_per_doc((sh >> _U64(32)).astype(np.uint32), sd, n_docs, len(parts_h) == 1)
    fb = np.r_[0, np.cumsum(n_shingles)]
    features = [feats32[fb[i] : fb[i + 1]] for i in range(n_docs)]
    # One-permutation MinHash (``_oph_rows``): each document's distinct, sorted 32-bit values
    # go to ``num_perm`` bins by their top bits, a bin keeps its smallest value.
    if minhash_char_ngram is not None:
        # Over its own, longer grams (1 in ``minhash_sample``): MinHash only proposes
        # candidates, and longer grams make unrelated documents of one language share far
        # fewer of them (see minhash_char_ngram in dedup.toml).
        fh, mh_counts = _minhash_input(prefix, inv, cb, char_mode, n_docs, minhash_char_ngram,
                                       minhash_cjk_char_ngram or minhash_char_ngram, minhash_sample)
        mh_doc = np.repeat(np.arange(n_docs, dtype=np.int64), mh_counts)
        mh32, mh_counts = _distinct_per_doc((fh >> _U64(32)).astype(np.uint32), mh_doc, n_docs, True)
        minhashes = _oph_rows(mh32, mh_counts, num_perm, seed)
    elif minhash_sample > 1:  # over 1 in ``minhash_sample`` of the features
        mh = np.flatnonzero((feats32 & np.uint32(minhash_sample - 1)) == 0)
        minhashes = _oph_rows(feats32[mh], np.diff(np.searchsorted(mh, fb)), num_perm, seed)
    else:  # over the features: the estimate and the exact verification measure the same sets
        minhashes = _oph_rows(feats32, n_shingles, num_perm, seed)
    return BatchSketch(content_hashes, minhashes, n_shingles, char_mode, features)


def text_content_hash(text: str) -> str:
    """Exact-duplicate hash of one text (same value ``sketch_batch`` gives it in any batch)."""
    return sketch_batch([text], char_ngram=1, cjk_char_ngram=1, cjk_min_share=1.0, feature_sample=1,
                        num_perm=1, seed=0).content_hashes[0]
