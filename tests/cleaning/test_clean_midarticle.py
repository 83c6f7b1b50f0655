"""Junk blocks BETWEEN article paragraphs (a "promo box" of other stories pasted into the story):
``headline_list`` and ``off_topic`` remove them only under the strict ``[mid_article]`` checks.
Most tests here are hard negatives: the article's own lists, subheadings, line-ups and short
quotes sit in the same place and must stay."""

from __future__ import annotations

import copy

import pytest

from cleaning.clean import clean_text
from cleaning.config import default_config
from clean_helpers import removed


@pytest.fixture(scope="module")
def config():
    return default_config()


BEFORE = (
    "Hyundai to put hydrogen trucks on Swiss roads through 2030 under new fleet deal\n\n"
    "ZURICH, May 14 - Hyundai Motor will supply 1,600 Xcient fuel cell trucks to a group of Swiss "
    "logistics firms over the next six years, the South Korean automaker said on Tuesday, the largest "
    "hydrogen truck order in Europe so far.\n\n"
    "The trucks will be leased rather than sold, with Hyundai Hydrogen Mobility charging operators per "
    "kilometre driven, a model that spreads the high upfront cost of fuel cell vehicles over their working life.\n\n"
)
AFTER = (
    "\nSwitzerland exempts zero-emission trucks from its heavy vehicle road tax, which can add up to 70,000 "
    "Swiss francs a year per truck, making the country the easiest market in Europe for hydrogen freight.\n\n"
    "Hyundai said the new trucks would be refuelled at a network of 18 hydrogen stations run by the "
    "operators' joint venture, which plans to add ten more stations by 2027.\n"
)
HEADLINES = [
    "Lakers Rally Past Nuggets to Force Game Seven in Denver",
    "Taylor Swift Adds Three Stadium Dates to European Tour",
    "Oil Slides as OPEC+ Signals Output Increase in July",
    "Paris Olympics Organisers Unveil Final Torch Relay Route",
]


def middle(lines: list[str]) -> str:
    return BEFORE + "\n".join(lines) + "\n" + AFTER


def test_unrelated_headline_list_between_paragraphs_is_removed(config):
    text = middle(HEADLINES)
    result = clean_text(text, config)
    assert removed(text, config) == {"headline_list": HEADLINES}
    for paragraph in (BEFORE + AFTER).split("\n\n"):
        assert paragraph.strip() in result.text  # the article on both sides stays whole


def test_sentence_case_teaser_box_between_paragraphs_is_off_topic(config):
    teasers = [
        "Five easy kimchi stews to get you through the cold snap",
        "Quiz: how well do you know this week's celebrity gossip?",
        "Where to find the cheapest flights to Jeju this winter",
    ]
    assert removed(middle(teasers), config) == {"off_topic": teasers}


def test_link_list_with_arrows_between_paragraphs_is_off_topic(config):
    links = [
        "› Baseball: Doosan Bears name new manager",
        "› K-pop agency sued by former trainees over contracts",
        "› Snowfall warning issued for Gangwon mountains",
    ]
    assert removed(middle(links), config) == {"off_topic": links}
    # one shared content word ("tax", as in the article's "road tax") is enough to keep the box
    links[0] = "› Gangnam restaurant owner jailed for tax evasion"
    assert removed(middle(links), config) == {}


def test_korean_teaser_box_between_paragraphs_is_removed(config):
    teasers = ["▷ 겨울철 난방비 아끼는 생활 꿀팁 다섯 가지", "▷ 연말정산 미리보기 서비스 오늘부터 시작",
               "▷ 주말 나들이 가볼 만한 전국 눈꽃 명소"]
    text = ("부산시, 북항 재개발 2단계 사업자 공모 착수\n\n"
            "부산시는 북항 재개발 2단계 사업의 민간 사업자 공모를 다음 달부터 진행한다고 15일 밝혔다. 2단계 사업은 "
            "자성대 부두와 철도 부지 228만㎡를 업무·상업·주거 복합지구로 바꾸는 것이 핵심이다.\n\n"
            "총사업비는 약 4조 원으로, 시는 2030년까지 기반 시설 공사를 마무리할 계획이다.\n\n"
            + "\n".join(teasers) + "\n\n"
            "시는 공모 과정에서 항만 기능과 도심 기능이 함께 작동할 수 있도록 해양·관광 시설을 일정 비율 이상 반드시 "
            "포함하도록 했다. 사업자 선정 결과는 내년 상반기에 발표된다.\n")
    got = removed(text, config)
    assert sum(got.values(), []) == teasers and set(got) <= {"headline_list", "off_topic"}


def test_only_the_junk_block_goes_when_a_junk_line_is_in_it(config):
    # nav claims "Advertisement" first; the rest of the box is still judged and removed
    text = middle(HEADLINES[:2] + ["Advertisement"] + HEADLINES[2:])
    got = removed(text, config)
    assert got["nav"] == ["Advertisement"] and got["headline_list"] == HEADLINES


@pytest.mark.parametrize("lines", [
    # a list introduced by a colon: the article's own list, however unrelated its words look
    ["The group's members are:", "Samsung Heavy Industries", "Hanwha Ocean", "HD Hyundai Heavy Industries"],
    # bulleted facts
    ["The facts in brief:", "• Investment: 1.5 trillion won", "• Opening: March 2027", "• Staff: about 3,000"],
    # a line-up of names (too short to be headlines)
    ["Jo Hyeon-woo", "Kim Min-jae", "Seol Young-woo", "Lee Kang-in", "Hwang Hee-chan"],
    # a subheading then a list of customers
    ["Early Adopters", "Samsung Life Insurance", "Korea Development Bank", "Seoul National University Hospital"],
    # a subheading followed by a short paragraph (two lines: not a block)
    ["A Harvest Under the Waves", "Today the bay is lined with ropes of kelp and laver."],
])
def test_article_lists_and_subheadings_between_paragraphs_stay(config, lines):
    assert removed(middle(lines), config) == {}


def test_a_block_with_a_quote_or_a_reporting_verb_stays(config):
    quoted = ["Fans Queue Overnight for Tickets", "\"We Have Waited Ten Years for This\"", HEADLINES[2], HEADLINES[3]]
    assert removed(middle(quoted), config) == {}
    said = HEADLINES[:3] + ["Ministry says exports of ships rose in April"]
    assert removed(middle(said), config) == {}


def test_a_block_that_shares_words_with_the_article_stays(config):
    # on-topic short lines: the article's own sub-points, or related stories on the same subject
    related = ["Hyundai Opens First Hydrogen Station in Basel", "Swiss Freight Firms Order More Fuel Cell Trucks",
               "Europe Debates Road Tax Break for Zero-Emission Trucks"]
    assert removed(middle(related), config) == {}


def test_a_block_unrelated_to_what_comes_before_but_taken_up_after_stays(config):
    lines = ["Seoul Forest Park Gets New Night Market", "Namsan Cable Car Reopens After Safety Review",
             "Hangang Bridges Get Solar Lighting Panels"]
    after = ("\nThe three projects, the Seoul Forest night market, the Namsan cable car and the bridge "
             "lighting, were paid for by the same city fund, officials said in a statement on Friday.\n")
    assert removed(BEFORE + "\n".join(lines) + "\n" + after, config) == {}


def test_hard_wrapped_prose_between_paragraphs_stays(config):
    wrapped = ["Nobody in the village had seen anything like it since the",
               "monsoon of 1987, when the river rose above the old stone bridge",
               "and carried away three fishing boats moored by the market"]
    assert removed(middle(wrapped), config) == {}


def test_korean_short_quoted_line_and_subheading_stay(config):
    text = ("\"아직 끝나지 않았다\"…세월호 유가족, 10년 만에 진상규명 다시 촉구\n\n"
            "세월호 참사 10주기를 앞두고 유가족들이 정부에 진상규명 재조사를 다시 요구했다. 4·16세월호참사가족협의회는 "
            "9일 서울 광화문광장에서 기자회견을 열고 선체 조사 기록 전면 공개를 촉구했다.\n\n"
            "“잊지 말아 주세요”\n■ 남은 과제\n연말까지 공개 여부 결정\n\n"
            "협의회는 해양경찰의 구조 지휘 기록과 국가정보원 관련 자료가 아직 공개되지 않았다고 주장했다. 정부는 관련 "
            "부처와 공개 범위를 협의하고 있다고 밝혔다.\n")
    assert removed(text, config) == {}


def test_mid_article_checks_can_be_switched_off(config):
    cfg = copy.deepcopy(config)
    cfg["clean"]["headline_list"]["mid_article"] = False
    cfg["clean"]["off_topic"]["mid_article"] = False
    assert removed(middle(HEADLINES), cfg) == {}


def test_mid_article_min_lines_is_read_from_config(config):
    cfg = copy.deepcopy(config)
    cfg["clean"]["mid_article"]["min_lines"] = 5  # the four-headline box is now too small
    assert removed(middle(HEADLINES), cfg) == {}


# Each test below is kept by one check alone (the others would let the block go), so every check
# of [mid_article] is exercised on its own.


def test_wrapped_prose_starting_lowercase_stays(config):
    wrapped = ["Nobody in the village had seen water rise so fast since 1987",
               "monsoon rains washed away three fishing boats near the old market",
               "bridge, the ferry pier and two rice mills within a single night"]
    assert removed(middle(wrapped), config) == {}


def test_lines_ending_inside_a_sentence_stay(config):
    lines = ["Farmers in Gangwon lost their potato and cabbage crops,",
             "Fishermen in Wando lost whole seasons of laver beds,",
             "Orchard owners in Yeongcheon lost most of their apples"]
    assert removed(middle(lines), config) == {}


def test_a_list_introduced_by_a_colon_stays_even_with_long_items(config):
    lines = ["The consortium will bid for these contracts:",
             "Maintenance of Pacific Navy Ships Based at Guam",
             "Repair of Amphibious Landing Vessels Based in Sasebo",
             "Overhaul of Destroyers Assigned to Yokosuka Naval Base"]
    assert removed(middle(lines), config) == {}


def test_four_word_names_are_too_short_for_headlines(config):
    lines = ["Hanwha General Insurance Company", "Korea Development Bank Branch",
             "Seoul National University Hospital", "Busan Port Authority Office"]
    assert removed(middle(lines), config) == {}


def test_a_block_close_to_the_text_after_it_stays(config):
    # each line shares one word with the paragraph after it (little enough to pass the per-line
    # overlap check), but as a whole the block is on the topic of what follows
    lines = ["Kakao Launches Robotaxi Trial for Late Night Passengers Across Gangnam",
             "Coupang Eats Tests Drones Over Apartment Complexes Near Songdo Park",
             "Baemin Couriers Union Calls Strike Over Insurance Premiums and Unpaid Waiting"]
    after = ("\nThe robotaxi, the drones and the strike also dominated the city's transport committee "
             "meeting this week, where officials weighed new permits and fines for app operators in the capital.\n")
    assert removed(BEFORE + "\n".join(lines) + "\n" + after, config) == {}
