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
