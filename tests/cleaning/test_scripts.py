"""Script counting: the table-driven counts must equal what the published regexes match."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from cleaning.scripts import (
    HAN_RE,
    HANGUL_RE,
    KANA_RE,
    LETTER_RE,
    UNSPACED_RE,
    ScriptCounts,
    cjk_presence,
    count_scripts,
    line_script_totals,
)

FIXTURES = tomllib.loads((Path(__file__).parent / "fixtures" / "multilingual_news.toml").read_text("utf-8"))["doc"]
SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))

# Characters where "letter" is easy to get wrong: superscripts, fractions, Roman numerals and
# circled digits (numeric but not decimal), CJK number signs, underscore, combining marks,
# a Hangul syllable and the same syllable as two jamo, half-width Katakana, supplementary-plane Han and emoji, a lone surrogate.
AWKWARD = "x² ½ Ⅻ ① 〇 一二三 _ e\u0301 \uac00 \u1100\u1161 ｱｲｳ 𠀀𠀁 😀 \ud800 “quoted” — 9"


def regex_counts(text: str) -> ScriptCounts:
    return ScriptCounts(len(LETTER_RE.findall(text)), len(HANGUL_RE.findall(text)),
                        len(HAN_RE.findall(text)), len(KANA_RE.findall(text)))


def texts() -> list[str]:
    out = [d["text"] for d in FIXTURES] + [s.read_text("utf-8") for s in SEEDS]
    out += [AWKWARD, AWKWARD * 10, "short", "", "\n\n", FIXTURES[1]["text"] + AWKWARD * 3]
    return out + [t[:63] for t in out] + [t[:64] for t in out]


@pytest.mark.parametrize("index", range(len(texts())))
def test_count_scripts_equals_the_regexes(index):
    text = texts()[index]
    assert count_scripts(text) == regex_counts(text)


@pytest.mark.parametrize("index", range(len(texts())))
def test_line_totals_equal_counts_per_line(index):
    text = texts()[index]
    letters, hangul, han, kana = line_script_totals(text)
    got = [ScriptCounts(int(a), int(b), int(c), int(d)) for a, b, c, d in zip(letters, hangul, han, kana)]
    assert got == [regex_counts(line) for line in text.split("\n")]


@pytest.mark.parametrize("index", range(len(texts())))
def test_cjk_presence_equals_the_regexes(index):
    text = texts()[index]
    assert cjk_presence(text) == (HANGUL_RE.search(text) is not None, UNSPACED_RE.search(text) is not None)


def test_awkward_characters_are_counted_as_the_regexes_define_them():
    counts = count_scripts(AWKWARD * 10)
    assert counts.han == 50  # 一二三 and the two supplementary-plane ideographs, ten times
    assert counts.hangul == 30 and counts.kana == 30  # 가 + its two jamo; ｱｲｳ


# ---- text statistics and sentence rules in every script ---------------------------------------

import unicodedata  # noqa: E402

from cleaning.config import load_config  # noqa: E402
from cleaning.document import Document  # noqa: E402
from cleaning.quality import measure_quality, quality_rejection  # noqa: E402
from cleaning.scripts import (  # noqa: E402
    ends_sentence,
    is_prose_line,
    logical_lines,
    script_word_count,
    sentence_boundaries,
    text_stats,
)

# Three sentences of ordinary local news, written in each language's own script and punctuation:
# (language, script the letters are in, sentences).
NEWS = [
    ("en", "latin", ["The city council approved the new budget on Tuesday after a long debate.",
                     "Spending on public transport will rise by ten percent next year.",
                     "The mayor said the plan would help families who depend on buses."]),
    ("pl", "latin", ["Rada miasta przyjęła we wtorek nowy budżet po długiej debacie.",
                     "Wydatki na transport publiczny wzrosną w przyszłym roku o dziesięć procent.",
                     "Prezydent miasta powiedział, że plan pomoże rodzinom korzystającym z autobusów."]),
    ("ru", "cyrillic", ["Городской совет во вторник утвердил новый бюджет после долгих споров.",
                        "Расходы на общественный транспорт в следующем году вырастут на десять процентов.",
                        "Мэр заявил, что план поможет семьям, которые пользуются автобусами."]),
    ("el", "greek", ["Το δημοτικό συμβούλιο ενέκρινε την Τρίτη τον νέο προϋπολογισμό μετά από μακρά συζήτηση.",
                     "Θα αυξηθούν οι δαπάνες για τις δημόσιες συγκοινωνίες τον επόμενο χρόνο;",
                     "Ο δήμαρχος δήλωσε ότι το σχέδιο θα βοηθήσει τις οικογένειες που χρησιμοποιούν τα λεωφορεία."]),
    ("ar", "arabic", ["وافق مجلس المدينة يوم الثلاثاء على الميزانية الجديدة بعد نقاش طويل.",
                      "وسترتفع النفقات على النقل العام بنسبة عشرة في المئة في العام المقبل.",
                      "وقال رئيس البلدية إن الخطة ستساعد الأسر التي تعتمد على الحافلات."]),
    ("he", "hebrew", ["מועצת העיר אישרה ביום שלישי את התקציב החדש לאחר דיון ארוך.",
                      "ההוצאות על תחבורה ציבורית יגדלו בעשרה אחוזים בשנה הבאה.",
                      "ראש העיר אמר כי התוכנית תסייע למשפחות שנוסעות באוטובוסים."]),
    ("hi", "devanagari", ["नगर परिषद ने मंगलवार को लंबी बहस के बाद नए बजट को मंजूरी दी।",
                          "अगले साल सार्वजनिक परिवहन पर खर्च दस प्रतिशत बढ़ेगा।",
                          "महापौर ने कहा कि इस योजना से बसों पर निर्भर परिवारों को मदद मिलेगी।"]),
    ("hy", "armenian", ["Քաղաքային խորհուրդը երեքշաբթի օրը երկար քննարկումից հետո հաստատեց նոր բյուջեն։",
                        "Հանրային տրանսպորտի ծախսերը հաջորդ տարի կաճեն տասը տոկոսով։",
                        "Քաղաքապետը հայտարարեց, որ ծրագիրը կօգնի ավտոբուսներից օգտվող ընտանիքներին։"]),
    ("ka", "georgian", ["ქალაქის საკრებულომ სამშაბათს ხანგრძლივი დებატების შემდეგ ახალი ბიუჯეტი დაამტკიცა.",
                        "საზოგადოებრივ ტრანსპორტზე ხარჯები მომავალ წელს ათი პროცენტით გაიზრდება.",
                        "მერმა განაცხადა, რომ გეგმა დაეხმარება ავტობუსებზე დამოკიდებულ ოჯახებს."]),
    ("am", "ethiopic", ["የከተማው ምክር ቤት ማክሰኞ ከረጅም ክርክር በኋላ አዲሱን በጀት አጸደቀ።",
                        "የሕዝብ ትራንስፖርት ወጪ በሚቀጥለው ዓመት በአሥር በመቶ ይጨምራል።",
                        "ከንቲባው ዕቅዱ በአውቶቡስ ላይ የሚተማመኑ ቤተሰቦችን ይረዳል ብለዋል።"]),
    ("th", "thai", ["สภาเมืองอนุมัติงบประมาณใหม่เมื่อวันอังคารหลังจากการอภิปรายอันยาวนาน",
                    "ค่าใช้จ่ายด้านการขนส่งสาธารณะจะเพิ่มขึ้นร้อยละสิบในปีหน้า",
                    "นายกเทศมนตรีกล่าวว่าแผนนี้จะช่วยครอบครัวที่ต้องพึ่งพารถโดยสารประจำทาง"]),
    ("zh", "han", ["市议会周二经过长时间辩论后批准了新预算。",
                   "明年公共交通支出将增加百分之十。",
                   "市长表示，这项计划将帮助依靠公交车出行的家庭。"]),
    ("ja", "han", ["市議会は火曜日、長い議論の末に新しい予算を承認した。",
                   "来年は公共交通への支出が一割増える。",
                   "市長は、この計画がバスを利用する家庭の助けになると述べた。"]),
    ("ko", "hangul", ["시의회는 화요일 긴 토론 끝에 새 예산안을 승인했다.",
                      "내년 대중교통 예산은 10% 늘어난다.",
                      "시장은 이번 계획이 버스를 이용하는 가정에 도움이 될 것이라고 말했다."]),
]
IDS = [lang for lang, _, _ in NEWS]
QCFG = load_config()


def _joiner(lang: str) -> str:
    return "" if lang in ("zh", "ja") else " "


def flattened(lang: str, sentences: list[str]) -> str:
    """All sentences on one line, the last one left without its stop (as after a source line)."""
    return _joiner(lang).join(sentences)[:-1]


def hard_wrapped(lang: str, sentences: list[str], width: int = 38) -> str:
    """The paragraph broken every ``width`` characters (half that for Chinese and Japanese),
    at a space where there is one."""
    width = width // 2 if lang in ("zh", "ja") else width * 3 // 4 if lang == "ko" else width
    text, lines = _joiner(lang).join(sentences), []
    while len(text) > width:
        cut = text.rfind(" ", 0, width)
        cut = cut if cut > width // 2 else width
        # as a real wrapper does: never before a combining mark or closing punctuation
        while cut < len(text) and (unicodedata.category(text[cut]) == "Mn" or text[cut] in "。，、！？」"):
            cut += 1
        lines.append(text[:cut].strip())
        text = text[cut:].strip()
    return "\n".join(lines + [text])


@pytest.mark.parametrize(("lang", "script", "sentences"), NEWS, ids=IDS)
def test_every_sentence_ends_a_sentence(lang: str, script: str, sentences: list[str]) -> None:
    if script == "thai":  # Thai marks no sentence end: a long line of Thai is prose by itself
        assert not any(ends_sentence(s) for s in sentences)
        assert is_prose_line(" ".join(sentences))
        return
    assert all(ends_sentence(s) for s in sentences)
    assert all(is_prose_line(s) for s in sentences)


@pytest.mark.parametrize(("lang", "script", "sentences"), NEWS, ids=IDS)
def test_flattened_paragraph_is_prose(lang: str, script: str, sentences: list[str]) -> None:
    line = flattened(lang, sentences)
    assert not ends_sentence(line) or script == "thai"
    if script != "thai":
        assert sentence_boundaries(line) == 2
    assert is_prose_line(line)


@pytest.mark.parametrize(("lang", "script", "sentences"), NEWS, ids=IDS)
def test_hard_wrapped_paragraph_is_joined_back(lang: str, script: str, sentences: list[str]) -> None:
    wrapped = hard_wrapped(lang, sentences + sentences[::-1])
    assert wrapped.count("\n") >= 5
    joined = logical_lines(wrapped.split("\n"))
    # Joined back into the paragraph (a wrap that falls right after a full stop may leave a
    # break there: both sides are prose).
    assert len(joined) <= len(sentences) + 1 < wrapped.count("\n")
    assert all(is_prose_line(line) for line in joined), joined


@pytest.mark.parametrize(("lang", "script", "sentences"), NEWS, ids=IDS)
def test_text_stats_by_script(lang: str, script: str, sentences: list[str]) -> None:
    text = "\n".join(sentences)
    stats = text_stats(text)
    assert stats.dominant_script == script
    assert stats.letters == sum(ch.isalpha() for ch in text)
    assert stats.words == script_word_count(text, 1.5)
    if script in ("han", "thai"):  # written without spaces: words from characters, not tokens
        assert stats.words > 3 * stats.tokens
    else:
        assert stats.words == len(text.split())
    assert stats.sentence_ends == (0 if script == "thai" else 3)


@pytest.mark.parametrize("form", ["flattened", "one sentence a line", "hard-wrapped"])
@pytest.mark.parametrize(("lang", "script", "sentences"), NEWS, ids=IDS)
def test_news_in_every_script_passes_the_line_and_letter_rules(lang, script, sentences, form) -> None:
    # Three paragraphs: the same sentences in three orders, so the text is article-length
    # without any n-gram repeating a whole paragraph's worth.
    orders = [sentences, sentences[1:] + sentences[:1], sentences[2:] + sentences[:2]]
    if form == "flattened":
        text = " ".join(flattened(lang, s) for s in orders)
    elif form == "one sentence a line":
        text = "\n".join(s for order in orders for s in order)
    else:
        text = "\n".join(hard_wrapped(lang, s) for s in orders)
    measures = measure_quality(Document(id="x", source="t", text=text), QCFG)
    assert measures["unpunctuated_lines"] <= 0.05, measures
    assert measures["low_alpha"] >= 0.9
    failure = quality_rejection(Document(id="x", source="t", text=text), QCFG)
    # (The text repeats its own sentences, which the repetition rules may well notice.)
    assert failure is None or failure.reason not in (
        "quality.unpunctuated_lines", "quality.index_page", "quality.low_alpha", "quality.symbol_digit_ratio",
        "quality.mean_word_length"), failure


def test_greek_question_mark_and_code_semicolon() -> None:
    assert ends_sentence("Τι θα γίνει με τις συντάξεις;")
    assert not ends_sentence("int x = 1;")
    assert sentence_boundaries("Τι θα γίνει; Οι ειδικοί διαφωνούν. Η αγορά περιμένει") == 2
    assert sentence_boundaries("for (i = 0; i < n; i++) x = 1; y = 2") == 0


def test_abbreviations_and_numbers_are_not_sentence_boundaries() -> None:
    assert sentence_boundaries("Prices rose 3.5 percent, e.g. in food, and fell in fuel") == 0
    assert sentence_boundaries("Расходы выросли на 3,5 млн руб. в этом году") == 0
