"""The pre-extraction HTML pass: which elements it marks, what its guards protect, and that
trafilatura prunes the marked nodes while the metadata still comes from the whole page."""

from __future__ import annotations

from pathlib import Path

from lxml.html import fromstring

from cleaning.config import load_config
from cleaning.extract import extract_html
from cleaning.htmlprep import MARK_ATTR, mark_boilerplate, name_parts

CFG = load_config()
URL = "https://www.harborwire.example/asia/2024/03/busan-dockworkers-strike-ends"
ARTICLE = (
    "<p>Dockworkers at South Korea's largest container port returned to work on Thursday after their union "
    "accepted a wage offer that ends a nine-day strike, which had left more than 40 ships waiting at anchor.</p>"
    "<p>The agreement raises base pay by 6.5 percent this year and adds a night-shift allowance, the union said "
    "in a statement, well above the 3 percent the terminal operators had offered when talks broke down.</p>"
    "<p>Shipping lines had begun diverting cargo to Gwangyang and to Japanese ports, and freight forwarders "
    "warned that the backlog of more than 90,000 containers would take at least a week to clear.</p>"
)


def page(body: str) -> str:
    return f"<html><head><title>Port strike ends</title></head><body>{body}</body></html>"


def marked(html: str) -> dict[str, str]:
    """Marked elements of a page: first 40 characters of their text -> category."""
    tree = fromstring(html)
    mark_boilerplate(tree, CFG)
    return {" ".join(" ".join(el.itertext()).split())[:40]: el.get(MARK_ATTR)
            for el in tree.xpath(f"//*[@{MARK_ATTR}]")}


def test_name_parts_split_bem_and_camel_case() -> None:
    assert name_parts("c-relatedStories share_bar") == [("c", "related", "stories"), ("share", "bar")]
    assert name_parts("article__read-next--list") == [("article", "read", "next", "list")]


def test_fixture_page_marks_each_kind_of_chrome(fixtures_dir: Path) -> None:
    html = (fixtures_dir / "html" / "en_port_strike_boilerplate.html").read_text(encoding="utf-8")
    cats = sorted(marked(html).values())
    assert cats == ["caption", "consent", "newsletter", "related", "share"]


def test_article_paragraphs_are_never_marked(fixtures_dir: Path) -> None:
    html = (fixtures_dir / "html" / "en_port_strike_boilerplate.html").read_text(encoding="utf-8")
    for text in marked(html):
        assert not text.startswith(("Dockworkers at", "The agreement", "Shipping lines")), text


def test_wrapper_named_like_chrome_but_holding_the_article_is_kept() -> None:
    # A theme that calls the story container "story-share-container" must not lose the story.
    html = page(f'<div class="story-share-container"><h2>Port strike ends</h2>{ARTICLE}</div>')
    assert marked(html) == {}


def test_element_holding_the_h1_is_kept() -> None:
    html = page(f'<div class="related-wrapper"><h1>Port strike ends</h1><p>Short.</p></div>{ARTICLE}')
    assert marked(html) == {}


def test_heading_with_slug_id_is_not_judged_by_it() -> None:
    # ids generated from heading text ("what-share-of-...") say nothing about the element.
    html = page(f'<h2 id="what-share-of-ships-were-delayed">What share of ships were delayed?</h2>{ARTICLE}'
                '<div id="what-share-of-cargo-moved-to-japanese-ports-instead">Cargo moved.</div>')
    assert marked(html) == {}


def test_role_aria_and_tag_vocabularies() -> None:
    html = page(f"{ARTICLE}<figure><img src='x.jpg'><figcaption>Cranes at Busan. Photo: Lee</figcaption></figure>"
                '<div role="contentinfo">About us · Careers · Contact</div>'
                '<div aria-label="Related coverage"><a href="/x">Freight rates jump</a></div>')
    assert marked(html) == {"Cranes at Busan. Photo: Lee": "caption", "About us · Careers · Contact": "chrome",
                            "Freight rates jump": "related"}


def test_extract_html_prunes_marked_nodes_but_keeps_metadata(fixtures_dir: Path) -> None:
    html = (fixtures_dir / "html" / "en_port_strike_boilerplate.html").read_text(encoding="utf-8")
    plain = extract_html(html, URL, CFG, prepare=False)
    prepped = extract_html(html, URL, CFG, prepare=True)
    assert plain is not None and prepped is not None
    # trafilatura alone keeps the in-article newsletter box; the pre-pass removes it
    assert "Get Harbor Wire's shipping briefing" in plain["text"]
    assert "Get Harbor Wire's shipping briefing" not in prepped["text"]
    assert plain["dropped"] == [] and {d["category"] for d in prepped["dropped"]} >= {"newsletter", "related"}
    for key in ("title", "published", "author", "sitename"):
        assert prepped[key] == plain[key], key
    assert prepped["author"] == "Mina Park" and prepped["published"] == "2024-03-14"
    for sentence in ("returned to work on Thursday", "night-shift allowance", "union leader Choi Dong-wook",
                     "at least a week to clear", "automation at the port"):
        assert sentence in prepped["text"], sentence


def test_switched_off_by_config(fixtures_dir: Path) -> None:
    html = (fixtures_dir / "html" / "en_port_strike_boilerplate.html").read_text(encoding="utf-8")
    off = load_config(overrides={"extract": {"htmlprep": {"enabled": False}}})
    res = extract_html(html, URL, off)
    assert res is not None and res["dropped"] == [] and "shipping briefing" in res["text"]


def test_headline_block_drops_standfirst_and_byline_but_keeps_metadata() -> None:
    html = ("<html><head><title>Port strike ends</title><meta name='author' content='Mina Park'></head><body>"
            "<article><header><h1>Port strike ends</h1>"
            "<p class='intro'>A nine-day walkout that stranded 40 ships is over.</p>"
            "<div><span>By Mina Park</span> <time>March 14, 2024</time></div></header>"
            f"<div class='body'>{ARTICLE}</div></article></body></html>")
    cats = marked(html)
    assert cats == {"A nine-day walkout that stranded 40 ship": "headline_block",
                    "By Mina Park March 14, 2024": "headline_block"}
    res = extract_html(html, URL, CFG, prepare=True)
    assert res is not None and res["author"] == "Mina Park"
    assert "stranded 40 ships" not in res["text"] and "night-shift allowance" in res["text"]


def test_header_wrapping_the_story_is_left_alone() -> None:
    html = page(f"<header><h1>Port strike ends</h1>{ARTICLE}</header>")
    assert marked(html) == {}


def test_korean_page_relation_box_and_copyright() -> None:
    body = ("<p>기아는 15일 EV9의 국내 사전계약 대수가 1만367대를 기록했다고 밝혔다. 이는 회사가 예상한 규모를 "
            "크게 웃도는 수치로, 대형 전기 SUV 수요가 여전히 높다는 점을 보여준다.</p>"
            "<p>회사는 미국 조지아 공장에서 EV9을 생산해 북미 시장에도 공급할 계획이라고 설명했다. 생산은 "
            "내년 상반기에 시작될 예정이며 현지 판매 가격은 아직 정해지지 않았다.</p>")
    html = page(f"<div class='article_body'>{body}</div>"
                "<div class='art_relation'><h3>관련기사</h3><ul><li><a href='/1'>현대차, 아이오닉7 공개</a></li>"
                "<li><a href='/2'>배터리 가격 하락세</a></li></ul></div>"
                "<div class='copyright'>저작권자 © 모빌리티경제 무단전재 및 재배포 금지</div>")
    assert marked(html) == {"관련기사 현대차, 아이오닉7 공개 배터리 가격 하락세": "related",
                            "저작권자 © 모빌리티경제 무단전재 및 재배포 금지": "chrome"}
