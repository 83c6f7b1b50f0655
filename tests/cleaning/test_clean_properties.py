"""Properties that hold for any input: cleaning never raises, removal offsets are valid and
non-overlapping, kept text + removed spans rebuild the input exactly, and cleaning a cleaned
text removes nothing."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaning.clean import clean_text
from cleaning.config import default_config
from cleaning.document import rebuild_original

CONFIG = default_config()

# Realistic lines, junk and article alike, so the rules actually fire in generated pages.
LINES = [
    "Skip to main content", "Advertisement", "Share this article", "본문 바로가기", "Related Content",
    "Most Popular", "많이 본 뉴스", "July 23, 2012 Read time: 1 min", "입력 2024-03-04 10:32",
    "By Jane Doe, CNN", "Read more…Microsoft says that Russian hacking campaign hit over 40 businesses",
    "▶ 관련기사: 현대차, 美 조지아 공장 가동", "Photo: KG Mobility Newsroom", "(Getty Images)",
    "KOSPI 2,501.23 ▲12.40 (+0.50%)", "AAPL 189.32 +1.2%  MSFT 402.10 -0.3%",
    "Oil Prices Rebound as Trump Orders Blockade of Sanctioned Venezuelan Tankers",
    "Gold and Silver Surge as Safe Haven Demand Rises on U.S. Economic Uncertainty",
    "Blackstone Leads $400 Million Funding Round in Cyera at $9 Billion Valuation",
    " date 2023-11-10 Polestar 4 to be built in Busan",
    "Renault-Nissan Alliance will invest US$160 million in Korea to meet anticipated demand for the "
    "next-generation Nissan Rogue and to accelerate growth of Renault Samsung Motors.",
    "RSS2453 Renault-838 Nissan Alliance will invest US$160 million in Korea to meet anticipated demand "
    "for the next-generation Nissan Rogue and to accelerate growth of Renault Samsung Motors.",
    "The Busan plant has an annual capacity of 300,000 units and is recognized for its quality.",
    "\"It was a big win.\"", "Key facts", "• Battery: 58.3 kWh or 81.4 kWh",
    "현대자동차가 울산공장 안에 전기차 전용 생산라인을 짓기 시작했다.",
    "Spring sale: up to 40% off all garden furniture and outdoor grills this weekend only.",
    "Free delivery on orders over 50,000 won. Terms and conditions apply.",
    "", "   ", "\t", "  • July 25, 2012",
]

page_text = st.lists(
    st.one_of(st.sampled_from(LINES), st.text(max_size=40)), max_size=30,
).flatmap(lambda lines: st.sampled_from(["\n", "\n\n", "\r\n"]).map(lambda sep: sep.join(lines)))
any_text = st.one_of(st.text(max_size=300), page_text)


def check(text: str) -> None:
    result = clean_text(text, CONFIG)
    prev_end = 0
    for r in result.removed:
        assert 0 <= r.start < r.end <= len(text)
        assert r.start >= prev_end, "removals overlap or are unsorted"
        assert text[r.start:r.end] == r.text
        prev_end = r.end
    assert rebuild_original(result.text, result.removed) == text
    assert len(result.text) + sum(r.end - r.start for r in result.removed) == len(text)
    again = clean_text(result.text, CONFIG)
    assert again.removed == [] and again.text == result.text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_text)
def test_cleaning_properties_hold_for_any_text(text: str) -> None:
    check(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page_text)
def test_cleaning_properties_hold_for_generated_pages(text: str) -> None:
    check(text)


def test_edge_cases() -> None:
    for text in ["", "\n", "\n\n\n", "   ", "Advertisement", "Advertisement\n", "\r\n\r\n", "\x00\n\u2028\n",
                 "a\nb", "Related Content\n", " date 2023-11-10 ", "date 2023-13-45 x\n"]:
        check(text)
