"""Decoding: legacy encodings with and without a declaration, through ingest and extraction.

Every page here is written in the encoding its language used on the web before UTF-8 and
declares nothing (no HTTP header, no <meta charset>), so only detection can decode it; the
extracted text must equal the article text exactly — one wrong byte mapping is a failure.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaning.config import load_config
from cleaning.decode import DecodeError, charset_from_content_type, decode_html, looks_mojibake, normalize_charset
from cleaning.document import Document, Rejection
from cleaning.extract import extract_item
from cleaning.ingest import RawItem, iter_inputs

CFG = load_config()

# (encoding the page is written in, headline, paragraphs). Real sentences of ordinary news.
ARTICLES = {
    "euc-kr": (
        "서울시, 내년부터 대중교통 요금 인상",
        [
            "서울시는 내년 상반기부터 지하철과 시내버스 기본요금을 150원씩 인상하기로 결정했다고 밝혔다.",
            "시는 누적된 운영 적자와 노후 차량 교체 비용을 감당하기 어렵다는 점을 인상 이유로 들었다.",
            "시민단체들은 물가 상승으로 가계 부담이 커진 상황에서 요금까지 오르면 서민 생활이 더 어려워질 것이라고 우려했다.",
        ],
    ),
    "cp949": (
        "동네 식당가에 부는 태국 음식 바람",
        [
            "요즘 골목 식당가에서는 똠얌꿍과 팟타이를 파는 태국 음식점이 빠르게 늘고 있다.",
            "한 가게 주인은 손님 절반 이상이 20대와 30대 직장인이라며 점심시간마다 줄이 길게 늘어선다고 말했다.",
            "업계에서는 해외여행 경험이 많은 젊은 세대가 현지의 맛을 찾으면서 이런 흐름이 당분간 이어질 것으로 보고 있다.",
        ],
    ),
    "shift_jis": (
        "東京都、来年度から新たな交通政策を導入へ",
        [
            "東京都は来年度から、都心部の渋滞を緩和するための新しい交通政策を導入すると発表した。",
            "平日の朝夕に限り、一部の幹線道路でバス専用車線を拡大し、自転車の走行空間も整備する。",
            "都の担当者は「公共交通を使いやすくすることで、車に頼らない移動を後押ししたい」と話している。",
        ],
    ),
    "gbk": (
        "国家统计局公布上月居民消费价格数据",
        [
            "国家统计局今天公布的数据显示，上个月全国居民消费价格同比上涨百分之二点一，涨幅比前一个月有所扩大。",
            "其中，食品价格上涨较快，猪肉和鲜菜价格分别上涨百分之八和百分之五。",
            "分析人士认为，随着节日消费需求增加，物价短期内仍将保持温和上涨的态势。",
        ],
    ),
    "gb18030": (
        "多地出台措施支持小微企业发展",
        [
            "近日，多个省份相继出台措施，通过减免税费、降低融资成本等方式支持小微企业渡过难关。",
            "广东省提出，今年将为符合条件的小微企业新增贷款提供贴息，并简化审批流程。",
            "专家表示，这些政策能否落到实处，关键在于基层部门的执行力度。",
        ],
    ),
    "big5": (
        "台北市明年起調整公車票價",
        [
            "台北市政府今天宣布，明年起將調整公車票價，全票每段由十五元調高為十八元。",
            "市府交通局表示，燃料與人事成本持續上漲，客運業者的虧損已經難以負擔。",
            "不少通勤族對此表示無奈，也有市議員呼籲市府加強對弱勢族群的補助。",
        ],
    ),
    "windows-1251": (
        "Правительство объявило о новых мерах поддержки малого бизнеса",
        [
            "Правительство объявило о новых мерах поддержки малого и среднего бизнеса, которые начнут действовать с первого июля.",
            "Предприниматели смогут получить отсрочку по налоговым платежам и льготные кредиты на пополнение оборотных средств.",
            "Эксперты считают, что этих мер недостаточно, и призывают власти снизить административную нагрузку на бизнес.",
        ],
    ),
    "iso-8859-7": (
        "Νέα μέτρα στήριξης για τις μικρές επιχειρήσεις",
        [
            "Η κυβέρνηση ανακοίνωσε σήμερα νέα μέτρα στήριξης για τις μικρές και μεσαίες επιχειρήσεις της χώρας.",
            "Άμεση προτεραιότητα είναι η ρύθμιση των οφειλών προς την εφορία και η φθηνότερη χρηματοδότηση από τις τράπεζες.",
            "Οι εκπρόσωποι των εμπόρων χαιρέτισαν την πρωτοβουλία, αλλά τόνισαν ότι τα μέτρα έρχονται με μεγάλη καθυστέρηση.",
        ],
    ),
    "latin-1": (
        "España: el Gobierno aprueba ayudas para los pequeños comercios",
        [
            "El Gobierno aprobó este martes un paquete de ayudas de 300 millones de euros para los pequeños comercios afectados por la subida de la energía.",
            "Los establecimientos con menos de diez trabajadores podrán pedir una compensación de hasta el 40 % de su factura eléctrica del último año.",
            "Las asociaciones de comerciantes celebraron la medida, aunque señalaron que llega tarde para muchos negocios que ya han cerrado.",
        ],
    ),
}


def news_page(headline: str, paragraphs: list[str], head: str = "") -> str:
    """A plain news page: site header and navigation, the article, a footer; no charset."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html>\n<html><head>{head}<title>{headline}</title></head><body>\n"
        '<header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>\n'
        f"<main><article><h1>{headline}</h1>\n{body}\n</article></main>\n"
        "<footer><p>&copy; 2024 Example Media</p></footer>\n</body></html>\n"
    )


def extract(path: Path) -> Document | Rejection:
    (item,) = list(iter_inputs([str(path)], CFG))
    if isinstance(item, Rejection):
        return item
    assert isinstance(item, RawItem)
    return extract_item(item, CFG)


@pytest.mark.parametrize("encoding", sorted(ARTICLES))
def test_undeclared_legacy_page_extracts_exactly(tmp_path: Path, encoding: str) -> None:
    headline, paragraphs = ARTICLES[encoding]
    page = tmp_path / "page.html"
    page.write_bytes(news_page(headline, paragraphs).encode(encoding))
    with pytest.raises(UnicodeDecodeError):
        page.read_bytes().decode("utf-8")  # the old decoder's only guess fails on every one
    doc = extract(page)
    assert isinstance(doc, Document), doc
    assert doc.text == "\n".join(paragraphs)
    assert doc.title == headline
    assert doc.metadata["encoding_method"] == "detected"


@pytest.mark.parametrize("encoding", sorted(ARTICLES))
def test_declared_legacy_page_extracts_exactly(tmp_path: Path, encoding: str) -> None:
    headline, paragraphs = ARTICLES[encoding]
    page = tmp_path / "page.html"
    page.write_bytes(news_page(headline, paragraphs, f'<meta charset="{encoding}">').encode(encoding))
    doc = extract(page)
    assert isinstance(doc, Document), doc
    assert doc.text == "\n".join(paragraphs)


def test_utf8_page_declaring_latin1_is_read_as_utf8() -> None:
    headline, paragraphs = ARTICLES["windows-1251"]
    data = news_page(headline, paragraphs, '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">').encode("utf-8")
    result = decode_html(data)
    assert result.encoding == "utf-8" and result.declared == "iso-8859-1"
    assert paragraphs[0] in result.text


def test_http_charset_wins_over_meta_and_is_retried_by_detection_when_wrong() -> None:
    headline, paragraphs = ARTICLES["windows-1251"]
    data = news_page(headline, paragraphs, '<meta charset="utf-8">').encode("windows-1251")
    assert decode_html(data, http_charset="windows-1251").method == "http"
    wrong = decode_html(data, http_charset="shift_jis")  # does not decode: detection decides
    assert wrong.method == "detected" and paragraphs[2] in wrong.text


def test_bom_decides() -> None:
    text = news_page(*ARTICLES["iso-8859-7"])
    for codec, bom in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-8", b"\xef\xbb\xbf")):
        result = decode_html(bom + text.encode(codec))
        assert (result.text, result.method) == (text, "bom")


@pytest.mark.parametrize("encoding", ["windows-1251", "iso-8859-7", "gbk", "latin-1"])
def test_mojibake_in_the_page_is_repaired(tmp_path: Path, encoding: str) -> None:
    headline, paragraphs = ARTICLES[encoding]
    # A page mis-decoded once upstream and saved as UTF-8: "ÐŸÑ€Ð°Ð²..." in the bytes themselves.
    garbled = news_page(headline, paragraphs).encode("utf-8").decode("latin-1")
    assert looks_mojibake(garbled)
    page = tmp_path / "garbled.html"
    page.write_bytes(garbled.encode("utf-8"))
    doc = extract(page)
    assert isinstance(doc, Document), doc
    assert doc.text == "\n".join(paragraphs)
    assert doc.title == headline


def test_a_few_mojibake_runs_in_a_page_are_repaired_and_ordinary_text_kept() -> None:
    page = news_page("Weather", ["It was the warmest decade on record, disrupting the Earth’s natural systems.",
                                 "NESCAFÉ® and Caffè Nero said they weren’t affected."])
    page = page.replace("Earth’s", "Earthâ€™s").replace("weren’t", "werenâ\x80\x99t")
    result = decode_html(page.encode("utf-8"))
    assert result.repaired == 2
    assert "the Earth’s natural" in result.text and "weren’t" in result.text
    assert "NESCAFÉ® and Caffè Nero" in result.text


def test_mojibake_that_cannot_be_repaired_is_rejected(tmp_path: Path) -> None:
    headline, paragraphs = ARTICLES["windows-1251"]
    # Mis-decoded twice: one repair leaves mojibake, which must not reach the corpus.
    twice = news_page(headline, paragraphs).encode("utf-8").decode("latin-1").encode("utf-8").decode("latin-1")
    page = tmp_path / "garbled.html"
    page.write_bytes(twice.encode("utf-8"))
    rej = extract(page)
    assert isinstance(rej, Rejection) and rej.reason == "ingest.encoding" and "mojibake" in rej.detail
    with pytest.raises(DecodeError):
        decode_html(twice.encode("utf-8"))


def test_french_and_polish_text_is_not_mojibake() -> None:
    assert not looks_mojibake("À Paris, les élèves ont manifesté devant le ministère. Ça continue.")
    assert not looks_mojibake("Zażółć gęślą jaźń — Sejm przyjął ustawę o ochronie środowiska.")


def test_labels_map_to_the_supersets_browsers_use() -> None:
    assert normalize_charset("ISO-8859-1") == "cp1252"
    assert normalize_charset("gb2312") == "gb18030"
    assert normalize_charset("EUC-KR") == "cp949"
    assert normalize_charset("x-sjis") == "cp932"
    assert normalize_charset("no-such-charset") is None
    assert charset_from_content_type('text/html; charset="Windows-1251"') == "Windows-1251"
    assert charset_from_content_type("text/html") is None
