"""site_boilerplate: a site's template lines, learned from its pages (incrementally), removed with provenance."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaning.config import load_config
from cleaning.dedup import compute_signatures, resolve_duplicates
from cleaning.document import Document, rebuild_original
from cleaning.rules import site_boilerplate as sb

# Article bodies of one international outlet, in several scripts (each ~250+ characters).
BODIES = {
    "ko": "현대자동차는 목요일 울산에 전기차 전용 공장을 착공했다고 밝혔다. 총 2조 원이 투입되는 이 공장은 2025년 완공 예정이며 연간 20만 대를 생산할 수 있다.\n\n"
          "회사 측은 새 공장이 미래 모빌리티 생산의 허브가 될 것이라며 협력사와 함께 부품 공급망도 현지에 구축하겠다고 설명했다. 노조도 고용 확대를 환영했다.",
    "zh": "比亚迪周四宣布将在匈牙利塞格德建设其在欧洲的第一家乘用车工厂，预计三年内投产，初期年产能为十万辆。\n\n"
          "公司表示，新工厂将主要生产面向欧洲市场的纯电动车型，并将为当地创造数千个就业岗位。匈牙利政府对此表示欢迎，称这是该国历史上最大的外国投资之一。",
    "ru": "Центральный банк России в пятницу сохранил ключевую ставку на уровне 16 процентов, сообщила пресс-служба регулятора.\n\n"
          "Аналитики ожидали такого решения: инфляция в последние месяцы замедлилась, но остаётся выше целевого уровня. Следующее заседание совета директоров запланировано на июнь.",
    "el": "Η κυβέρνηση ανακοίνωσε την Τρίτη νέο πρόγραμμα στήριξης για τα νοικοκυριά, ύψους 500 εκατομμυρίων ευρώ, για την αντιμετώπιση του κόστους ενέργειας.\n\n"
          "Σύμφωνα με τον υπουργό Οικονομικών, τα μέτρα θα ισχύσουν μέχρι το τέλος του χειμώνα και θα αφορούν κυρίως τις οικογένειες με χαμηλά εισοδήματα.",
    "pl": "Rada Polityki Pieniężnej pozostawiła w środę stopy procentowe bez zmian, a stopa referencyjna nadal wynosi 5,75 procent.\n\n"
          "Prezes banku centralnego powiedział na konferencji prasowej, że inflacja spada szybciej, niż oczekiwano, ale na obniżki stóp jest jeszcze za wcześnie.",
    "ar": "أعلنت وزارة الطاقة يوم الأحد عن خطة لبناء ثلاث محطات جديدة للطاقة الشمسية بقدرة إجمالية تبلغ ألفي ميغاواط بحلول عام 2027.\n\n"
          "وقال الوزير إن المشروع سيوفر آلاف الوظائف ويقلل الاعتماد على الوقود الأحفوري، مضيفا أن القطاع الخاص سيشارك في التمويل والتشغيل.",
    "en": "The European Commission on Monday proposed new rules to cut packaging waste by 15 percent per person by 2040, "
          "requiring member states to set up deposit schemes for plastic bottles and cans.\n\n"
          "Industry groups said the targets were ambitious but welcomed the single set of rules across the bloc. The proposal now goes to "
          "the European Parliament and member governments.",
}
NEWSLETTER = ("Get the Global Wire morning briefing in your inbox: sign up for our free daily newsletter with the top "
              "stories from around the world, delivered every weekday.")
FOOTER = "© 2024 Global Wire Media. All rights reserved. Privacy Policy | Terms of Use | Cookie Settings"


@pytest.fixture(scope="module")
def config():
    return load_config()


def _page(lang: str, site: str = "Global Wire", body: str | None = None) -> Document:
    text = f"{body or BODIES[lang]}\n\n{NEWSLETTER}\n\n{FOOTER}\n"
    return Document(f"{site[:2]}-{lang}", f"{lang}.html", text, url=f"https://www.globalwire.example/{lang}/1",
                    sitename=site, language=lang)


def test_template_lines_of_a_site_are_removed_with_site_and_count_in_every_script(config):
    docs = [_page(lang) for lang in BODIES]
    model = sb.learn(sb.site_line_keys(docs, config), config, None)
    for d in docs:
        out = sb.apply_document(d, model, config)
        assert NEWSLETTER not in out.text and FOOTER not in out.text
        assert BODIES[d.language].split("\n\n")[0] in out.text and BODIES[d.language].split("\n\n")[1] in out.text
        cut = [r for r in out.removed if r.rule == "site_boilerplate"]
        assert [r.text.strip() for r in cut] == [NEWSLETTER, FOOTER]
        assert all(r.detail == "site Global Wire: line in 7 of 7 documents" for r in cut)
        assert rebuild_original(out.text, out.removed) == d.text  # provenance rebuilds the page
        assert sb.apply_document(out, model, config).text == out.text  # idempotent


def test_lines_shared_by_few_documents_or_other_sites_stay(config):
    docs = [_page(lang) for lang in ("ko", "zh", "ru", "el")]  # 4 < min_docs = 5
    assert not sb.learn(sb.site_line_keys(docs, config), config, None)
    many = [_page(lang) for lang in BODIES]
    other = _page("en", site="Other Daily")
    model = sb.learn(sb.site_line_keys([*many, other], config), config, None)
    assert sb.apply_document(other, model, config) is other  # another site: its own counts (1 page)


def test_a_page_that_is_all_template_is_left_whole(config):
    docs = [_page(lang) for lang in BODIES]
    stub = _page("en", body="Photo gallery: the week in pictures.")
    model = sb.learn(sb.site_line_keys([*docs, stub], config), config, None)
    assert sb.apply_document(stub, model, config) is stub


def test_counts_are_learned_across_runs_in_the_state_directory(config, tmp_path: Path):
    first = [_page(lang) for lang in ("ko", "zh", "ru")]
    second = [_page(lang) for lang in ("el", "pl", "ar")]
    run1 = sb.site_line_keys(first, config)
    assert not sb.learn(run1, config, tmp_path)  # 3 pages: not yet a template
    sb.record_run(run1, config, tmp_path, seq=1)
    sb.record_run(run1, config, tmp_path, seq=1)  # a replayed run is counted once
    model = sb.learn(sb.site_line_keys(second, config), config, tmp_path)
    out = sb.apply_document(second[0], model, config)
    details = {r.detail for r in out.removed if r.rule == "site_boilerplate"}
    assert details == {"site Global Wire: line in 6 of 6 documents"}


def test_state_stays_bounded_per_site(tmp_path: Path):
    cfg = load_config(overrides={"site_boilerplate": {"max_lines_per_site": 3}})
    docs = [Document(f"d{i}", f"{i}.txt", "\n".join(f"distinct line number {i} {k} of this page" for k in range(10)),
                     sitename="Big Site") for i in range(5)]
    sb.record_run(sb.site_line_keys(docs, cfg), cfg, tmp_path, seq=1)
    import sqlite3

    n = sqlite3.connect(tmp_path / sb.STATE_FILE).execute("SELECT COUNT(*) FROM lines").fetchone()[0]
    assert n == 3


def test_templated_pages_are_not_duplicates_once_the_template_is_removed(config):
    """Short stories of one site whose shared chrome is most of the page: without the rule (and
    without the common-feature weighting in dedup) they would look alike."""
    docs = [_page(lang) for lang in BODIES]
    model = sb.learn(sb.site_line_keys(docs, config), config, None)
    cleaned = [sb.apply_document(d, model, config) for d in docs]
    out = resolve_duplicates(compute_signatures(cleaned, config), config, None)
    assert not out.duplicates


def test_run_evidence_counted_in_arrays_equals_counting_each_document(config, tmp_path: Path, monkeypatch) -> None:
    """The run's evidence is summed per batch and compacted as batches merge (one row per
    distinct line, not per document-line); what it learns, alone and on top of stored counts,
    equals counting every document's lines one by one. An older pending file's (site, line)
    arrays (no count column) still merge."""
    from collections import Counter

    import numpy as np

    monkeypatch.setattr(sb, "_COMPACT_ROWS", 5)  # compact whenever the rows double
    sites = ["Global Wire", "Daily Post", "Nowости"]
    docs = [_page(lang, site=site, body=BODIES[lang] + f"\n\nUpdate {k % 3} for {site}.")
            for k, (lang, site) in enumerate((lang, site) for site in sites for lang in BODIES)]
    run = sb.RunLines()
    for lo in range(0, len(docs), 4):
        run.merge(sb.site_line_keys(docs[lo : lo + 4], config))
    s = sb.settings(config)
    expected: Counter = Counter()
    for d in docs:
        site_hash = sb._h("site:" + sb.site_of(d))
        expected.update({(site_hash, h) for _, _, h in sb._lines(d.text, s)})
    assert run.counts() == dict(expected) and run._compacted > 0 and len(run.pairs) < len(docs) // 4
    old = sb.RunLines()
    old.merge(sb.RunLines(dict(run.site_names), Counter(run.site_docs),
                          [np.array([[a, b] for (a, b), n in expected.items() for _ in range(n)], dtype=np.int64)]))
    assert old.counts() == dict(expected)

    model = sb.learn(run, config, None)
    by_site = Counter(sb._h("site:" + sb.site_of(d)) for d in docs)
    assert model.lines == {k: n for k, n in expected.items() if n >= s.min_docs and n >= s.min_share * by_site[k[0]]}
    assert len(model.lines) >= 2 * len(sites)  # the newsletter and footer of every site
    sb.record_run(run, config, tmp_path, 1)  # stored counts, then this run again on top
    again = sb.learn(run, config, tmp_path)
    assert again.lines == {k: 2 * n for k, n in expected.items() if 2 * n >= s.min_docs and n >= s.min_share * by_site[k[0]]}


def test_evidence_spilled_to_files_and_read_in_chunks_learns_and_records_the_same(tmp_path: Path, monkeypatch) -> None:
    """The flow's path: each batch's evidence spilled to a file, read back a range of line
    hashes at a time (here ~7 rows a chunk), and the state trimmed per site while streaming.
    What it learns and the state it records equal counting every document and trimming the
    whole table (the bounded state keeps each site's most shared lines, ties by line)."""
    import sqlite3
    from collections import Counter

    monkeypatch.setattr(sb, "_CHUNK_ROWS", 7)
    cfg = load_config(overrides={"site_boilerplate": {"max_lines_per_site": 4, "min_docs": 2, "min_share": 0.2}})
    s = sb.settings(cfg)
    langs = list(BODIES)
    paragraphs = [p for lang in langs for p in BODIES[lang].split("\n\n")]

    def docs_of(run: int) -> list[Document]:
        out = []
        for i in range(24):  # every page shares some paragraphs of others, in several scripts
            site = ["Global Wire", "Nowости", "新华"][i % 3]
            text = "\n\n".join(paragraphs[(i * j + run) % len(paragraphs)] for j in range(1, 5))
            out.append(Document(f"r{run}-{i}", f"{i}.txt", f"{text}\n\n{NEWSLETTER}", sitename=site))
        return out

    expected_state: Counter = Counter()
    for run in (1, 2):
        docs = docs_of(run)
        spilled = sb.RunLines()
        for k, lo in enumerate(range(0, len(docs), 5)):
            spilled.merge(sb.site_line_keys(docs[lo : lo + 5], cfg).spill(tmp_path / f"run{run}-{k}.sitelines"))
        assert not spilled.pairs and len(spilled.files) == 5
        whole = sb.site_line_keys(docs, cfg)
        assert spilled.counts() == whole.counts() and len(list(spilled.row_chunks())) > 3
        state = tmp_path / f"state{run}"
        state.mkdir()
        if run == 2:  # the same stored counts under both
            (tmp_path / "state1" / sb.STATE_FILE).rename(state / sb.STATE_FILE)
        assert sb.learn(spilled, cfg, state).lines == sb.learn(whole, cfg, state).lines
        sb.record_run(spilled, cfg, state, seq=run)
        # the reference: every line inserted, then each site's top lines kept
        expected_state.update(whole.counts())
        by_site: dict = {}
        for (site, line), n in expected_state.items():
            by_site.setdefault(site, []).append((-n, line))
        expected_state = Counter({(site, line): -neg for site, rows in by_site.items()
                                  for neg, line in sorted(rows)[: s.max_lines_per_site]})
        got = dict(((a, b), n) for a, b, n in sqlite3.connect(state / sb.STATE_FILE).execute("SELECT site, line, docs FROM lines"))
        assert got == dict(expected_state)
    assert max(expected_state.values()) > 2  # counts summed across runs, not just inserted
