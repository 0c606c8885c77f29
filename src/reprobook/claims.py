"""The reproduction scorecard: each claim of a paper beside what this book measured.

A notebook builds a :class:`Scorecard`, adds one row per quantitative claim with the
value it measured in this run, and ends with ``scorecard.show()``. That displays the
table and, when the environment variable ``REPROBOOK_CLAIMS_DIR`` names a folder,
writes the rows there as ``<chapter>--<section>.json``. The book build and the
``reprobook run`` command set that variable; the book's scorecard page gathers every
file it finds there.
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from reprobook.params import check_choice, check_profile

CLAIMS_DIR_ENV = "REPROBOOK_CLAIMS_DIR"
# Set by the book build to the page being executed, so the scorecard page can follow the book's order.
DOCNAME_ENV = "REPROBOOK_DOCNAME"

REPRODUCED = "reproduced"
SAME_DIRECTION = "same direction"
NOT_REPRODUCED = "not reproduced"
NOT_TESTABLE = "not testable here"
VERDICTS = (REPRODUCED, SAME_DIRECTION, NOT_REPRODUCED, NOT_TESTABLE)

COLUMNS = ("claim", "paper", "measured", "setting", "verdict", "reason")


@dataclass(frozen=True)
class Claim:
    """One row of a scorecard.

    Attributes:
        claim: the paper's statement, in a few words.
        paper: the value or statement the paper reports.
        measured: the value this run measured, formatted for reading.
        setting: how this run's setting differs from the paper's.
        verdict: one of :data:`VERDICTS`.
        reason: why the verdict is what it is.
    """

    claim: str
    paper: str
    measured: str
    setting: str
    verdict: str
    reason: str


@dataclass
class Scorecard:
    """The claims of one notebook (a section of a chapter).

    Attributes:
        chapter: the chapter's folder name, for example ``"kaprekar"``.
        section: a short id of the notebook inside the chapter.
        profile: the profile the notebook ran in.
        claims: the rows added so far, in order.
    """

    chapter: str
    section: str
    profile: str
    claims: list[Claim] = field(default_factory=list)

    def __post_init__(self) -> None:
        check_profile(self.profile)
        for name in ("chapter", "section"):
            value = getattr(self, name)
            if not value or not value.replace("_", "").replace("-", "").isalnum():
                raise ValueError(f"{name} must be a non-empty name of letters, digits, '-' or '_'; got {value!r}")

    def add(
        self, claim: str, *, paper: str, measured: object, setting: str, verdict: str, reason: str
    ) -> Claim:
        """Add one claim and return it.

        Raises:
            ValueError: if the verdict is not one of :data:`VERDICTS` or a text is empty.
        """
        check_choice("verdict", verdict, VERDICTS)
        row = Claim(claim, paper, str(measured), setting, verdict, reason)
        for name, value in asdict(row).items():
            if not value.strip():
                raise ValueError(f"{name} of the claim {claim!r} must not be empty")
        self.claims.append(row)
        return row

    def to_dict(self) -> dict:
        """Return the scorecard as plain data (what :meth:`save` writes)."""
        return {
            "chapter": self.chapter,
            "section": self.section,
            "profile": self.profile,
            "docname": os.environ.get(DOCNAME_ENV),
            "claims": [asdict(claim) for claim in self.claims],
        }

    def save(self, directory: str | os.PathLike | None = None) -> Path | None:
        """Write the claims as JSON into ``directory`` (default: ``$REPROBOOK_CLAIMS_DIR``).

        The file is written under a temporary name and renamed, so a reader never sees a
        half-written file. Returns the path, or ``None`` when no folder is configured.
        """
        directory = directory or os.environ.get(CLAIMS_DIR_ENV)
        if not directory:
            return None
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.chapter}--{self.section}.json"
        partial = path.with_suffix(".json.tmp")
        partial.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        partial.replace(path)
        return path

    def _repr_html_(self) -> str:
        return render_html(self.claims)

    def _repr_markdown_(self) -> str:
        return render_markdown(self.claims)

    def show(self) -> Scorecard:
        """Save the claims (see :meth:`save`) and return ``self`` for display as a table."""
        self.save()
        return self


def load_scorecards(directory: str | os.PathLike) -> list[dict]:
    """Read every scorecard file in ``directory``, sorted by chapter and section."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    cards = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*--*.json"))]
    return sorted(cards, key=lambda card: (card["chapter"], card["section"]))


def _verdict_class(verdict: str) -> str:
    return "verdict-" + verdict.replace(" ", "-")


def render_html(claims: list[Claim] | list[dict]) -> str:
    """Render claims as an HTML table with one CSS class per verdict."""
    rows = [claim if isinstance(claim, dict) else asdict(claim) for claim in claims]
    head = "".join(f"<th>{name}</th>" for name in COLUMNS)
    body = []
    for row in rows:
        cells = "".join(f"<td>{html.escape(row[name])}</td>" for name in COLUMNS)
        body.append(f'<tr class="{_verdict_class(row["verdict"])}">{cells}</tr>')
    return f'<table class="reprobook-scorecard"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def render_markdown(claims: list[Claim] | list[dict]) -> str:
    """Render claims as a Markdown table."""
    rows = [claim if isinstance(claim, dict) else asdict(claim) for claim in claims]
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        cells = (row[name].replace("|", "\\|").replace("\n", " ") for name in COLUMNS)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
