"""Tokens, shingles, exact hashes and MinHash signatures, vectorized over a batch with numpy.

Why numpy and not datasketch's ``MinHash.update``: per-shingle Python calls cap at ~1-3k docs/s
per core (ENVIRONMENT.md), the issue asks for >= 8k on 500-word documents. Here a whole batch
is one UTF-32 code-point array: per-character lookup tables fold case and mark word characters,
token hashes come from prefix sums, shingle hashes from a few vector multiplies, and each of
``num_perm`` MinHash permutations is ``h_k(x) = a_k * x mod 2**64`` (odd ``a_k``) over
splitmix-mixed 64-bit shingle hashes. That family measured as accurate as the usual
``(a*x + b) mod (2**61 - 1)`` (mean |error| 0.031 vs 0.031 at 128 permutations on 500-element
sets) and ~2x faster; ``benchmarks/dedup_bench.py`` re-measures it against datasketch.

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

SCHEME = "newsclean-mul64-chargram-v2"  # recorded in every persisted index; bump when hashing changes

_U64 = np.uint64
_MIX1 = _U64(0xBF58476D1CE4E5B9)
_MIX2 = _U64(0x94D049BB133111EB)
_RADIX = 0x9E3779B97F4A7C15  # odd, so invertible mod 2**64
_RADIX_INV = pow(_RADIX, -1, 1 << 64)
_RADIX_U64 = _U64(_RADIX)
_SEPARATOR = "\x00"  # joins a batch; never a word character
_MAX_CHUNK_ROWS = 4096  # shingles per MinHash block: 128 x 4096 x 8 B = 4 MB
_MAX_CHUNK_CHARS = 2_000_000  # characters per numpy pass (~500 news articles)


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


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> np.ndarray:
    """The odd multipliers ``a_k`` of the MinHash family; a pure function of (num_perm, seed)."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 2**63, size=num_perm, dtype=np.uint64) * _U64(2) + _U64(1)


@lru_cache(maxsize=8)
def _shingle_weights(n: int) -> np.ndarray:
    """Position weights that make a shingle hash order-sensitive ("a b c" != "c b a")."""
    rng = np.random.default_rng(0x5A17 + n)
    return rng.integers(0, 2**63, size=n, dtype=np.uint64) * _U64(2) + _U64(1)


@dataclass(slots=True)
class BatchSketch:
    """What the vectorized pass yields per document (aligned with the input order)."""

    content_hashes: list[str]
    minhashes: np.ndarray  # (n_docs, num_perm) uint64; all-max rows for docs with no feature
    n_shingles: np.ndarray  # int64 distinct features per document (= len(features[i]))
    char_mode: np.ndarray  # bool: a CJK document (shingled with cjk_char_ngram)
    features: list[np.ndarray]  # per document: sorted distinct uint32 feature hashes


def _prepare(text: str) -> str:
    # NFKC only where it can change something: ASCII and already-normal text skip it.
    # Case folding itself is the per-code-point table in ``_tables`` (single-character folds;
    # full ``str.casefold`` cost ~12 us per document for "ß" -> "ss" and a few ligatures).
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


def _token_hashes(prefix: np.ndarray, inv: np.ndarray,
                  starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Hash of each token ``cp[s:e]`` as a position-independent polynomial, then mixed."""
    with np.errstate(over="ignore"):
        h = (prefix[ends] - prefix[starts]) * inv[starts]
        h += (ends - starts).astype(np.uint64)
    return _mix(h)


def _shingle_hashes(tok_hash: np.ndarray, tok_doc: np.ndarray, n: int,
                    eligible_doc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of all runs of ``n`` consecutive tokens inside one eligible document."""
    m = len(tok_hash) - n + 1
    if m <= 0:
        return np.empty(0, np.uint64), np.empty(0, np.int64)
    weights = _shingle_weights(n)
    with np.errstate(over="ignore"):
        acc = tok_hash[:m] * weights[0]
        for k in range(1, n):
            acc += tok_hash[k : k + m] * weights[k]
    doc = tok_doc[:m]
    keep = (doc == tok_doc[n - 1 : n - 1 + m]) & eligible_doc[doc]
    return _mix(acc[keep]), doc[keep]


def _doc_of(positions: np.ndarray, seps: np.ndarray, n_docs: int) -> np.ndarray:
    """Document number of each (sorted) position: one search per document, not per position."""
    counts = np.diff(np.searchsorted(positions, seps), prepend=0)
    return np.repeat(np.arange(n_docs, dtype=np.int64), counts)


def _sampled_grams(prefix: np.ndarray, inv: np.ndarray, ch_doc: np.ndarray, n: int,
                   eligible_doc: np.ndarray, sample: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of the character n-grams (inside one eligible document) kept by the sample.

    A gram's hash is a slice of the prefix sum of character hashes (a position-independent
    polynomial: two array passes whatever n); the sample is decided on its top bits (uniform:
    a sum of odd multiples of mixed character hashes), so only kept grams pay for the rest."""
    m = len(ch_doc) - n + 1
    if m <= 0:
        return np.empty(0, np.uint64), np.empty(0, np.int64)
    with np.errstate(over="ignore"):
        acc = prefix[n:] - prefix[:m]
        acc *= inv[:m]
    if sample > 1:
        idx = np.flatnonzero((acc >> _U64(64 - sample.bit_length() + 1)) == 0)
    else:
        idx = np.arange(m)
    doc = ch_doc[idx]
    keep = doc == ch_doc[idx + (n - 1)]
    if not eligible_doc.all():
        keep &= eligible_doc[doc]
    return _mix(acc[idx[keep]]), doc[keep]


def _minhash_rows(sh: np.ndarray, sh_doc: np.ndarray, n_docs: int, a: np.ndarray) -> np.ndarray:
    """Per-document minimum of ``a_k * x`` over its shingles, in cache-sized blocks."""
    num_perm = len(a)
    out = np.full((n_docs, num_perm), np.iinfo(np.uint64).max, dtype=np.uint64)
    if len(sh) == 0:
        return out
    # Permutations along rows, shingles along columns: the per-document minimum is then a
    # reduceat over contiguous memory, ~8x faster than reducing over axis 0.
    buf = np.empty((num_perm, _MAX_CHUNK_ROWS), dtype=np.uint64)
    for lo in range(0, len(sh), _MAX_CHUNK_ROWS):
        x = sh[lo : lo + _MAX_CHUNK_ROWS]
        d = sh_doc[lo : lo + _MAX_CHUNK_ROWS]
        block = buf[:, : len(x)]
        np.multiply(a[:, None], x[None, :], out=block)  # wraps mod 2**64 by design
        seg = np.flatnonzero(np.r_[True, d[1:] != d[:-1]])
        mins = np.minimum.reduceat(block, seg, axis=1).T
        docs = d[seg]
        # A document split across two blocks merges with the minimum of its first part.
        out[docs] = np.minimum(out[docs], mins)
    return out


def sketch_batch(texts: list[str], *, char_ngram: int, cjk_char_ngram: int, cjk_min_share: float,
                 feature_sample: int, num_perm: int, seed: int, minhash_sample: int = 1) -> BatchSketch:
    """Exact-duplicate hashes, verification features and MinHash signatures for a batch of texts.

    Work happens in chunks of at most ``_MAX_CHUNK_CHARS`` characters, so memory (about
    40 bytes per character while a chunk is processed) stays bounded whatever the batch."""
    params = dict(char_ngram=char_ngram, cjk_char_ngram=cjk_char_ngram, cjk_min_share=cjk_min_share,
                  feature_sample=feature_sample, num_perm=num_perm, seed=seed, minhash_sample=minhash_sample)
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
                  feature_sample: int, num_perm: int, seed: int, minhash_sample: int = 1) -> BatchSketch:
    """One numpy pass over a chunk of texts joined into a single code-point array."""
    _, word, cjk = _tables()
    n_docs = len(texts)
    joined = _SEPARATOR.join(_prepare(t).replace(_SEPARATOR, " ") for t in texts) + _SEPARATOR
    cp32 = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    seps = np.flatnonzero(cp32 == 0)  # one per document, at its end
    top = int(cp32.max()) if len(cp32) else 0
    if top >= 0x10000:  # emoji and rare scripts: count as word characters
        astral = cp32 >= 0x10000
        bmp = np.minimum(cp32, 0xFFFF)
        is_word = word[bmp] | astral
        c_pos = np.flatnonzero(is_word)
        c_hash = _char_hashes()[bmp[c_pos]]
        astral_c = astral[c_pos]
        with np.errstate(over="ignore"):
            c_hash[astral_c] = _mix(cp32[c_pos][astral_c].astype(np.uint64) * _RADIX_U64 + _U64(1))
    else:
        bmp = cp32
        is_word = word[bmp]
        c_pos = np.flatnonzero(is_word)
        c_hash = _char_hashes()[bmp[c_pos]]

    # Only word characters matter from here: one hash per character (case folded, from a
    # table), and one prefix sum over them from which every word and n-gram hash is a slice.
    fwd, inv = _Powers.get(len(c_hash) + 1)
    with np.errstate(over="ignore"):
        prefix = np.empty(len(c_hash) + 1, dtype=np.uint64)
        prefix[0] = 0
        np.cumsum(c_hash * fwd[: len(c_hash)], out=prefix[1:])
    c_doc = _doc_of(c_pos, seps, n_docs)

    # Word tokens: maximal runs of word characters. They define the exact-duplicate hash
    # whatever the script, so content_hash needs no configuration.
    edge = np.diff(is_word.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    w_start = np.flatnonzero(edge == 1)
    w_len = np.flatnonzero(edge == -1) - w_start
    w_end_c = np.cumsum(w_len)  # token k = word characters [w_end_c[k] - w_len[k], w_end_c[k])
    # content_hash: the document's folded word characters (their hashes) and word lengths, so
    # copies differing only in case, spacing or punctuation collide, "ab c" and "a bc" do not.
    w_doc = _doc_of(w_start, seps, n_docs)
    wb = np.searchsorted(w_doc, np.arange(n_docs + 1))
    cb = np.r_[0, w_end_c][wb]
    w_len32 = w_len.astype(np.uint32)
    content_hashes = []
    for i in range(n_docs):
        h = xxhash.xxh3_128(c_hash[cb[i] : cb[i + 1]].tobytes())
        h.update(w_len32[wb[i] : wb[i + 1]].tobytes())
        content_hashes.append(h.hexdigest())

    # Script choice per document: the share of CJK among its word characters.
    char_mode = np.zeros(n_docs, dtype=bool)
    if top >= 0x1100:  # below U+1100 nothing is CJK: skip the counting
        doc_starts = np.r_[0, seps[:-1] + 1]
        n_word = np.add.reduceat(is_word.astype(np.int64), doc_starts)
        n_cjk = np.add.reduceat((is_word & cjk[bmp]).astype(np.int64), doc_starts)
        char_mode = n_cjk > cjk_min_share * np.maximum(n_word, 1)

    # Features: character n-grams of the folded word characters with spaces and punctuation
    # dropped (so split, merged and re-punctuated words change nothing, and one wrong letter
    # touches only n grams), kept when their hash falls in 1 of ``feature_sample`` classes
    # (the same grams in every copy: a deterministic, content-defined sample).
    parts_h, parts_d = [], []
    for n, mode in ((char_ngram, False), (cjk_char_ngram, True)):
        eligible = char_mode == mode
        if not eligible.any():
            continue
        sh, sd = _sampled_grams(prefix, inv, c_doc, n, eligible, feature_sample)
        parts_h.append(sh)
        parts_d.append(sd)
    sh = np.concatenate(parts_h) if parts_h else np.empty(0, np.uint64)
    sd = np.concatenate(parts_d) if parts_d else np.empty(0, np.int64)
    # Distinct features per document, sorted: (doc, high 32 bits of the hash) as one key.
    key = (sd.astype(np.uint64) << _U64(32)) | (sh >> _U64(32))
    key.sort()  # in place; measured 3x faster than np.unique's hash path here
    if len(key) > 1:
        key = key[np.r_[True, key[1:] != key[:-1]]]
    key_doc = (key >> _U64(32)).astype(np.int64)
    fb = np.searchsorted(key_doc, np.arange(n_docs + 1))
    feats32 = (key & _U64(0xFFFFFFFF)).astype(np.uint32)
    features = [feats32[fb[i] : fb[i + 1]] for i in range(n_docs)]
    n_shingles = np.diff(fb).astype(np.int64)
    # MinHash over the distinct features (re-mixed to 64 bits), so that the estimate and the
    # exact verification measure the same sets.
    # MinHash only proposes candidates: 1 in ``minhash_sample`` features is enough for its
    # estimate (its error depends on num_perm, not on the set size) and halves its cost.
    sub = (feats32 & np.uint32(minhash_sample - 1)) == 0 if minhash_sample > 1 else slice(None)
    with np.errstate(over="ignore"):
        fh = _mix(feats32[sub].astype(np.uint64) * _RADIX_U64 + _U64(1))
    minhashes = _minhash_rows(fh, key_doc[sub], n_docs, permutations(num_perm, seed))
    return BatchSketch(content_hashes, minhashes, n_shingles, char_mode, features)


def text_content_hash(text: str) -> str:
    """Exact-duplicate hash of one text (same value ``sketch_batch`` gives it in any batch)."""
    return sketch_batch([text], char_ngram=1, cjk_char_ngram=1, cjk_min_share=1.0, feature_sample=1,
                        num_perm=1, seed=0).content_hashes[0]
