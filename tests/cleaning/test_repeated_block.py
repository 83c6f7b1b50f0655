"""repeated_paragraph on a doubled body: an extracted text that holds the article twice, once with
one line a paragraph and once hard-wrapped at another width (line breaks in mid-sentence), loses
the second copy whatever its line breaks, in every script; articles whose paragraphs only share
words, and short repeated quotes, keep every line."""

from __future__ import annotations

import textwrap

import pytest

from cleaning.clean import clean_text
from cleaning.config import default_config
from clean_helpers import removed

ARTICLES = {
    "pl": [
        "Od stycznia do listopada banki wydały na reklamę w telewizji, radiu i prasie ponad miliard złotych, "
        "wynika z badań firmy monitorującej rynek mediów. To o jedną trzecią więcej niż rok wcześniej.",
        "Największym reklamodawcą był bank państwowy, który na promocję swojej działalności przeznaczył 132 mln zł, "
        "czyli dwa i pół raza więcej niż w poprzednim roku. Drugie miejsce zajął bank z budżetem 91 mln zł.",
        "Zdaniem ekspertów cytowanych przez gazetę, w przyszłym roku banki będą promować przede wszystkim "
        "pożyczki gotówkowe i lokaty terminowe.",
    ],
    "ru": [
        "Показатель заболеваемости в республике растёт: сегодня он составляет 39 человек на 100 000 населения. "
        "По сравнению с прошлым годом он вырос почти на сорок процентов.",
        "Как сообщает министерство здравоохранения, на диспансерном учёте состоят более девяти тысяч человек, "
        "из них почти две трети мужчины. Молодёжь в возрасте от 15 до 30 лет составляет почти половину.",
        "В преддверии всемирного дня профилактики в городе проходит акция, специалисты призывают жителей "
        "пройти анонимное и бесплатное обследование.",
    ],
    "el": [
        "Οι χαρούμενοι άνθρωποι όχι μόνο απολαμβάνουν περισσότερο τη ζωή τους, αλλά είναι επίσης πιθανότερο "
        "να ζήσουν περισσότερα χρόνια, σύμφωνα με νέα βρετανική επιστημονική έρευνα.",
        "Οι ερευνητές παρακολούθησαν περισσότερους από τρεις χιλιάδες εθελοντές ηλικίας 52 έως 79 ετών για "
        "πέντε χρόνια και κατέγραψαν τη διάθεσή τους τέσσερις φορές μέσα σε μία ημέρα.",
        "Όσοι δήλωναν τους πιο ευτυχισμένους είχαν κατά 35% μικρότερο κίνδυνο θανάτου στη διάρκεια της μελέτης.",
    ],
    "zh": [
        "国家统计局今天发布数据显示，前十一个月全国规模以上工业企业实现利润同比增长百分之二十五，增速比前十个月回落零点六个百分点。",
        "分行业看，在三十九个工业大类行业中，三十七个行业利润同比增长，两个行业下降。其中石油和天然气开采业利润增长最快。",
        "专家表示，随着国内需求逐步回暖，明年工业企业利润有望保持平稳增长，但原材料价格上涨仍将带来压力。",
    ],
    "ko": [
        "부산항만공사는 화요일 1분기 수출 물동량이 사상 최대인 210만 TEU를 기록함에 따라 두 개 컨테이너 터미널에 야간 근무조를 추가한다고 밝혔다.",
        "공사는 추가 근무조가 선박 평균 대기 시간을 14시간에서 6시간 이하로 줄일 것이라고 설명했다. 연말까지 약 300명의 부두 노동자가 임시 계약으로 채용된다.",
        "해운사들은 이번 조치를 환영했다. 국내 최대 컨테이너 선사인 HMM은 5월부터 아시아-유럽 노선 두 개를 부산항으로 추가 기항하겠다고 밝혔다.",
    ],
    "en": [
        "Busan Port Authority said Tuesday it would add night shifts at two container terminals after export "
        "volumes reached a record 2.1 million TEU in the first quarter.",
        "The authority said the extra shifts would cut average waiting times for ships from 14 hours to under "
        "six. About 300 dock workers will be hired on temporary contracts through the end of the year.",
        "Shipping lines have welcomed the move. HMM, Korea's largest container carrier, said it would route two "
        "additional Asia-Europe services through Busan from May.",
    ],
    "ar": [
        "قالت هيئة ميناء بوسان يوم الثلاثاء إنها ستضيف نوبات عمل ليلية في محطتين للحاويات بعد أن بلغت أحجام "
        "الصادرات رقما قياسيا في الربع الأول من العام.",
        "وأوضحت الهيئة أن النوبات الإضافية ستخفض متوسط وقت انتظار السفن من أربع عشرة ساعة إلى أقل من ست ساعات، "
        "وسيتم توظيف نحو ثلاثمئة عامل بعقود مؤقتة حتى نهاية العام.",
        "ورحبت شركات الشحن بهذه الخطوة، وقالت أكبر شركة حاويات في كوريا إنها ستضيف خطين جديدين بين آسيا وأوروبا.",
    ],
}


@pytest.fixture(scope="module")
def config():
    return default_config()


def _wrapped(paragraphs: list[str], width: int) -> str:
    """The same paragraphs hard-wrapped: a line break every ``width`` characters or so."""
    return "\n".join(line for p in paragraphs for line in textwrap.wrap(p, width))


@pytest.mark.parametrize("lang", sorted(ARTICLES))
@pytest.mark.parametrize("width", [38, 71])
def test_second_copy_of_a_doubled_body_is_removed(config, lang, width):
    paragraphs = ARTICLES[lang]
    first = "\n".join(paragraphs) + "\n"
    result = clean_text(first + _wrapped(paragraphs, width) + "\n", config)
    assert result.text == first
    assert {r.rule for r in result.removed} == {"repeated_paragraph"}


@pytest.mark.parametrize("lang", sorted(ARTICLES))
def test_flattened_second_copy_of_a_wrapped_body_is_removed(config, lang):
    """The other way round: the article hard-wrapped, then again flattened into one line."""
    paragraphs = ARTICLES[lang]
    first = _wrapped(paragraphs, 45) + "\n"
    result = clean_text(first + " ".join(paragraphs) + "\n", config)
    assert result.text == first


@pytest.mark.parametrize("lang", sorted(ARTICLES))
def test_single_article_keeps_every_line(config, lang):
    assert removed("\n".join(ARTICLES[lang]) + "\n", config) == {}
    assert removed(_wrapped(ARTICLES[lang], 50) + "\n", config) == {}


def test_text_after_the_copy_stays(config):
    """Only the repeating run goes: a paragraph after the second copy is article text."""
    paragraphs = ARTICLES["en"]
    tail = ("Port officials expect volumes to grow by another 5 percent next year as new "
            "berths open at the western terminal.")
    text = "\n".join(paragraphs) + "\n" + _wrapped(paragraphs, 60) + "\n" + tail + "\n"
    assert clean_text(text, config).text == "\n".join(paragraphs) + "\n" + tail + "\n"


def test_short_repeated_passage_is_not_a_block(config):
    """A two-sentence lead quoted again further down (under block_min_words) is no doubled body."""
    quote = "The strike is over, the union said."
    text = ("\n".join(ARTICLES["en"]) + "\n" + quote + "\nDock workers returned to the terminals on "
            "Wednesday morning, and the first ships were loaded by noon.\n" + quote + "\n")
    assert removed(text, config) == {}


def test_shared_vocabulary_is_not_a_copy(config):
    """Paragraphs reporting similar figures in the same words are different paragraphs."""
    text = ("Exports rose 5 percent in January from a year earlier, the ministry said on Monday.\n"
            "Exports rose 7 percent in February from a year earlier, the ministry said on Monday, "
            "helped by chips and cars.\n"
            "Exports rose 3 percent in March from a year earlier, the ministry said on Monday, as "
            "shipments to China slowed and oil prices fell.\n"
            "Imports fell 2 percent in March from a year earlier, the ministry said on Monday.\n")
    assert removed(text, config) == {}


def _seen_by_definition(tokens: list[str], starts: list[int], n: int, bound_of) -> list[int]:
    """Repeated words per line as the rule defines them, word by word: word t counts when an n-gram
    holding it (starting at p, t-n < p <= t) first occurred before min(bound, p)."""
    first: dict[tuple[str, ...], int] = {}
    first_pos = [first.setdefault(tuple(tokens[p:p + n]), p) for p in range(len(tokens) - n + 1)]
    out = []
    for k in range(len(starts) - 1):
        bound = bound_of(k)
        out.append(sum(1 for t in range(starts[k], starts[k + 1])
                       if any(first_pos[p] < min(bound, p)
                              for p in range(max(0, t - n + 1), min(t + 1, len(first_pos))))))
    return out


@pytest.mark.parametrize("lang", sorted(ARTICLES))
def test_block_runs_match_the_word_by_word_definition(config, lang):
    """The rule counts repeated words per line from the positions of repeated n-grams (bisect and a
    cover mark): with lines that join a run (bound = the run's start) and lines that do not
    (bound = their own start), each line's count is the word-by-word definition's, in 7 scripts."""
    import random

    from cleaning.rules import RepeatedParagraphRule
    from cleaning.rules.page import Page

    rule = RepeatedParagraphRule(config["clean"])
    rng = random.Random(lang)
    body = ARTICLES[lang] + [_wrapped(ARTICLES[lang], 40)]
    lines = Page.from_text("\n".join(body)).free_content()
    text = rule._block_text(lines)
    parts = [RepeatedParagraphRule._tokens_of(part) for part in text.split("\n")]
    tokens = [t for p in parts for t in p]
    starts = [sum(map(len, parts[:k])) for k in range(len(parts) + 1)]
    for n in (1, 3, 5):
        bounds = [rng.choice([starts[k], starts[max(0, k - rng.randint(0, 3))]]) for k in range(len(parts))]
        got = [rule._seen_in_line(starts[k], starts[k + 1], bounds[k], n, *rule._repeats(tokens, n)[:2])
               for k in range(len(parts))]
        assert got == _seen_by_definition(tokens, starts, n, bounds.__getitem__)
        assert any(got)
