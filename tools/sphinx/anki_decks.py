"""Anki decks of the course, written when the site is built: the glossary, and the practice pool by domain.

- `mla-c01-glossary.apkg`: one note per glossary term (front: the term; back: its definition).
- `mla-c01-practice-domain-N.apkg`: one note per *practice-pool* question of domain N (front: the case
  study's scenario if any, the stem and the options; back: the key, why each option is right or
  wrong, where the course teaches it and the AWS pages behind it). Exam-pool items never go into a
  deck: they are kept for the mock exams (DESIGN.md, "Practice: one bank, three ways to use it").

Ids are stable, so re-importing a newer deck updates the cards a learner already has instead of
adding copies: each deck and note type has a fixed id derived from its name, and each note's GUID
is derived from the glossary term or the question id (never shown on the card). The decks are
written to `_generated/anki/` (git-ignored) only when their inputs change, and the practice index
links them with the `{download}` role.
"""

from __future__ import annotations

import hashlib
import html
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import genanki

sys.path.insert(0, str(Path(__file__).resolve().parent))

from course_generators import DOMAIN_NAMES, load_glossary  # noqa: E402
from labkit import questions as bank  # noqa: E402

DECK_FOLDER = Path("_generated") / "anki"
GLOSSARY_DECK = "mla-c01-glossary.apkg"
PRACTICE_DECK = "mla-c01-practice-domain-{domain}.apkg"
STAMP = "inputs.sha256"
CSS = ".card { font-family: sans-serif; font-size: 18px; text-align: left; } .key { font-weight: bold; }"


def stable_id(name: str) -> int:
    """An id Anki accepts (a positive integer below 2**31 * 1000) that depends only on `name`."""
    return 1_000_000_000 + int(hashlib.sha256(name.encode()).hexdigest(), 16) % 1_000_000_000


def _model(name: str, front: str, back: str) -> genanki.Model:
    return genanki.Model(
        stable_id(f"mla-c01 model {name}"),
        f"MLA-C01 {name}",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "Card 1", "qfmt": front, "afmt": back}],
        css=CSS,
    )


TERM_MODEL = _model("term", "{{Front}}", "{{Front}}<hr id=answer>{{Back}}")
QUESTION_MODEL = _model("question", "{{Front}}", "{{Front}}<hr id=answer>{{Back}}")


def _text(value: str) -> str:
    """Plain text to card HTML: escaped, backticks as code, line breaks kept."""
    escaped = html.escape(value.strip())
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    return escaped.replace("\n\n", "<br><br>").replace("\n", " ")


def _markup_text(value: str) -> str:
    """Glossary definitions are MyST: keep their words, drop role markup such as {term}`x` and links."""
    value = re.sub(r"\{[a-z-]+\}`([^`<]*?)(?:\s*<[^>]*>)?`", r"\1", value)
    value = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", value)
    return _text(value)


@dataclass(frozen=True)
class Deck:
    filename: str
    title: str
    notes: list[genanki.Note]

    @property
    def deck_id(self) -> int:
        return stable_id(f"mla-c01 deck {self.filename}")


def glossary_deck(root: Path) -> Deck:
    notes = [
        genanki.Note(model=TERM_MODEL, fields=[_text(entry["term"]), _markup_text(entry["definition"])],
                     guid=genanki.guid_for("mla-c01 term", entry["term"].lower()))
        for entry in load_glossary(root / "book" / "reference" / "glossary")
    ]
    return Deck(GLOSSARY_DECK, "MLA-C01 course::Glossary", notes)


def _section_titles(root: Path, page: str) -> dict[str, str]:
    """Label -> heading text of a chapter page, for the "taught in" line on the back of a card."""
    lines = (root / page).read_text(encoding="utf-8").splitlines()
    titles = {}
    for index, line in enumerate(lines[:-1]):
        match = re.fullmatch(r"\(([\w-]+)\)=", line.strip())
        if match and lines[index + 1].startswith("#"):
            titles[match.group(1)] = lines[index + 1].lstrip("#").strip()
    return titles


def _front(q: bank.Question) -> str:
    parts = []
    if q.scenario:
        parts.append(f"<i>Case study.</i> {_text(q.scenario)}")
    parts.append(f"<b>Task {q.task}.</b> {_text(q.stem)}")
    if q.type == "matching":
        parts.append("<br>".join(f"{k}. {_text(v)}" for k, v in q.prompts.items()))
        parts.append("Responses:<br>" + "<br>".join(f"{k}. {_text(v)}" for k, v in q.options.items()))
    else:
        parts.append("<br>".join(f"{k}. {_text(v)}" for k, v in q.options.items()))
    return "<br><br>".join(parts)


def _answer(q: bank.Question) -> str:
    if q.type == "matching":
        return ", ".join(f"{p}-{r}" for p, r in q.answer.items())
    if q.type == "ordering":
        return ", ".join(q.answer)
    return " and ".join(q.answer)


def _back(q: bank.Question, root: Path, base_url: str, titles: dict) -> str:
    page, _, label = q.teaches.partition("#")
    title = titles.setdefault(page, _section_titles(root, page)).get(label, label)
    where = f"Task {q.task}: {html.escape(title)}"
    if base_url:
        url = f"{base_url.rstrip('/')}/{page.removesuffix('.md')}.html#{label}"
        where = f'<a href="{html.escape(url)}">{where}</a>'
    docs = "<br>".join(f'<a href="{html.escape(u)}">{html.escape(u)}</a>' for u in q.docs)
    explanations = "<br>".join(f"{k}: {_text(v)}" for k, v in q.explanations.items())
    return (f'<span class="key">Answer: {html.escape(_answer(q))}</span><br><br>{explanations}'
            f"<br><br>Taught in {where}<br>AWS documentation:<br>{docs}")


def practice_decks(root: Path, base_url: str = "") -> list[Deck]:
    questions = [q for q in bank.load_bank(root / "book" / "practice" / "questions") if q.pool == "practice"]
    titles: dict[str, dict[str, str]] = {}
    decks = []
    for domain in (1, 2, 3, 4):
        notes = [
            genanki.Note(model=QUESTION_MODEL, fields=[_front(q), _back(q, root, base_url, titles)],
                         guid=genanki.guid_for("mla-c01 question", q.id), tags=[f"task-{q.task.replace('.', '-')}"])
            for q in questions if q.domain == domain
        ]
        decks.append(Deck(PRACTICE_DECK.format(domain=domain),
                          f"MLA-C01 course::Practice, domain {domain}: {DOMAIN_NAMES[domain]}", notes))
    return decks


def _inputs_digest(root: Path, base_url: str) -> str:
    digest = hashlib.sha256(base_url.encode())
    sources = [Path(__file__), *sorted((root / "book" / "practice" / "questions").glob("*.yml")),
               *sorted((root / "book" / "reference" / "glossary").glob("*.yml")),
               *sorted((root / "book").glob("domain*/task-*.md"))]
    for path in sources:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def write_decks(root: Path, folder: Path | None = None, base_url: str = "", force: bool = False) -> list[Path]:
    """Write every deck into `folder` (default `_generated/anki`) unless its inputs are unchanged; return the paths."""
    folder = folder or root / DECK_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    decks = [glossary_deck(root), *practice_decks(root, base_url)]
    paths = [folder / deck.filename for deck in decks]
    stamp = folder / STAMP
    digest = _inputs_digest(root, base_url)
    if not force and stamp.exists() and stamp.read_text() == digest and all(p.exists() for p in paths):
        return paths
    for deck, path in zip(decks, paths, strict=True):
        anki_deck = genanki.Deck(deck.deck_id, deck.title)
        for note in deck.notes:
            anki_deck.add_note(note)
        genanki.Package(anki_deck).write_to_file(str(path))
    stamp.write_text(digest)
    return paths


if __name__ == "__main__":
    for written in write_decks(Path(__file__).resolve().parents[2], force=True):
        print(written)
