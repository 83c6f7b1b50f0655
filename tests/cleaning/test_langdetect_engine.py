"""The langdetect engine must give langdetect's own answers, and its vote must screen correctly."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from langdetect.lang_detect_exception import LangDetectException

from cleaning.langdetect_engine import engine, reference_factory, reference_probabilities
from cleaning.language import paragraphs

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = tomllib.loads((Path(__file__).parent / "fixtures" / "multilingual_news.toml").read_text("utf-8"))["doc"]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))

# Texts that exercise every branch of langdetect's text handling: capitals runs (skipped
# n-grams), URLs and e-mails, Vietnamese combining marks, Romanian comma letters, Latin inside
# mostly non-Latin text (dropped), Arabic/Farsi yeh, Kana and Han normalisation, digits only.
EDGE_TEXTS = [
    "NATO and the EU said the USA would attend the G7 summit in Brussels on Monday.",
    "Contact desk@news.example or see https://news.example/a?id=9 for the full statement today.",
    "Thủ tướng Chính phủ đã ký quyết định phê duyệt quy hoạch tổng thể quốc gia.",
    "Guvernul a aprobat ședința extraordinară și țara așteaptă măsuri concrete.",
    "서울시는 내년부터 Seoul Metro 요금을 인상한다고 밝혔다 with English words inside.",
    "وزیر امور خارجه ایران امروز در نشست خبری گفت که مذاکرات ادامه دارد",
    "東京都は５日、新たにコロナウイルスの感染者を確認したと発表した。",
    "  spaced    out   text   with   runs   of   spaces   and a trailing space ",
]


def units() -> list[str]:
    out = [d["text"] for d in FIXTURES] + [p for d in FIXTURES for p in paragraphs(d["text"])]
    out += [s.read_text("utf-8") for s in SEEDS] + EDGE_TEXTS
    return out


@pytest.mark.parametrize("n_trial", [7, 3, 2])
def test_probabilities_are_langdetects_bit_for_bit(n_trial):
    texts = units()
    different = [t[:60] for t in texts if engine().probabilities(t, 0, n_trial) != reference_probabilities(t, 0, n_trial)]
    assert different == []
    assert len(texts) > 60


def test_other_seed_and_text_length_limit_match_langdetect():
    text = FIXTURES[2]["text"]
    for seed, limit in ((1, 10_000), (42, 300), (0, 120)):
        assert engine().probabilities(text, seed, 3, limit) == reference_probabilities(text, seed, 3, limit)


def test_profile_matrix_is_langdetects_probability_map():
    factory = reference_factory(0)
    eng = engine()
    assert eng.languages == factory.langlist
    assert len(eng.vocabulary) == len(factory.word_lang_prob_map)
    for word in ("the", " de", "e ", "가", "あ", "ş"):
        assert eng.matrix[eng.vocabulary[word]].tolist() == factory.word_lang_prob_map[word]


@pytest.mark.parametrize("text", ["", "12345 678", "https://news.example/a?id=9 desk@news.example", "!!! ???"])
def test_no_features_raises_like_langdetect(text):
    with pytest.raises(LangDetectException, match="No features in text"):
        reference_probabilities(text)
    with pytest.raises(LangDetectException, match="No features in text"):
        engine().probabilities(text)


def test_word_cache_does_not_change_results():
    text = FIXTURES[3]["text"]
    warm = engine().probabilities(text, 0, 3)
    engine().clear_word_cache()
    assert engine().probabilities(text, 0, 3) == warm


def test_vote_names_the_language_of_latin_script_paragraphs():
    wanted = {"en", "de", "fr", "es"}
    paras = [(p, d["lang"]) for d in FIXTURES if d["lang"] in wanted and not d.get("mixed")
             for p in paragraphs(d["text"])]
    labels = engine().votes([p[:200] for p, _ in paras], 200)
    assert [lang for _, lang in paras] == labels
    assert len(paras) >= 15


def test_votes_in_one_batch_equal_votes_one_by_one():
    texts = [p[:200] for p in paragraphs(FIXTURES[0]["text"]) + paragraphs(FIXTURES[2]["text"])] + ["", "123"]
    assert engine().votes(texts, 100) == [engine().vote(t, 100) for t in texts]
    assert engine().votes(["", "123"], 100) == [None, None]


# Real sentences in the scripts every text rule is tested in (Korean, Chinese, Russian, Greek,
# Polish, Arabic, English), each long enough for the walk to converge.
SCRIPT_TEXTS = {
    "ko": "정부는 올해 반도체 수출이 지난해보다 크게 늘어날 것으로 전망했다. 업계는 공급망 회복이 빨라지고 있다고 밝혔다.",
    "zh": "国家统计局周三公布的数据显示，今年前十个月全国规模以上工业增加值同比增长百分之五，消费市场继续恢复。",
    "ru": "Правительство утвердило новый порядок субсидий для регионов. Министр финансов заявил, что средства поступят до конца года.",
    "el": "Η κυβέρνηση ανακοίνωσε νέα μέτρα στήριξης για τα νοικοκυριά. Ο υπουργός Οικονομικών δήλωσε ότι θα ισχύσουν από τον Ιανουάριο.",
    "pl": "Rząd przyjął projekt ustawy o wsparciu dla samorządów. Minister finansów zapowiedział, że pieniądze trafią do gmin jeszcze w tym roku.",
    "ar": "أعلنت الحكومة اليوم عن خطة جديدة لدعم الأسر ذات الدخل المحدود، وقال وزير المالية إن الإجراءات ستبدأ مطلع العام المقبل.",
    "en": "The port authority said on Monday that the strike had delayed more than forty ships, and talks would resume on Thursday.",
}


@pytest.mark.parametrize("seed", [0, 7])
def test_replayed_draws_are_pythons_random(seed):
    """The bulk replay of random.Random(seed) gives the same gauss() and _randbelow(n) numbers."""
    import random

    from cleaning.langdetect_engine import _Draws, replay_matches_random

    assert replay_matches_random(seed)
    for n in (1, 5, 2048, 2049, 3839, 70_000):
        rng = random.Random()
        rng.seed(seed)
        draws = _Draws(seed, n)
        for used in (1, 20, 3, 61):
            assert draws.gauss() == rng.gauss(0.0, 1.0)
            picks = draws.take(64).tolist()
            draws.commit(used)
            assert picks[:used] == [rng._randbelow(n) for _ in range(used)]


@pytest.mark.parametrize("lang", sorted(SCRIPT_TEXTS))
@pytest.mark.parametrize("n_trial", [3, 7])
def test_detect_gives_the_labels_and_stored_probabilities_of_langdetect(lang, n_trial):
    """The certain-case shortcut keeps langdetect's labels and its probability at 4 decimals."""
    text = SCRIPT_TEXTS[lang]
    exact = engine().probabilities(text, 0, n_trial)
    fast = engine().detect(text, 0, n_trial)
    assert [label for label, _ in fast] == [label for label, _ in exact]
    assert [round(p, 4) for _, p in fast] == [round(p, 4) for _, p in exact]
    assert fast == engine().detect(text, 0, n_trial)  # deterministic


def test_detect_falls_back_to_the_exact_list_when_uncertain():
    """Trials that end on different languages (a German-English mix; Traditional Chinese, where
    langdetect wavers between ko and zh-tw): detect returns langdetect's exact list."""
    for text in ("Der Präsident said the Regierung will am Montag in Berlin die new policy announce.",
                 "學者認為，打房措施若要見效，仍需搭配稅制改革與社會住宅供給，單靠信用管制恐怕只能短期抑制交易量。"):
        exact = engine().probabilities(text, 0, 3)
        assert len(exact) == 2
        assert engine().detect(text, 0, 3) == exact == reference_probabilities(text, 0, 3)


def test_detect_fallback_on_a_mixed_text_is_the_exact_list():
    text = SCRIPT_TEXTS["pl"][:60] + " " + SCRIPT_TEXTS["en"][:60]
    fast, exact = engine().detect(text, 0, 3), reference_probabilities(text, 0, 3)
    assert [(label, round(p, 4)) for label, p in fast] == [(label, round(p, 4)) for label, p in exact]


def test_detect_on_every_unit_matches_langdetect_labels():
    for text in units():
        try:
            exact = reference_probabilities(text, 0, 3)
        except LangDetectException:
            with pytest.raises(LangDetectException):
                engine().detect(text, 0, 3)
            continue
        fast = engine().detect(text, 0, 3)
        assert [(label, round(p, 4)) for label, p in fast] == [(label, round(p, 4)) for label, p in exact]


@pytest.mark.parametrize("lang", sorted(SCRIPT_TEXTS))
def test_ngram_array_is_the_per_character_extraction(lang):
    """Raw-word caching gives langdetect's n-grams in its order (punctuation inside words,
    the last word unpadded on the right), cold and warm."""
    from langdetect.detector import Detector

    text = SCRIPT_TEXTS[lang] + " U.S.-based NATO, co-operation:end"
    detector = reference_factory(0).create()
    detector.append(text)
    detector.cleaning_text()  # what Detector._detect_block does first (Latin dropped from Arabic here)
    expected = [engine().vocabulary[g] for g in detector._extract_ngrams()]
    engine().clear_word_cache()
    assert engine().ngram_ids(text) == expected
    assert engine().ngram_ids(text) == expected
    assert isinstance(detector, Detector)


# Short texts: few n-grams, so walks run long (past 61 draws) and the gauss words between walks
# fall inside the run of draws the walks share (``_converged_walks``).
SHORT_TEXTS = [SCRIPT_TEXTS[lang][:length] for lang in sorted(SCRIPT_TEXTS) for length in (30, 45, 60)]
SHORT_TEXTS += ["Potential audience: 9771 billion monthly users.", "Pet Safety: Nontoxic to cats and dogs."]


@pytest.mark.parametrize("n_trial", [2, 3, 7])
def test_shared_walks_keep_langdetects_labels_on_short_texts(n_trial):
    """Every walk of the shared run starts where langdetect's would (after the last walk and
    the gauss words), so detect keeps langdetect's labels and 4-decimal probabilities."""
    for text in SHORT_TEXTS:
        exact = engine().probabilities(text, 0, n_trial)
        fast = engine().detect(text, 0, n_trial)
        assert [(label, round(p, 4)) for label, p in fast] == [(label, round(p, 4)) for label, p in exact], text
