"""Shared blocks across sites (resolve.shared_blocks / expand_blocks, [dedup] block_*): distinct
stories of many outlets that each carry one long passage (a company's "About" and
forward-looking-statements text, in English, Russian and Greek) must not become duplicates of
each other, while true copies of those stories still are; the sharded steps agree with the
single-process resolution."""

from __future__ import annotations

import pickle
import random
import re
from pathlib import Path

import numpy as np
import pytest

from cleaning.config import load_config
from cleaning.dedup import compute_signatures, resolve_duplicates
from cleaning.dedup.resolve import BLOCKS_KEY, block_candidates, expand_blocks, shared_blocks
from cleaning.dedup.shards import VERDICTS_FILE, resolve_sharded, write_signature_shard
from cleaning.dedup.settings import dedup_settings
from cleaning.document import Document

PASSAGES = {
    "en": ("About Hanwha Motors Group: founded in 1962 and headquartered in Seoul, the group designs and "
           "manufactures passenger cars, commercial vehicles and batteries in eleven countries and employs more "
           "than 40,000 people. Forward-looking statements: this article contains statements about future events "
           "that are based on current assumptions and involve known and unknown risks, uncertainties and other "
           "factors that may cause actual results to differ materially from those expressed or implied. Readers "
           "should not place undue reliance on these statements, which speak only as of the date of publication; "
           "the company undertakes no obligation to update them. Media contact: corporate communications office, "
           "telephone and e-mail on the company website."),
    "ru": ("О компании: группа «Северавто» основана в 1994 году, штаб-квартира находится в Москве. Компания "
           "производит легковые и коммерческие автомобили, а также аккумуляторы на заводах в девяти странах и "
           "насчитывает более 30 000 сотрудников. Заявления о будущем: настоящий материал содержит заявления "
           "прогнозного характера, основанные на текущих допущениях и связанные с известными и неизвестными "
           "рисками, неопределённостями и другими факторами, из-за которых фактические результаты могут "
           "существенно отличаться от прогнозируемых. Читателям не следует чрезмерно полагаться на такие "
           "заявления, актуальные только на дату публикации; компания не берёт на себя обязательств их "
           "обновлять. Контакты для прессы: управление корпоративных коммуникаций, телефон и электронная почта "
           "указаны на сайте компании."),
    "el": ("Σχετικά με την εταιρεία: ο όμιλος ιδρύθηκε το 1962 με έδρα την Αθήνα και σχεδιάζει και κατασκευάζει "
           "επιβατικά και επαγγελματικά οχήματα καθώς και μπαταρίες σε έντεκα χώρες, απασχολώντας περισσότερους "
           "από 40.000 εργαζόμενους. Δηλώσεις για το μέλλον: το παρόν κείμενο περιέχει δηλώσεις που βασίζονται "
           "σε τρέχουσες παραδοχές και ενέχουν γνωστούς και άγνωστους κινδύνους, αβεβαιότητες και άλλους "
           "παράγοντες, εξαιτίας των οποίων τα πραγματικά αποτελέσματα ενδέχεται να διαφέρουν ουσιωδώς από όσα "
           "εκφράζονται ή υπονοούνται. Οι αναγνώστες δεν πρέπει να βασίζονται υπερβολικά σε αυτές τις δηλώσεις, "
           "οι οποίες ισχύουν μόνο κατά την ημερομηνία δημοσίευσης· η εταιρεία δεν αναλαμβάνει καμία υποχρέωση "
           "να τις επικαιροποιήσει. Επικοινωνία για τον Τύπο: γραφείο εταιρικής επικοινωνίας, τηλέφωνο και "
           "ηλεκτρονικό ταχυδρομείο στον ιστότοπο της εταιρείας."),
}
N_STORIES = 30


def _corpus(seeds_dir: Path, lang: str) -> tuple[list[Document], dict[str, str]]:
    """N_STORIES distinct stories (two seed sentences of 12+ words each), each on its
    own site and followed by the passage; every fourth story also reprinted by another site
    with a few words changed. Returns the documents and id -> story."""
    rng = random.Random(7)
    sentences = sorted({s for p in sorted(seeds_dir.glob("*.txt"))
                        for s in re.split(r"(?<=[.!?])\s+", p.read_text(encoding="utf-8")) if len(s.split()) >= 12})
    rng.shuffle(sentences)
    assert len(sentences) >= 2 * N_STORIES
    docs, story = [], {}
    for k in range(N_STORIES):
        text = " ".join(sentences[2 * k: 2 * k + 2]) + "\n\n" + PASSAGES[lang]
        docs.append(Document(id=f"s{k:03d}", source="gen", text=text, url=f"https://outlet{k}.example/{k}"))
        story[f"s{k:03d}"] = f"s{k:03d}"
        if k % 4 == 0:
            words = text.split(" ")
            for _ in range(2):
                words[rng.randrange(len(words))] = "edited"
            docs.append(Document(id=f"s{k:03d}-copy", source="gen", text=" ".join(words),
                                 url=f"https://wire{k}.example/{k}"))
            story[f"s{k:03d}-copy"] = f"s{k:03d}"
    return docs, story


@pytest.mark.parametrize("lang", sorted(PASSAGES))
def test_a_passage_shared_by_many_stories_of_many_sites_makes_no_duplicate(seeds_dir: Path, lang: str) -> None:
    docs, story = _corpus(seeds_dir, lang)
    cfg = load_config()
    sigs = compute_signatures(docs, cfg)
    off = load_config(overrides={"dedup": {"block_min_stories": 0}})
    without = resolve_duplicates(sigs, off, None)
    wrong_without = [d for d in without.duplicates if story[d.id] != story[d.duplicate_of]]
    assert len(wrong_without) >= N_STORIES // 2  # the passage alone passes the containment rule

    out = resolve_duplicates(sigs, cfg, None)
    wrong = [(d.id, d.duplicate_of, d.containment) for d in out.duplicates if story[d.id] != story[d.duplicate_of]]
    assert wrong == []
    found = {frozenset((d.id, d.duplicate_of)) for d in out.duplicates}
    assert found == {frozenset((f"s{k:03d}", f"s{k:03d}-copy")) for k in range(0, N_STORIES, 4)}  # every true copy
    assert out.stats["common_features"] > 0


def test_the_sharded_steps_find_the_same_blocks(seeds_dir: Path, tmp_path: Path, monkeypatch) -> None:
    """Sharded = one process; and with a 1-byte pass budget every spill file is its own chunk, so
    the blocks' carriers and members are counted a chunk at a time (as at 1M documents): the
    same blocks as in one chunk."""
    from cleaning.dedup import verification

    docs, _ = _corpus(seeds_dir, "ru")
    cfg = load_config()
    s = dedup_settings(cfg)
    sigs = compute_signatures(docs, cfg)
    reference = resolve_duplicates(sigs, cfg, None)
    blocks = []
    for budget in (verification.COMMON_PASS_BYTES, 1):
        monkeypatch.setattr(verification, "COMMON_PASS_BYTES", budget)
        folder = tmp_path / str(budget)
        for shard, lo in enumerate(range(0, len(sigs), 9)):
            write_signature_shard(sigs[lo: lo + 9], folder, shard, s, n_ranges=8)
        stats, _ = resolve_sharded(folder, cfg, None, n_ranges=8)
        verdicts = pickle.loads((folder / VERDICTS_FILE).read_bytes())
        assert verdicts["duplicates"] == reference.duplicates
        assert stats == reference.stats
        blocks.append(pickle.loads((folder / "common.pkl").read_bytes())[BLOCKS_KEY])
    assert len(blocks[0]) >= 40 and np.array_equal(blocks[0], blocks[1])


def test_blocks_need_the_same_set_of_stories_not_just_many_stories() -> None:
    """Ordinary grams, each in many stories but each in its own set of them, form no block; 30
    grams in one set of 30 stories do, and a gram of the passage also found elsewhere (in 28 of
    the 30 stories plus 50 others) joins the block at member_share 0.9."""
    rng = np.random.default_rng(5)
    story, feat = [], []
    for f in range(1000, 1100):  # ordinary: 40 random stories out of 500 each
        st = rng.choice(500, size=40, replace=False)
        story += st.tolist()
        feat += [f] * 40
    block_stories = np.arange(600, 630)
    for f in range(5000, 5030):  # the passage
        story += block_stories.tolist()
        feat += [f] * 30
    story += block_stories[:28].tolist() + list(range(700, 750))  # a passage gram also used elsewhere
    feat += [7777] * 78
    story_a, feat_a = np.array(story, dtype=np.int64), np.array(feat, dtype=np.uint32)
    labels = np.arange(1000, dtype=np.uint64)  # any story labels: here the story numbers
    found = [block_candidates(story_a, feat_a, 25, labels)]
    seeds = shared_blocks(found, 20)
    assert [g.tolist() for g in seeds] == [list(range(5000, 5030))]
    blocks = expand_blocks(lambda: [(story_a, feat_a)], seeds, np.sort(found[0][0]), 0.9)
    assert blocks.tolist() == list(range(5000, 5030)) + [7777]
    # The same rows in chunks split by feature (as the sharded pass reads them): the same block.
    by_feature = [(story_a[feat_a % 7 == r], feat_a[feat_a % 7 == r]) for r in range(7)]
    assert expand_blocks(lambda: by_feature, seeds, np.sort(found[0][0]), 0.9).tolist() == blocks.tolist()
    assert shared_blocks([block_candidates(story_a, feat_a, 31, labels)], 20) == []  # fewer stories than asked
