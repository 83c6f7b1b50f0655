"""Realistic documents for the dedup tests (no tests here): the four seeds, their copies, Korean news."""

from __future__ import annotations

from pathlib import Path

from cleaning.document import Document

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"


def seed_texts() -> dict[str, str]:
    """The raw seed texts keyed by file stem (seed 000 without its scraped header line)."""
    out = {}
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if path.name.startswith("000_"):
            text = text.split("\n", 1)[1]
        out[path.stem] = text
    return out


def seed_docs() -> list[Document]:
    return [Document(id=stem, source=f"seeds/{stem}.txt", text=text) for stem, text in seed_texts().items()]


def seed_copies() -> dict[str, tuple[str, Document]]:
    """copy id -> (original id, copy): the three copies the issue names."""
    t = seed_texts()
    s0, s1, s2 = (next(k for k in t if k.startswith(p)) for p in ("000_", "001_", "002_"))

    # Seed 001 with a different trailer: the same story, another site's "related" box.
    body1 = t[s1][: t[s1].index("Related Content")]
    copy1 = body1 + (
        "More from Korea Auto Daily\n\n"
        "Hyundai Mobis opens battery system plant in Ulsan to supply electric SUVs\n"
        "Sign up for our daily newsletter to get the latest industry news.\n"
    )

    # Seed 002 with its headline list removed and two words changed.
    body2 = t[s2][: t[s2].index("Photo: KG Mobility Newsroom")]
    copy2 = body2.replace("jointly establish", "jointly build", 1).replace("bolster", "boost", 1)
    assert copy2.count("jointly build") == 1 and "boost" in copy2

    # Seed 000 abridged to its first four paragraphs.
    paragraphs = [p for p in t[s0].split("\n\n") if p.strip()]
    copy0 = "\n\n".join(paragraphs[:4]) + "\n"

    return {
        "copy-001-trailer": (s1, Document(id="copy-001-trailer", source="wire/a.txt", text=copy1)),
        "copy-002-edited": (s2, Document(id="copy-002-edited", source="wire/b.txt", text=copy2)),
        "copy-000-abridged": (s0, Document(id="copy-000-abridged", source="wire/c.txt", text=copy0)),
    }


KO_HYUNDAI = """현대자동차가 울산공장에 전기차 전용 생산라인을 새로 짓는다. 현대차는 23일 울산 북구 명촌동 옛 주행시험장 부지에서 전기차 전용 공장 기공식을 열고 2025년 완공을 목표로 공사에 들어간다고 밝혔다. 총 2조원이 투입되는 이번 공장은 연간 20만대의 전기차를 생산할 수 있는 규모다.

현대차가 국내에 전기차 전용 공장을 짓는 것은 1996년 아산공장 이후 29년 만이다. 새 공장에서는 제네시스 브랜드의 대형 전기 SUV를 시작으로 다양한 차종이 생산될 예정이다. 회사 측은 공장 설계 단계부터 인공지능과 로봇 기술을 적용해 생산 효율을 크게 높이겠다고 설명했다.

장재훈 현대차 사장은 기념사에서 "울산 전기차 전용 공장은 향후 50년 동안 한국 자동차 산업의 미래를 이끌 심장이 될 것"이라며 "협력사와 함께 전동화 전환을 성공적으로 이뤄내겠다"고 말했다.

업계에서는 이번 투자가 미국 인플레이션 감축법 시행 이후 해외 생산 비중이 커지는 상황에서 국내 생산 기반을 지키려는 의지로 보고 있다. 울산시도 공장 건설 과정에서 인허가 절차를 신속히 처리하고 도로와 전력 등 기반 시설을 지원하기로 했다.

한편 현대차그룹은 2030년까지 국내 전기차 분야에 총 24조원을 투자해 연간 151만대의 전기차를 생산한다는 계획을 세우고 있다.
"""

# The same wire story as another outlet ran it: spacing and particles differ, two verbs
# changed, the last paragraph dropped, the outlet's own byline and copyright added.
KO_HYUNDAI_COPY = """현대자동차가 울산 공장에 전기차 전용 생산라인을 새로 짓는다. 현대차는 23일 울산 북구 명촌동 옛 주행 시험장 부지에서 전기차 전용공장 기공식을 열고 2025년 완공을 목표로 공사에 착수한다고 전했다. 총 2조원이 투입되는 이번 공장은 연간 20만대의 전기차를 생산할 수 있는 규모다.

현대차가 국내에 전기차 전용 공장을 짓는 건 1996년 아산공장 이후 29년 만이다. 새 공장에서는 제네시스 브랜드의 대형 전기 SUV를 시작으로 다양한 차종이 생산될 예정이다. 회사 측은 공장 설계 단계부터 인공지능과 로봇 기술을 적용해 생산 효율을 크게 높이겠다고 설명했다.

장재훈 현대차 사장은 기념사에서 "울산 전기차 전용 공장은 향후 50년 동안 한국 자동차 산업의 미래를 이끌 심장이 될 것"이라며 "협력사와 함께 전동화 전환을 성공적으로 이뤄내겠다"고 강조했다.

업계에서는 이번 투자가 미국 인플레이션 감축법 시행 이후 해외 생산 비중이 커지는 상황에서 국내 생산 기반을 지키려는 의지로 보고 있다. 울산시도 공장 건설 과정에서 인허가 절차를 신속히 처리하고 도로와 전력 등 기반 시설을 지원하기로 했다.

울산=김민수 기자 kms@example.co.kr
"""

# A different story on the same topic (a hard negative): Kia's plant, same vocabulary.
KO_KIA = """기아가 경기 광명 오토랜드에 첫 전기차 전용 공장을 완공하고 본격적인 양산에 들어갔다. 기아는 12일 광명 오토랜드에서 준공식을 열고 소형 전기 SUV EV3 생산을 시작했다고 밝혔다. 기존 내연기관차 생산라인을 전기차 라인으로 바꾸는 데 약 3천억원이 들었다.

새 공장은 연간 15만대 규모로 운영되며 차체 조립과 도장, 의장 공정에 자동화 설비가 대거 도입됐다. 기아는 생산 인력을 재배치하고 전환 교육을 거쳐 고용을 유지하기로 노동조합과 합의했다.

송호성 기아 사장은 "광명 전기차 공장은 기아 전동화 전략의 출발점"이라며 "국내 생산 거점을 중심으로 글로벌 전기차 시장을 공략하겠다"고 말했다.

기아는 광명에 이어 화성 공장에도 목적기반차량 전용 공장을 짓고 있으며 2026년부터 대형 전기 밴을 생산할 계획이다.
"""
