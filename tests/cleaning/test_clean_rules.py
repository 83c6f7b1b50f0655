"""One test per cleaning rule on realistic page text, plus hard negatives: article lines that
look like junk (short quotes, subheadings, bullet facts, "Photo…" in prose) must stay."""

from __future__ import annotations

import pytest

from cleaning.clean import clean_text
from cleaning.config import default_config
from clean_helpers import removed


@pytest.fixture(scope="module")
def config():
    return default_config()


ARTICLE = (
    "Busan Port Authority said Tuesday it would add night shifts at two container terminals after "
    "export volumes reached a record 2.1 million TEU in the first quarter.\n\n"
    "The authority said the extra shifts would cut average waiting times for ships from 14 hours to "
    "under six. About 300 dock workers will be hired on temporary contracts through the end of the year.\n\n"
    "Shipping lines have welcomed the move. HMM, Korea's largest container carrier, said it would route "
    "two additional Asia-Europe services through Busan port terminals from May.\n"
)


def test_nav_chrome_lines(config):
    text = ("Skip to main content\nShare this article\nFollow us on Twitter\n\n" + ARTICLE
            + "\nAdvertisement\nSign up for our newsletter\n© 2024 Busan Daily. All rights reserved.\n")
    assert removed(text, config) == {"nav": [
        "Skip to main content", "Share this article", "Follow us on Twitter", "Advertisement",
        "Sign up for our newsletter", "© 2024 Busan Daily. All rights reserved."]}


def test_nav_cookie_banner_and_korean_chrome(config):
    text = ("We use cookies to improve your experience on our site. By continuing to browse you agree "
            "to our use of cookies and our privacy policy.\n본문 바로가기\n" + ARTICLE
            + "<저작권자(c) 연합뉴스, 무단 전재-재배포, AI 학습 및 활용 금지>\n")
    assert len(removed(text, config)["nav"]) == 3


def test_trailer_section_heading_and_items(config):
    text = ARTICLE + ("\nMost Popular\n1. City council approves new subway line\n"
                      "2. Haeundae beach to open two weeks early\n3. Police arrest suspects in phone scam ring\n")
    got = removed(text, config)
    assert got["trailer_section"][0] == "Most Popular" and len(got["trailer_section"]) == 4


def test_trailer_section_mid_article_box_takes_only_its_links(config):
    text = ("Samsung SDI and General Motors will build a second battery plant in Indiana, adding 27 GWh "
            "of annual capacity from 2027, the companies said on Monday.\n\nRelated Articles\n"
            "Stellantis and Samsung SDI open first Kokomo plant\nGM cuts EV production target\n\n"
            "The $3.5 billion plant in New Carlisle will make prismatic and cylindrical cells for GM "
            "electric trucks and SUVs, the companies said.\n")
    result = clean_text(text, config)
    assert "Related Articles" not in result.text and "Kokomo" not in result.text
    assert "The $3.5 billion plant in New Carlisle" in result.text


def test_trailer_section_korean(config):
    text = ("삼성전자가 올해 고대역폭메모리(HBM) 생산능력을 지난해보다 2.5배 이상 늘린다.\n\n많이 본 뉴스\n"
            "1 빌라 임대인 잠적\n2 봄 이사철 앞두고 아파트값 반등\n")
    assert removed(text, config)["trailer_section"][0] == "많이 본 뉴스"


def test_dateline_removed_and_published(config):
    result = clean_text("Chip stocks lift KOSPI\nMar 5, 2024 Read time: 3 min\n" + ARTICLE, config)
    assert "Read time" not in result.text and result.published == "2024-03-05"
    result = clean_text("입력 : 2024-03-04 10:32:15 수정 : 2024-03-04 11:02:01\n" + ARTICLE, config)
    assert result.removed[0].rule == "dateline" and result.published == "2024-03-04"


def test_byline_with_timestamp(config):
    text = "By Heekyong Yang and Joyce Lee | March 4, 2024 10:32 AM GMT+9 | Updated 2 hours ago\n" + ARTICLE
    result = clean_text(text, config)
    assert result.removed[0].rule == "byline" and result.published == "2024-03-04"
    assert removed("김철수 기자 kimcs@hankyung.com\n" + ARTICLE, config) == {"byline": ["김철수 기자 kimcs@hankyung.com"]}


def test_byline_negative_sentence_starting_with_by(config):
    text = ARTICLE + "By 2030, the government wants all large platforms to publish reports, officials said.\n"
    assert removed(text, config) == {}


def test_promo_lines_mid_article(config):
    text = (ARTICLE + "READ MORE: Samsung to invest $230 billion in Yongin chip complex\n"
            "The port handled 23 million TEU last year, making it the seventh-busiest in the world.\n"
            "▶ 관련기사: 현대차, 美 조지아 공장 가동 앞당긴다\nClick here to subscribe to our daily briefing.\n")
    got = removed(text, config)
    assert got == {"promo": ["READ MORE: Samsung to invest $230 billion in Yongin chip complex",
                             "▶ 관련기사: 현대차, 美 조지아 공장 가동 앞당긴다",
                             "Click here to subscribe to our daily briefing."]}


def test_photo_credit_lines_and_captions(config):
    text = ("Image: Samsung Electronics\n" + ARTICLE + "(Getty Images)\n"
            "Samsung's Galaxy Ring on display in Paris on July 10, 2024. (Photo by Jane Smith/Getty Images)\n"
            "현대자동차 울산공장 전경. (사진=현대차 제공)\n")
    result = clean_text(text, config)
    assert [r.rule for r in result.removed] == ["photo_credit"] * 4
    assert result.metadata["photo_credits"] == [
        "Samsung Electronics", "Getty Images", "Photo by Jane Smith/Getty Images", "사진=현대차 제공"]


def test_photo_negatives_in_prose(config):
    text = ARTICLE + ("Photo evidence from early testers shared online showed the ring fitting comfortably.\n"
                      "Photographers at the launch event in Paris were allowed only brief access.\n"
                      "사진작가 출신인 공장 설계 책임자는 \"사람 중심의 밝은 공장을 만들겠다\"고 말했다.\n")
    assert removed(text, config) == {}


def test_ticker_strips(config):
    text = ("KOSPI 2,501.23 ▲12.40 (+0.50%)   KOSDAQ 812.45 ▼3.21 (-0.39%)   USD/KRW 1,312.5\n" + ARTICLE
            + "Samsung Elec. 71,200 -1.21% | SK hynix 132,500 +2.3% | 005930.KS\nAAPL 189.32 +1.2%\n"
            "코스피 2,501.23 ▲12.40 (+0.50%)\n")
    assert len(removed(text, config)["ticker"]) == 4


def test_ticker_negative_market_prose(config):
    text = ARTICLE + ("The benchmark KOSPI rose 12.40 points, or 0.50 percent, to 2,501.23.\n"
                      "코스피는 전 거래일보다 12.40포인트(0.50%) 오른 2,501.23에 장을 마쳤다.\nCOVID 19\n")
    assert removed(text, config) == {}


def test_repeated_paragraph_keeps_the_clean_copy(config):
    clean = ("Hyundai Mobis has won a contract worth about €1.2 billion to supply battery systems to a "
             "European electric vehicle maker from 2026, the Korean parts maker said.")
    noisy = "RSS3310 Hyundai-412 " + clean.replace("Hyundai ", "", 1)
    result = clean_text(noisy + "\n" + ARTICLE + clean + "\n", config)
    assert [r.rule for r in result.removed] == ["repeated_paragraph"]
    assert result.removed[0].text.startswith("RSS3310") and result.text.endswith(clean + "\n")


def test_repeated_short_lines_are_not_paragraphs(config):
    text = "\"It was a big win.\"\n" + ARTICLE + "\"It was a big win.\"\n"
    assert removed(text, config) == {}


HEADLINES = [
    "Bitcoin Tops $70,000 for First Time as ETF Inflows Accelerate",
    "Japan's Nikkei Breaks 1989 Record on Weak Yen and Strong Earnings",
    "Swiss National Bank Unexpectedly Cuts Rates, First Major Central Bank to Ease",
    "Reddit Prices IPO at Top of Range, Valuing Company at $6.4 Billion",
]


def test_headline_list_at_the_end(config):
    got = removed(ARTICLE + "\n" + "\n".join(HEADLINES) + "\n", config)
    assert got == {"headline_list": HEADLINES}


def test_headline_list_negatives_on_topic_lists_and_subheadings(config):
    text = ("KG Mobility said it would launch five new electric models by 2026, including an electric "
            "pickup and a large electric SUV built on the Torres platform.\n\nModels planned\n"
            "Torres EVX Electric SUV\nO100 Electric Pickup\nF100 Large Electric SUV\n\n"
            "The company aims to sell 200,000 vehicles a year by 2026, with half of its electric "
            "models exported to Europe and Australia.\n")
    assert removed(text, config) == {}
    bullets = ARTICLE + "Key facts\n• Capacity: 300,000 TEU a year\n• Night shifts: two terminals\n• Workers: 300\n"
    assert removed(bullets, config) == {}


def test_off_topic_tail_block(config):
    text = ARTICLE + ("Spring sale: up to 40% off all garden furniture and outdoor grills this weekend only at "
                      "participating stores.\nFree delivery on orders over 50,000 won. Terms and conditions apply.\n")
    assert list(removed(text, config)) == ["off_topic"]


def test_off_topic_keeps_a_closing_quote_and_credit_line(config):
    text = ARTICLE + ("\"We will not back down,\" said Park Dan, head of the Korean Intern Resident Association.\n"
                      "Hospitals have cancelled surgeries and cut back on emergency services.\n"
                      "Associated Press writer Kim Tong-hyung contributed to this report.\n")
    assert removed(text, config) == {}


def test_whitespace_runs_left_by_removals(config):
    text = "\n\nSkip to main content\n\n" + ARTICLE + "\nAdvertisement\n\n\n"
    result = clean_text(text, config)
    assert result.text == ARTICLE
    assert {r.rule for r in result.removed} == {"nav", "whitespace"}


def test_interview_and_listicle_pages_are_left_alone(config):
    text = ("Q: When will electric cars cost the same as petrol cars?\nA: For small cars, by 2027.\n\n"
            "1. Hyundai Casper Electric\nThe tiny Casper gets a longer body and a 49 kWh battery.\n\n"
            "2. Kia EV3\nKia's compact SUV promises 600 km from its larger battery pack.\n\n"
            "3. Genesis GV60 Magma\nA high-performance version of Genesis's smallest EV.\n\nThank you.\n")
    assert removed(text, config) == {}
