"""Quality filters: one test per rule and reason, on realistic pages, plus the seeds with a margin."""

from __future__ import annotations

import copy

import tomllib
from pathlib import Path

import pytest

from cleaning.config import load_config
from cleaning.document import Document
from cleaning.quality import filter_names, measure_quality, quality_rejection

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = tomllib.loads((Path(__file__).parent / "fixtures" / "multilingual_news.toml").read_text("utf-8"))["doc"]
BY_ID = {d["id"]: d for d in FIXTURES}
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
CONFIG = load_config()


def doc(text: str, id: str = "q1") -> Document:
    return Document(id=id, source=f"test/{id}", text=text, url=f"https://news.example/{id}")


def rejection(text: str, config=CONFIG):
    return quality_rejection(doc(text), config)


def without(*names: str):
    """The default config with some filters switched off, to reach a later rule in the order."""
    return load_config(overrides={"quality": {n: {"enabled": False} for n in names}})


def seed_without_trailer(path: Path) -> str:
    """Roughly what the cleaner leaves: the raw seed minus its related-content/headline trailer."""
    text = path.read_text("utf-8")
    for marker in ("\nRelated Content", "\nPhoto: KG Mobility Newsroom", "\nRead more…"):
        if marker in text:
            text = text[: text.index(marker)]
    return text.strip()


# --- real articles pass ------------------------------------------------------------------------

@pytest.mark.parametrize("fixture", FIXTURES, ids=[d["id"] for d in FIXTURES])
def test_multilingual_articles_pass(fixture):
    assert quality_rejection(doc(fixture["text"], fixture["id"]), CONFIG) is None


@pytest.mark.parametrize("trim", [False, True], ids=["raw", "cleaned"])
@pytest.mark.parametrize("seed", SEEDS, ids=[p.name for p in SEEDS])
def test_seeds_pass_raw_and_cleaned(seed, trim):
    text = seed_without_trailer(seed) if trim else seed.read_text("utf-8")
    assert quality_rejection(doc(text, seed.stem), CONFIG) is None


def _tightened(factor: float):
    """Every threshold moved `factor` of the way toward stricter (limits down, minimums up)."""
    q = CONFIG["quality"]
    up = 1 + factor
    down = 1 - factor
    return load_config(overrides={"quality": {
        "too_short": {"min_words": int(q["too_short"]["min_words"] * up)},
        "index_page": {"max_share": q["index_page"]["max_share"] * down},
        "unpunctuated_lines": {"max_share": q["unpunctuated_lines"]["max_share"] * down},
        "low_alpha": {"min_share": q["low_alpha"]["min_share"] * up},
        "symbol_digit_ratio": {"max_ratio": q["symbol_digit_ratio"]["max_ratio"] * down},
        "dup_lines": {"max_fraction": q["dup_lines"]["max_fraction"] * down},
        "dup_line_chars": {"max_fraction": q["dup_line_chars"]["max_fraction"] * down},
        "top_ngram": {"max_fraction": {n: v * down for n, v in q["top_ngram"]["max_fraction"].items()}},
        "dup_ngrams": {"max_fraction": {n: v * down for n, v in q["dup_ngrams"]["max_fraction"].items()}},
    }})


@pytest.mark.parametrize("trim", [False, True], ids=["raw", "cleaned"])
@pytest.mark.parametrize("seed", SEEDS, ids=[p.name for p in SEEDS])
def test_seeds_pass_with_20_percent_stricter_thresholds(seed, trim):
    """The thresholds are not razor-thin for the seeds, trailers and all."""
    text = seed_without_trailer(seed) if trim else seed.read_text("utf-8")
    assert quality_rejection(doc(text, seed.stem), _tightened(0.2)) is None


def test_gopher_dup_ngram_limit_would_reject_cleaned_seed_001():
    """Why dup_ngrams is looser than Gopher: seed 001 repeats its standfirst as the first paragraph."""
    gopher = load_config(overrides={"quality": {"dup_ngrams": {"max_fraction": {"5": 0.15}}}})
    rej = quality_rejection(doc(seed_without_trailer(SEEDS[1])), gopher)
    assert rej is not None and (rej.reason, rej.value) == ("quality.dup_ngrams", 0.2373)


def test_cjk_articles_are_counted_in_words_not_spaces():
    text = BY_ID["zh-cn-weather-harvest"]["text"]
    assert len(text.split()) == 2  # what a whitespace count would call "too short"
    assert measure_quality(doc(text), CONFIG)["too_short"] == 98
    assert measure_quality(doc(BY_ID["ja-rice-prices"]["text"]), CONFIG)["too_short"] == 204
    assert measure_quality(doc(BY_ID["ko-semiconductor-exports"]["text"]), CONFIG)["too_short"] == 134


# --- each rule fires, with its name and measured value ------------------------------------------

HEADLINES_PAGE = """Latest News
Central bank holds rates steady as inflation cools
Dockworkers strike halts cargo at three ports
Council approves new tram line for eastern suburbs
Heatwave warning issued for southern provinces
Local team clinches title with late winner
Tech shares slide on weak chip demand outlook
Opposition calls for inquiry into procurement deal
Hospital waiting lists reach record high
Rail operator unveils timetable for winter
Farmers protest over fuel subsidy cuts
Festival organisers expect record crowds
More stories
"""


def test_headlines_only_page_is_an_index_page():
    rej = rejection(HEADLINES_PAGE)
    assert rej.reason == "quality.index_page"
    assert rej.value == 1.0
    assert rej.detail == ("13 of 13 lines are headlines/links, holding 100% of the text (max 60%), "
                          "and no run of paragraphs reaches 50 words (longest 0)")


KOREAN_SECTION_FRONT = """많이 본 뉴스
반도체 수출 석 달 연속 증가…무역수지 흑자 행진
서울시, 내년부터 시내버스 정액 환승 요금제 도입
한은, 기준금리 동결…"물가 둔화 흐름 지켜볼 것"
태풍 북상에 제주 하늘길 일부 결항
프로야구 정규시즌 1위 경쟁 막판까지 혼전
아파트 분양가 상승세 지속…수도권 청약 경쟁률 상승
전기차 배터리 화재 대책 발표
"""


def test_korean_section_front_is_an_index_page():
    rej = rejection(KOREAN_SECTION_FRONT)
    assert (rej.reason, rej.value) == ("quality.index_page", 1.0)


CONSENT_STUB = """We value your privacy

We use cookies and similar technologies to personalise content and ads, to provide social media features and to analyse our traffic. You can accept all cookies or manage cookie preferences at any time.

Accept all cookies
Reject all
Manage cookie preferences
"""


def test_cookie_consent_stub():
    rej = rejection(CONSENT_STUB)
    assert rej.reason == "quality.consent_wall"
    assert rej.value == 45
    assert rej.detail == "consent phrase 'We value your privacy' in a 45-word document (articles have at least 150 words)"


def test_korean_cookie_consent_stub():
    text = "이 웹사이트는 원활한 서비스 제공을 위해 쿠키를 사용합니다. 계속 이용하시려면 쿠키 사용에 동의해 주세요.\n모든 쿠키 허용\n쿠키 설정"
    rej = rejection(text)
    assert (rej.reason, rej.value) == ("quality.consent_wall", 19)


PAYWALL_STUB = """Dockworkers at three of the country's largest container ports walked off the job on Tuesday morning, halting the loading of cargo ships as talks over automation collapsed.

Subscribe to continue reading. This content is for subscribers only.
Already a subscriber? Log in
"""


def test_english_paywall_stub():
    rej = rejection(PAYWALL_STUB)
    assert rej.reason == "quality.paywall"
    assert rej.value == 42
    assert rej.detail == ("paywall phrase 'Subscribe to continue reading' in a 42-word document "
                          "(articles have at least 150 words)")


def test_korean_paywall_stub():
    text = ("반도체 수출이 석 달 연속 증가하면서 지난달 전체 수출이 1년 만에 가장 큰 폭으로 늘었다.\n"
            "이 기사는 유료회원 전용입니다. 전체 기사를 보시려면 로그인 후 이용해 주세요.")
    rej = rejection(text)
    assert (rej.reason, rej.value) == ("quality.paywall", 26)


def test_long_article_with_a_leftover_subscribe_line_is_kept():
    text = BY_ID["en-port-strike"]["text"] + "\nSubscribe to continue reading our coverage of the strike.\n"
    assert rejection(text) is None
    assert measure_quality(doc(text), CONFIG)["paywall"] == 211


def test_very_short_text():
    rej = rejection("Police said the road would reopen on Friday.")
    assert (rej.reason, rej.value) == ("quality.too_short", 8)
    assert rej.detail == "8 words, fewer than the minimum 50"


def test_too_long_text():
    cfg = load_config(overrides={"quality": {"too_long": {"max_words": 150}}})
    rej = rejection(BY_ID["en-port-strike"]["text"], cfg)
    assert (rej.reason, rej.value) == ("quality.too_long", 202)


def test_empty_text():
    rej = rejection("  \n ")
    assert (rej.reason, rej.value, rej.detail) == ("quality.empty", 0, "no text left after cleaning")


def test_repeated_marker_lines_in_an_article_are_not_repetition():
    paragraphs = [p for p in BY_ID["en-port-strike"]["text"].strip().split("\n\n")]
    text = "\nAdvertisement\n".join(paragraphs)  # the ad marker the scraper kept, between paragraphs
    # 3 of 9 lines repeat, but a one-word marker is not repeated content: the article is kept.
    assert rejection(text) is None


def test_repeated_sentence_lines():
    paragraphs = [p for p in BY_ID["en-port-strike"]["text"].strip().split("\n\n")]
    # A broken scrape: the same sentence pasted between every two paragraphs.
    text = "\nThe union said it would not return to the table this week.\n".join(paragraphs)
    rej = rejection(text)
    assert rej.reason == "quality.dup_lines"
    assert rej.value == 0.3333  # 3 repeats among 9 lines
    assert rej.detail == "33% of lines repeat an earlier line (max 30%)"
    assert rej.threshold == 0.3


def test_repeated_lines_by_characters():
    body = BY_ID["en-port-strike"]["text"].strip().split("\n\n")
    text = "\n".join(body + [body[0], body[2]])  # two whole paragraphs pasted twice: 2 of 7 lines
    rej = rejection(text)
    assert (rej.reason, rej.value) == ("quality.dup_line_chars", 0.3039)


def test_keyword_spam_top_ngram():
    text = " ".join(
        ["Cheap flights to Seoul are here."] * 3
        + ["Book cheap flights to Seoul today and compare cheap flights to Seoul from every airline."] * 1
        + ["Our travel desk lists cheap flights to Seoul, hotel deals and tours for the whole family."]
        + ["Find cheap flights to Seoul in spring, cheap flights to Seoul in autumn, and more."] * 1
    )
    rej = rejection(text)
    assert rej.reason == "quality.top_ngram"
    assert rej.value == 0.3333
    assert rej.detail == "top 2-gram 'cheap flights' appears 8 times and covers 33% of characters (max 20%)"


def test_spun_article_duplicate_ngrams():
    lead = ("The transport ministry urged both sides to return to mediation and said it was preparing "
            "contingency plans to move medical supplies and perishable food.")
    text = " ".join([lead, BY_ID["en-port-strike"]["text"].split("\n\n")[1].strip(), lead, lead, lead])
    rej = rejection(text)
    assert rej.reason == "quality.dup_ngrams"
    assert rej.value == 0.4948  # three of the four copies of the lead are excess
    assert rej.detail == "49% of characters are in repeated 5-grams (max 40%)"


STOCK_TABLE = """Market close, Thursday
KOSPI 2,612.43 +18.27 +0.70%
KOSDAQ 748.19 -3.05 -0.41%
Samsung Elec 71,200 +1,300 +1.81%
SK hynix 198,500 +4,500 +2.32%
LG Energy 402,000 -6,000 -1.47%
Hyundai Motor 251,000 +2,500 +1.01%
USD/KRW 1,378.50 -4.20 -0.30%
"""


def test_stock_table_is_caught_as_list_by_default_and_by_symbol_ratio_alone():
    assert rejection(STOCK_TABLE).reason == "quality.index_page"
    rej = rejection(STOCK_TABLE, without("index_page", "too_short", "unpunctuated_lines", "low_alpha"))
    assert (rej.reason, rej.value) == ("quality.symbol_digit_ratio", 0.4589)


AUTO_CAPTIONS = """good evening and welcome to the seven o'clock news tonight the port strike enters its third day with no sign of talks resuming and ships now waiting off the coast for a berth
union leaders say they will not return to the table until operators drop their plans for remote controlled cranes at the two largest terminals in the country
operators for their part say the machines are needed to stay competitive and that no permanent jobs will be lost as a result of the new equipment being installed
meanwhile freight companies warn that shelves could be emptier before the holidays if the dispute drags on into next week according to the logistics association
Video captions were generated automatically.
"""


def test_unpunctuated_lines_of_auto_captions():
    rej = rejection(AUTO_CAPTIONS)
    assert rej.reason == "quality.unpunctuated_lines"
    # The caption lines continue each other (each starts lower-case), so they are one logical
    # line of ~150 words whose only full stop is the credit's: not a sentence, not prose.
    assert rej.value == 1.0
    assert rej.detail == "100% of the text is in lines without sentence punctuation (max 75%)"


def test_low_alpha_words():
    scores = " ".join(f"{a}-{b} {c}:{d} {a + c}" for a, b, c, d in [(3, 1, 45, 12), (2, 2, 90, 5), (0, 1, 67, 30)] * 5)
    text = f"Results from Saturday's matches in the league follow. {scores} All times are local."
    rej = rejection(text, without("symbol_digit_ratio"))
    assert (rej.reason, rej.value) == ("quality.low_alpha", 0.2105)  # 12 of 57 words


def test_mean_word_length_of_text_that_lost_its_spaces():
    text = ("Dockworkersatthreeofthecountrys largestcontainerports walkedoffthejob onTuesdaymorning. "
            "Theunionrepresenting about14000workers saidthestrike wouldlastatleast72hours. ") * 4
    rej = rejection(text, without("too_short"))
    assert rej.reason == "quality.mean_word_length"
    assert rej.value == 19.5
    assert rej.detail == "mean non-CJK word length 19.50 characters, outside 3.0-10.0"


def test_korean_word_length_uses_the_hangul_range():
    text = BY_ID["ko-semiconductor-exports"]["text"]
    assert measure_quality(doc(text), CONFIG)["mean_word_length"] == 3.1231  # syllables per eojeol
    strict_latin = load_config(overrides={"quality": {"mean_word_length": {"min": 4.0}}})
    assert rejection(text, strict_latin) is None  # Latin range does not apply to Korean


# --- names, switches, provenance ----------------------------------------------------------------

def test_filter_names_lists_every_enabled_rule_in_order():
    assert filter_names(CONFIG) == [
        "quality.empty", "quality.paywall", "quality.consent_wall", "quality.index_page",
        "quality.too_short", "quality.too_long", "quality.unpunctuated_lines", "quality.low_alpha",
        "quality.symbol_digit_ratio", "quality.mean_word_length", "quality.dup_lines",
        "quality.dup_line_chars", "quality.top_ngram", "quality.dup_ngrams",
    ]
    assert "quality.paywall" not in filter_names(without("paywall"))


def test_disabled_filter_does_not_fire():
    assert rejection(PAYWALL_STUB).reason == "quality.paywall"
    assert rejection(PAYWALL_STUB, without("paywall")).reason == "quality.too_short"


def test_rejection_carries_document_identity():
    rej = quality_rejection(Document(id="a7", source="crawl/a7.html", text="Too short.", url="https://x.example/a7"), CONFIG)
    assert (rej.id, rej.source, rej.url) == ("a7", "crawl/a7.html", "https://x.example/a7")
    assert rej.to_dict()["reason"] == "quality.too_short"


def test_rejected_row_says_what_was_lost_and_against_which_threshold():
    """Enough to audit a rejected set by language and re-run it with other thresholds."""
    text = "世界卫生组织今天发布报告。" * 3  # 36 characters of Chinese: 24 words, not 1
    d = Document(id="z1", source="crawl/z1.html", text=text, url="https://x.example/z1", title="世卫报告",
                 language="zh")
    row = quality_rejection(d, CONFIG).to_dict()
    assert (row["reason"], row["value"], row["threshold"]) == ("quality.too_short", 24, 50)
    assert (row["language"], row["title"], row["word_count"], row["text"]) == ("zh", "世卫报告", 24, text)
    rerun = Document(id=row["id"], source=row["source"], text=row["text"], language=row["language"])
    looser = copy.deepcopy(CONFIG)
    looser["quality"]["too_short"]["min_words"] = 20
    assert quality_rejection(rerun, looser) is None  # the row's text re-runs with another threshold


# --- speed work must not change a single measurement -------------------------------------------

def _varied_texts() -> list[str]:
    """Articles, spam, repeated leads, CJK and awkward characters: where shortcuts could slip."""
    texts = [d["text"] for d in FIXTURES] + [p.read_text("utf-8") for p in SEEDS] + [STOCK_TABLE]
    lead = BY_ID["en-port-strike"]["text"].split("\n\n")[1].strip()
    texts += [" ".join([lead] * k + [BY_ID["de-bahn-tarif"]["text"]]) for k in (2, 3, 5)]
    texts += ["Cheap flights to Seoul. " * 30, "中文新闻报道，" * 60 + "日本語のニュース。" * 20,
              "Price 😀 ½ ² 𠀀 ① — “quotes” " * 40, "a b " * 100, "word " * 3]
    return texts


def _units(text: str) -> list[str]:
    """ngram_units, as the filters defined them before the shared statistics."""
    from cleaning.filters.base import _TOKEN_STRIP
    from cleaning.scripts import UNSPACED_RE

    units: list[str] = []
    for token in text.split():
        word = token.strip(_TOKEN_STRIP).lower()
        if word:
            units.extend(ch for ch in word if not ch.isspace()) if UNSPACED_RE.search(word) else units.append(word)
    return units


def test_shared_ngram_statistics_equal_the_reference_definitions():
    from cleaning.filters import TextStats
    from cleaning.filters.repetition_filters import (
        _top_ngram,
        duplicate_fraction,
        duplicate_ngram_fraction,
        top_ngram_fraction,
    )

    for text in _varied_texts():
        stats = TextStats(text, 1.5)
        units = _units(text)
        assert stats.ngram_units == units
        total = sum(map(len, units))
        for n in range(1, 11):
            assert duplicate_fraction(stats, n) == duplicate_ngram_fraction(units, n)
            _, count, fraction = _top_ngram(units, n, total) if total else ((), 1, 0.0)
            assert top_ngram_fraction(stats, n) == (fraction if count > 1 else 0.0)


# Real sentences in seven scripts, flattened and repeated, for the table-free shortcuts.
SCRIPT_SENTENCES = {
    "ko": "정부는 올해 반도체 수출이 지난해보다 크게 늘어날 것으로 전망했다. 업계는 공급망 회복이 빨라지고 있다고 밝혔다.",
    "zh": "国家统计局周三公布的数据显示，今年前十个月全国规模以上工业增加值同比增长百分之五，消费市场继续恢复。",
    "ru": "Правительство утвердило новый порядок субсидий для регионов. Министр финансов заявил, что средства поступят до конца года.",
    "el": "Η κυβέρνηση ανακοίνωσε νέα μέτρα στήριξης για τα νοικοκυριά. Ο υπουργός Οικονομικών δήλωσε ότι θα ισχύσουν από τον Ιανουάριο.",
    "pl": "Rząd przyjął projekt ustawy o wsparciu dla samorządów. Minister finansów zapowiedział, że pieniądze trafią do gmin w 2025 r.",
    "ar": "أعلنت الحكومة اليوم عن خطة جديدة لدعم الأسر ذات الدخل المحدود، وقال وزير المالية إن الإجراءات ستبدأ مطلع العام المقبل.",
    "en": "The port authority said on Monday that the U.S.-flagged ships, about 40 of them, had waited 3-4 days; talks resume Thursday.",
}


def _script_texts() -> list[str]:
    texts = []
    for sentence in SCRIPT_SENTENCES.values():
        texts += [sentence, "\n".join([sentence] * 3), sentence + " " + " ".join(sentence.split()[:6]) * 4]
    return texts + _varied_texts()


def test_table_free_shortcuts_equal_the_shared_statistics():
    """repeat_fraction (dict of n-gram tuples) equals the n-gram tables; the top-n-gram bound is
    never below the true top n-gram; word_count, char_classes and has_unspaced_script equal the
    one-pass text_stats; lettered_words are the words holding a letter — in every script."""
    from cleaning.filters import TextStats
    from cleaning.filters.base import has_letter
    from cleaning.filters.repetition_filters import (
        duplicate_fraction,
        repeat_fraction,
        shared_duplicate_fraction,
        top_ngram_bound,
        top_ngram_fraction,
    )
    from cleaning.scripts import text_stats

    for text in _script_texts():
        stats = TextStats(text, 1.5)
        units = stats.ngram_units
        total = sum(map(len, units))
        for n in range(1, 11):
            assert repeat_fraction(units, n, total) == duplicate_fraction(stats, n)
            assert shared_duplicate_fraction(stats, n, total) == duplicate_fraction(stats, n)
            if total:
                assert top_ngram_fraction(stats, n) <= round(n * top_ngram_bound(units) / total, 4)
        reference = text_stats(text, 1.5)
        assert stats.word_count == reference.words
        assert dict(stats.char_classes) == reference.class_counts()
        assert stats.has_unspaced_script == (reference.unspaced_letters > 0)
        assert stats.lettered_words == [w for w in stats.clean_words if has_letter(w)]
        assert stats.clean_words == [w for w in (t.strip("\"'“”‘’«»()[]{}<>「」『』（）【】〈〉《》.,;:!?…。、，！？：；-–—·•*")
                                                  for t in text.split()) if w]


def test_dup_ngrams_takes_the_tables_top_ngram_built_with_the_same_fractions():
    """Once top_ngram has built the n-gram tables (a repetitive text), dup_ngrams extends them one
    n at a time instead of its dict pass; both give the same fraction in every script."""
    from cleaning.filters import TextStats
    from cleaning.filters.repetition_filters import repeat_fraction, shared_duplicate_fraction

    for text in _script_texts():
        fresh, built = TextStats(text, 1.5), TextStats(text, 1.5)
        units = fresh.ngram_units
        total = sum(map(len, units))
        built.ngram_table(4)  # what top_ngram leaves behind on a text over its bound
        assert built.has_ngram_table(4) == (len(units) >= 4) and not fresh.has_ngram_table(4)
        for n in range(5, 11):
            expected = repeat_fraction(units, n, total)
            assert shared_duplicate_fraction(built, n, total) == expected
            assert shared_duplicate_fraction(fresh, n, total) == expected


def test_top_ngram_bound_lets_a_repetitive_text_through_to_the_tables():
    """Spam that repeats a phrase is over the bound, so the exact rule still rejects it, with the
    same n-gram and fraction as the table-only rule; an article passes."""
    from cleaning.filters import TextStats
    from cleaning.filters.repetition_filters import TopNgramFilter

    rule = TopNgramFilter(CONFIG["quality"]["top_ngram"])
    for sentence in (SCRIPT_SENTENCES["en"], SCRIPT_SENTENCES["ru"], SCRIPT_SENTENCES["ko"], SCRIPT_SENTENCES["el"]):
        spam = " ".join([" ".join(sentence.split()[:3]) + "."] * 40) + " " + sentence
        failure = rule.check(TextStats(spam, 1.5))
        assert failure is not None and failure.name == "top_ngram" and failure.value > 0.2
    for path in SEEDS:
        assert rule.check(TextStats(path.read_text("utf-8"), 1.5)) is None


def test_dup_ngrams_stops_early_only_when_no_later_limit_can_fail():
    """The filter stops once the fraction is under every remaining limit (fractions never grow
    with n); a full loop over every n must reach the same verdict."""
    from cleaning.filters import TextStats
    from cleaning.filters.repetition_filters import DuplicateNgramsFilter, duplicate_ngram_fraction

    for limits in ({"5": 0.40, "10": 0.35}, {"5": 0.9, "6": 0.2, "7": 0.1}, {"5": 0.0, "8": 0.5}):
        rule = DuplicateNgramsFilter({"max_fraction": limits, "min_units": 10})
        for text in _varied_texts():
            units = _units(text)
            expected = None
            if len(units) >= 10:
                for n, limit in sorted((int(k), v) for k, v in limits.items()):
                    fraction = round(duplicate_ngram_fraction(units, n), 4)
                    if fraction == 0.0:
                        break
                    if fraction > limit:
                        expected = (n, fraction)
                        break
            failure = rule.check(TextStats(text, 1.5))
            assert (failure.value if failure else None) == (expected[1] if expected else None)


def test_character_classes_equal_unicode_categories():
    import unicodedata
    from collections import Counter

    from cleaning.filters import TextStats

    def reference(text: str) -> Counter:
        classes: Counter = Counter()
        for ch in text:
            cat = unicodedata.category(ch)
            key = ("space" if ch.isspace() else "letter" if cat[0] == "L" else "digit" if cat[0] == "N"
                   else "symbol" if cat[0] == "S" else "punct" if cat[0] == "P" else "other")
            classes[key] += 1
        return classes

    for text in _varied_texts() + ["\ud800 lone surrogate", ""]:
        assert TextStats(text, 1.5).char_classes == reference(text)


def test_filters_are_rebuilt_when_a_config_changes_in_place():
    cfg = load_config()
    text = BY_ID["en-port-strike"]["text"]
    assert quality_rejection(doc(text), cfg) is None
    cfg["quality"]["too_short"]["min_words"] = 10_000
    assert quality_rejection(doc(text), cfg).reason == "quality.too_short"


def test_a_guide_of_sentence_bullets_is_not_an_index_page():
    """A bullet item that is a sentence is prose, not a link (found on real article pages:
    council and how-to pages extract to mostly "- Sentence." lines)."""
    bullets = [
        "Building permits authorize construction and the inspections that follow it.",
        "Contractors and sub-contractors must be licensed, bonded and insured to work in the city.",
        "Construction is inspected for conformance with the plan, the permit and the state codes.",
        "Construction plans are reviewed for compliance with state and local requirements.",
        "Electrical work must be inspected before walls and ceilings are closed.",
        "Plumbing rough-ins need a pressure test witnessed by an inspector.",
        "Decks higher than thirty inches above grade need guards and a permit.",
        "Fences taller than six feet are reviewed by the zoning office first.",
        "Demolition permits require proof that utilities have been disconnected.",
        "Roof replacements need a permit when the decking is replaced.",
        "Inspection requests made before noon are usually scheduled for the next day.",
        "Fees are due when the permit is issued and can be paid online.",
    ]
    text = "Building Department\nServices\n" + "\n".join(f"- {b}" for b in bullets) + "\nContact us\nOffice hours"
    assert quality_rejection(doc(text), CONFIG) is None
    assert measure_quality(doc(text), CONFIG)["index_page"] < 0.2


def test_one_flattened_unterminated_line_of_sentences_is_prose():
    text = ("Tax laws change often, but your confidence when filing should not budge. This guide explains "
            "when to file, how to prepare and what to expect. The standard deduction rises again this year. "
            "Families with children may see a larger credit than last year") * 3
    assert measure_quality(doc(text), CONFIG)["unpunctuated_lines"] == 0.0


# --- genuine articles with code, tables, lists and link trailers are kept ------------------------

HOWTO_WITH_CODE = """Rust makes it easy to read a configuration file at start-up. This short guide shows the two functions we use in production and explains each step.
First, define the settings you expect. Every field has a type, so a value that does not parse stops the program with a clear message.
struct Settings {
    port: u16,
    name: String,
}
Then read the file and parse it. The question mark passes any error up to the caller.
fn load(path: &str) -> Result<Settings, Error> {
    let text = fs::read_to_string(path)?;
    let settings = toml::from_str(&text)?;
    Ok(settings)
}
Finally, call it from main and print what was loaded.
fn main() {
    let settings = load("app.toml").unwrap();
    println!("{}", settings.name);
}
That is all it takes. The same pattern works for JSON and YAML files with a different parser crate.
"""


def test_howto_article_with_code_blocks_is_kept():
    assert rejection(HOWTO_WITH_CODE) is None
    m = measure_quality(doc(HOWTO_WITH_CODE), CONFIG)
    assert m["unpunctuated_lines"] < 0.2  # the code lines are content, not unpunctuated prose


def test_article_followed_by_a_long_related_links_list_is_not_an_index_page():
    body = ("Η κυβέρνηση ανακοίνωσε σήμερα νέα μέτρα στήριξης για τις μικρές επιχειρήσεις, με έμφαση στη ρύθμιση "
            "των οφειλών και στη φθηνότερη χρηματοδότηση. Οι εκπρόσωποι των εμπόρων χαιρέτισαν την πρωτοβουλία, "
            "αλλά τόνισαν ότι τα μέτρα έρχονται με μεγάλη καθυστέρηση.\n"
            "Ο υπουργός δήλωσε ότι τα πρώτα χρήματα θα δοθούν μέσα στον επόμενο μήνα.")
    links = ["Σχετικά Άρθρα",
             "Αυξάνονται οι τιμές στα καύσιμα ενόψει του χειμώνα",
             "Στην Βουλή το νομοσχέδιο για τα ενοίκια",
             "Νέα απεργία στα λιμάνια την Πέμπτη",
             "Ο πληθωρισμός υποχώρησε τον Οκτώβριο",
             "Κλειστά τα σχολεία λόγω κακοκαιρίας στη Βόρεια Ελλάδα",
             "Τι αλλάζει στις συντάξεις από τον Ιανουάριο",
             "Ρεκόρ αφίξεων τουριστών στα νησιά του Αιγαίου",
             "Ανακοινώθηκαν οι βάσεις εισαγωγής στα πανεπιστήμια",
             "Σε δημόσια διαβούλευση ο νέος χωροταξικός σχεδιασμός",
             "Πρόγραμμα επιδότησης για φωτοβολταϊκά στις στέγες",
             "Οι τράπεζες μειώνουν τα επιτόκια των στεγαστικών δανείων",
             "Δήμοι ζητούν περισσότερα κονδύλια για την καθαριότητα",
             "Εγκαίνια του νέου σταθμού του μετρό στη Θεσσαλονίκη",
             "Μειώνεται η ανεργία στους νέους κάτω των 25 ετών"]
    text = body + "\n" + "\n".join(links)
    assert measure_quality(doc(text), CONFIG)["index_page"] > 0.6  # mostly links by characters ...
    assert rejection(text) is None  # ... but it holds an article body: kept
    assert rejection("\n".join(links)).reason == "quality.index_page"  # the list alone is not an article


def test_hard_wrapped_greek_article_is_prose():
    text = """Οι χαρούμενοι άνθρωποι όχι μόνο απολαμβάνουν περισσότερο τη ζωή τους, αλλά
είναι επίσης πιθανότερο να ζήσουν πιο πολλά χρόνια, σύμφωνα με μία νέα βρετανική
επιστημονική έρευνα. Η νέα έρευνα κατέληξε στο συμπέρασμα ότι όσοι έχουν γενικά
καλή διάθεση έχουν λιγότερες πιθανότητες να πεθάνουν μέσα στην επόμενη πενταετία.
Οι ερευνητές του Πανεπιστημίου του Λονδίνου μελέτησαν πάνω από έντεκα χιλιάδες
άτομα ηλικίας άνω των πενήντα ετών. Ο επικεφαλής της μελέτης διευκρίνισε πάντως
ότι η έρευνα δεν αποδεικνύει πως η ευτυχία αυξάνει από μόνη της το προσδόκιμο
ζωής, και ότι δεν πρέπει να νιώθουν ένοχοι όσοι δεν είναι πολύ θετικοί άνθρωποι."""
    assert measure_quality(doc(text), CONFIG)["unpunctuated_lines"] == 0.0
    assert rejection(text) is None


def test_article_with_a_results_table_is_kept():
    text = ("Rovers moved to the top of the league on Saturday after a 2-1 win over their city rivals, with both "
            "goals coming in the last ten minutes of a tense derby.\n"
            "Team\tPlayed\tWon\tPoints\n" + "\n".join(f"Club {c}\t34\t{20 - i}\t{71 - 2 * i}" for i, c in enumerate("ABCDEFGHIJ"))
            + "\nRovers travel to Harbour Town next weekend, and their manager said the squad would not look any further.")
    assert rejection(text) is None
