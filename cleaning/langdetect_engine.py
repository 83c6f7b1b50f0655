"""langdetect's algorithm and profiles, with its two hot loops rewritten: same answers, faster.

Why: profiling ``detect_language`` on 500-word news showed ~95% of the time inside langdetect's
pure-Python loops: ``_extract_ngrams`` (a method call and a Unicode-block binary search per
character) and ``_update_lang_prob`` (a Python loop over 55 languages per sampled n-gram).
This module keeps everything that decides the answer — the 55 bundled profiles, the
normalisation (``NGram.normalize``/``normalize_vi``, called once per distinct character), the
n-gram rules (word padding, the all-capitals skip), the seeded ``random.Random`` stream, the
random walk with its alpha jitter, convergence test and iteration limit — and changes only how
it is computed:

* n-grams are extracted per distinct word (cached), not per character through an object;
* the probability vector is a numpy array: ``prob *= weight + row`` and the normalisation are
  the same IEEE double operations in the same order (the sum uses Python's ``sum`` exactly
  as langdetect does), so the probabilities are bit-for-bit langdetect's.

``tests/cleaning/test_language.py`` checks equality with ``langdetect.Detector`` on every
fixture, paragraph and sample length; ``benchmarks/language_quality_bench.py`` prints both
speeds.
"""

from __future__ import annotations

import json
import os
import random
import re
from functools import cached_property, lru_cache
from itertools import chain

import numpy as np
from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.utils.ngram import NGram

_ALPHA = Detector.ALPHA_DEFAULT
_ALPHA_WIDTH = Detector.ALPHA_WIDTH
_ITERATION_LIMIT = Detector.ITERATION_LIMIT
_PROB_THRESHOLD = Detector.PROB_THRESHOLD
_CONV_THRESHOLD = Detector.CONV_THRESHOLD
_BASE_FREQ = Detector.BASE_FREQ
_SPACES_RE = re.compile(" {2,}")
# Detector.cleaning_text: ASCII 'A'..'z' counts as Latin; code points from U+0300 up, except
# the Latin Extended Additional block (U+1E00-U+1EFF), count as non-Latin.
_LATIN_RE = re.compile("[A-z]")
_NON_LATIN_RE = re.compile("[\u0300-\u1dff\u1f00-\U0010ffff]")
_LATIN_BYTES = bytes(range(ord("A"), ord("z") + 1))
# normalize_vi only rewrites a letter followed by one of these combining marks.
_DIACRITIC_RE = re.compile("[" + re.escape(NGram.DMARK_CLASS) + "]")
# Bound on the per-word n-gram cache (entries); cleared when full, which never changes results.
_WORD_CACHE_MAX = 200_000


class _Normalizer(dict):
    """``str.translate`` table that calls ``NGram.normalize`` once per distinct character."""

    def __missing__(self, code_point: int) -> str:
        value = NGram.normalize(chr(code_point))
        self[code_point] = value
        return value


class LangdetectEngine:
    """The 55 langdetect profiles as one matrix, and langdetect's detection over it."""

    def __init__(self, profiles_directory: str = PROFILES_DIRECTORY) -> None:
        names = sorted(n for n in os.listdir(profiles_directory) if not n.startswith("."))
        profiles = []
        for name in names:
            with open(os.path.join(profiles_directory, name), encoding="utf-8") as fh:
                profiles.append(json.load(fh))
        self.languages: list[str] = [p["name"] for p in profiles]
        # DetectorFactory.add_profile: p(n-gram | language) = freq / n_words[len(n-gram) - 1]
        # for 1- to 3-grams. Built with numpy per profile (a Python loop over the 184k entries
        # took 0.15 s, paid by every process's first document).
        vocabulary = dict.fromkeys(chain.from_iterable(p["freq"] for p in profiles))
        if any(not 1 <= len(w) <= 3 for w in vocabulary):  # langdetect's own profiles have none
            vocabulary = {w: None for w in vocabulary if 1 <= len(w) <= 3}
            words = [[w for w in p["freq"] if w in vocabulary] for p in profiles]
        else:
            words = [list(p["freq"]) for p in profiles]
        for number, word in enumerate(vocabulary):
            vocabulary[word] = number
        matrix = np.zeros((len(vocabulary), len(profiles)), dtype=np.float64)
        for index, (p, ws) in enumerate(zip(profiles, words)):
            rows = np.fromiter(map(vocabulary.__getitem__, ws), dtype=np.intp, count=len(ws))
            freq = np.fromiter(map(p["freq"].__getitem__, ws), dtype=np.float64, count=len(ws))
            n_words = np.asarray(p["n_words"], dtype=np.float64)
            lengths = np.fromiter(map(len, ws), dtype=np.intp, count=len(ws))
            matrix[rows, index] = freq / n_words[lengths - 1]  # the same IEEE division
        self.vocabulary = vocabulary
        self.matrix = matrix
        self._normalizer = _Normalizer()
        self._word_cache: tuple[dict[str, tuple[int, ...]], dict[str, tuple[int, ...]]] = ({}, {})

    # -- text preparation (Detector.append + Detector.cleaning_text) -------------------------

    def prepare(self, text: str, max_text_length: int = 10_000) -> str:
        """The text langdetect would detect on: URLs/e-mails blanked, Vietnamese marks folded,
        cut to ``max_text_length``, runs of spaces collapsed, Latin dropped from non-Latin text."""
        # Each step is skipped when its trigger is absent: the result is the same, and langdetect's
        # e-mail pattern alone cost ~0.1 ms per 1,500 characters of plain prose.
        if "http" in text:
            text = Detector.URL_RE.sub(" ", text)
        if "@" in text:
            text = Detector.MAIL_RE.sub(" ", text)
        if _DIACRITIC_RE.search(text):
            text = NGram.normalize_vi(text)
        text = _SPACES_RE.sub(" ", text[:max_text_length])
        non_latin = len(_NON_LATIN_RE.findall(text))
        if non_latin:
            # 'A'..'z' are single bytes in UTF-8 and never part of a multi-byte character, so
            # counting those bytes counts those characters (in C; the regex took ~70 us here).
            encoded = text.encode("utf-8", "surrogatepass")
            latin = len(encoded) - len(encoded.translate(None, _LATIN_BYTES))
            if latin * 2 < non_latin:
                text = _LATIN_RE.sub("", text)
        return text

    def ngram_ids(self, text: str, max_text_length: int = 10_000) -> list[int]:
        """Profile row of every n-gram langdetect would extract from ``text``, in its order."""
        normalized = self.prepare(text, max_text_length).translate(self._normalizer)
        parts = normalized.split(" ")
        spaced, unspaced = self._word_cache  # words followed by a space, and the text's last word
        if len(spaced) > _WORD_CACHE_MAX:
            spaced.clear()
        ids: list[int] = []
        extend = ids.extend
        get = spaced.get
        for word in parts[:-1]:
            if word:
                grams = get(word)
                if grams is None:
                    grams = spaced[word] = self._word_ngrams(word, True)
                extend(grams)
        last = parts[-1]
        if last:
            grams = unspaced.get(last)
            if grams is None:
                if len(unspaced) > _WORD_CACHE_MAX:
                    unspaced.clear()
                grams = unspaced[last] = self._word_ngrams(last, False)
            extend(grams)
        return ids

    def clear_word_cache(self) -> None:
        """Forget the per-word n-grams (benchmarks use it to time cold documents)."""
        for cache in self._word_cache:
            cache.clear()

    def _word_ngrams(self, word: str, followed_by_space: bool) -> tuple[int, ...]:
        """NGram.add_char's output for one space-delimited word (the buffer restarts at ' ')."""
        padded = " " + word + (" " if followed_by_space else "")
        vocabulary = self.vocabulary
        out: list[int] = []
        capital = False
        for j in range(1, len(padded)):
            ch = padded[j]
            if ch.isupper():
                if padded[j - 1].isupper():
                    capital = True
            else:
                capital = False
            if capital:
                continue
            buffer = padded[max(0, j - 2) : j + 1]
            for n in range(1, len(buffer) + 1):
                gram = buffer[-n:]
                if gram != " ":
                    row = vocabulary.get(gram)
                    if row is not None:
                        out.append(row)
        return tuple(out)

    # -- detection (Detector._detect_block + _sort_probability) ------------------------------

    def probabilities(self, text: str, seed: int = 0, n_trial: int = 7,
                      max_text_length: int = 10_000) -> list[tuple[str, float]]:
        """langdetect's ranked (label, probability) list, p > 0.1; raises LangDetectException."""
        ids = self.ngram_ids(text, max_text_length)
        if not ids:
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        matrix = self.matrix
        size = len(self.languages)
        n_ngrams = len(ids)
        langprob = np.zeros(size)
        rng = random.Random()
        rng.seed(seed)
        # random.choice(seq) is seq[rng._randbelow(len(seq))]: the same draws, one call less.
        randbelow = rng._randbelow
        for _ in range(n_trial):
            prob = np.full(size, 1.0 / size)
            alpha = _ALPHA + rng.gauss(0.0, 1.0) * _ALPHA_WIDTH
            weight = alpha / _BASE_FREQ
            i = 0
            while True:
                prob *= weight + matrix[ids[randbelow(n_ngrams)]]
                if i % 5 == 0:
                    values = prob.tolist()
                    total = sum(values)  # Python's sum, as langdetect's _normalize_prob
                    prob /= total
                    # max(p / total) == max(p) / total: division by a positive number keeps order.
                    if max(values) / total > _CONV_THRESHOLD or i >= _ITERATION_LIMIT:
                        break
                i += 1
            langprob += prob / n_trial
        ranked = [(lang, p) for lang, p in zip(self.languages, langprob.tolist()) if p > _PROB_THRESHOLD]
        ranked.sort(key=lambda lp: lp[1], reverse=True)  # stable, as Language.__lt__ + sort()
        return ranked

    def votes(self, texts: list[str], max_ngrams: int, max_text_length: int = 10_000) -> list[str | None]:
        """For each text, the profile label with the highest naive-Bayes log-likelihood over its
        first ``max_ngrams`` n-grams (None when it has none). Deterministic, no sampling.

        langdetect's random walk estimates the same posterior by multiplying ``weight + p``
        for randomly drawn n-grams; summing ``log(weight + p)`` over the n-grams in order is
        the direct version, and all texts share one numpy gather. A screen, not a score:
        paragraphs whose vote disagrees with the document's language are confirmed by
        ``probabilities``.
        """
        per_text = [self.ngram_ids(t, max_text_length)[:max_ngrams] for t in texts]
        nonempty = [ids for ids in per_text if ids]
        if not nonempty:
            return [None] * len(texts)
        offsets = np.cumsum([0] + [len(ids) for ids in nonempty[:-1]])
        rows = self.log_matrix[np.fromiter((i for ids in nonempty for i in ids), dtype=np.intp)]
        best = np.add.reduceat(rows, offsets, axis=0).argmax(axis=1).tolist()
        labels = iter(self.languages[k] for k in best)
        return [next(labels) if ids else None for ids in per_text]

    def vote(self, text: str, max_ngrams: int, max_text_length: int = 10_000) -> str | None:
        """``votes`` for one text."""
        return self.votes([text], max_ngrams, max_text_length)[0]

    @cached_property
    def log_matrix(self) -> np.ndarray:
        """``log(weight + p)`` for every profile n-gram in float32 (~19 MB, built in place on the
        first vote): taking logarithms of the gathered rows was two thirds of a vote's time."""
        table = self.matrix.astype(np.float32)  # one 19 MB array, modified in place
        table += np.float32(_ALPHA / _BASE_FREQ)
        return np.log(table, out=table)


@lru_cache(maxsize=1)
def engine() -> LangdetectEngine:
    """The process-wide engine (profiles load once, ~0.2 s)."""
    return LangdetectEngine()


@lru_cache(maxsize=4)
def reference_factory(seed: int) -> DetectorFactory:
    """langdetect's own factory (profiles in sorted order, seeded): the reference for tests."""
    factory = DetectorFactory()
    profiles = []
    for name in sorted(os.listdir(PROFILES_DIRECTORY)):
        with open(os.path.join(PROFILES_DIRECTORY, name), encoding="utf-8") as fh:
            profiles.append(fh.read())
    factory.load_json_profile(profiles)
    factory.set_seed(seed)
    return factory


def reference_probabilities(text: str, seed: int = 0, n_trial: int = 7,
                            max_text_length: int = 10_000) -> list[tuple[str, float]]:
    """The same list computed by langdetect's own ``Detector`` (slow; for tests and benchmarks)."""
    detector = reference_factory(seed).create()
    detector.n_trial = n_trial
    detector.set_max_text_length(max_text_length)
    detector.append(text)
    return [(p.lang, p.prob) for p in detector.get_probabilities()]
