"""The Anki decks (tools/sphinx/anki_decks.py): notes counted against the glossary and the practice pool,
ids stable across builds, no exam-pool item in any deck, and the decks downloadable from the built site."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import anki_decks
import pytest

from course_generators import load_glossary
from labkit import questions as bank
from tests.conftest import REPO_ROOT


def _read_deck(path: Path, tmp_path: Path) -> dict:
    """Notes (guid -> fields), note-type ids and deck names of an .apkg (a zip holding a SQLite collection)."""
    with zipfile.ZipFile(path) as archive:
        assert "collection.anki2" in archive.namelist(), f"{path.name} holds no collection.anki2"
        target = tmp_path / f"{path.stem}.anki2"
        target.write_bytes(archive.read("collection.anki2"))
    with sqlite3.connect(target) as db:
        notes = {guid: fields for guid, fields in db.execute("select guid, flds from notes")}
        model_ids = {mid for (mid,) in db.execute("select distinct mid from notes")}
        deck_ids = {did for (did,) in db.execute("select distinct did from cards")}
    return {"notes": notes, "models": model_ids, "decks": deck_ids}


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    first, second = tmp_path_factory.mktemp("anki1"), tmp_path_factory.mktemp("anki2")
    paths1 = anki_decks.write_decks(REPO_ROOT, first, force=True)
    paths2 = anki_decks.write_decks(REPO_ROOT, second, force=True)
    scratch = tmp_path_factory.mktemp("sqlite")
    return [(_read_deck(a, scratch), _read_deck(b, scratch)) for a, b in zip(paths1, paths2, strict=True)], paths1


def test_the_glossary_deck_has_one_note_per_term(two_builds):
    (glossary, _), *_ = two_builds[0]
    terms = load_glossary(REPO_ROOT / "book" / "reference" / "glossary")
    assert len(glossary["notes"]) == len(terms) > 100
    fronts = {fields.split("\x1f")[0] for fields in glossary["notes"].values()}
    assert "Additivity" in fronts or any(t["term"] in fronts for t in terms[:3])


def test_each_domain_deck_holds_exactly_that_domains_practice_questions(two_builds):
    questions = bank.load_bank()
    for domain, (deck, _) in zip((1, 2, 3, 4), two_builds[0][1:], strict=True):
        practice = [q for q in questions if q.pool == "practice" and q.domain == domain]
        assert len(deck["notes"]) == len(practice) >= 15, f"domain {domain}"


def test_no_exam_pool_item_reaches_a_deck(two_builds):
    exam_stems = [" ".join(q.stem.split())[:80] for q in bank.load_bank() if q.pool == "exam"]
    for deck, _ in two_builds[0]:
        text = " ".join(" ".join(fields.split()) for fields in deck["notes"].values())
        text = text.replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")
        leaked = [stem for stem in exam_stems if stem in text]
        assert not leaked, f"exam-pool stems in a deck: {leaked[:3]}"


def test_ids_are_stable_across_two_builds(two_builds):
    for first, second in two_builds[0]:
        assert set(first["notes"]) == set(second["notes"]), "note GUIDs changed between two builds"
        assert first["models"] == second["models"] and first["decks"] == second["decks"]


def test_the_back_of_a_question_card_has_the_key_explanations_and_where_it_is_taught(two_builds):
    _, (deck, _), *_ = two_builds[0]
    back = next(iter(deck["notes"].values())).split("\x1f")[1]
    assert back.startswith('<span class="key">Answer: ') and "Taught in Task 1." in back
    assert "docs.aws.amazon.com" in back or "aws.amazon.com" in back


def test_decks_are_rewritten_only_when_their_inputs_change(tmp_path):
    paths = anki_decks.write_decks(REPO_ROOT, tmp_path)
    stamps = [p.stat().st_mtime_ns for p in paths]
    assert anki_decks.write_decks(REPO_ROOT, tmp_path) == paths
    assert [p.stat().st_mtime_ns for p in paths] == stamps


def test_the_site_offers_every_deck_for_download(built_site):
    downloads = {p.name for p in (built_site / "_downloads").rglob("*.apkg")}
    expected = {anki_decks.GLOSSARY_DECK} | {anki_decks.PRACTICE_DECK.format(domain=d) for d in (1, 2, 3, 4)}
    assert expected <= downloads, f"missing from the site: {sorted(expected - downloads)}"
    index = (built_site / "book" / "practice" / "index.html").read_text(encoding="utf-8")
    assert all(name in index for name in expected), "the practice index does not link every deck"
