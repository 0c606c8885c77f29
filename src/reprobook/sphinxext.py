"""Sphinx extension that ties the executed notebooks to the book's pages.

It does three jobs, all during ``jupyter-book build``:

1. **Claims.** It points ``REPROBOOK_CLAIMS_DIR`` at ``_build/reprobook-claims`` before
   any notebook runs, so every executed notebook leaves its scorecard there. The
   scorecard page is read last (``env-before-read-docs``) and re-read on every build,
   so it shows the claims of every chapter of the same build.
2. **A stale execution cache.** Jupyter Book's cache is keyed on a notebook's own cells,
   so a change in ``src/reprobook`` would not re-execute the notebooks that import it.
   The extension therefore fingerprints the installed package and the profile. When the
   fingerprint differs from the one of the last successful build, it empties the
   execution cache and the claims, and has every notebook read again.
3. **Directives.** ``{reprobook-scorecard}`` renders every chapter's claims;
   ``{reprobook-benchmarks}`` renders the records under ``benchmarks/records``.
"""

from __future__ import annotations

import html
import json
import logging
import os
import shutil
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive

import reprobook
from reprobook.caching import tree_fingerprint
from reprobook.claims import CLAIMS_DIR_ENV, DOCNAME_ENV, VERDICTS, load_scorecards, render_html
from reprobook.params import PROFILE_ENV, default_profile

logger = logging.getLogger(__name__)

SCORECARD_DOCNAME = "book/scorecard"
FINGERPRINT_FILE = "reprobook-fingerprint.txt"
CLAIMS_FOLDER = "reprobook-claims"
RECORDS_FOLDER = Path("benchmarks") / "records"


def package_fingerprint(package_dir: Path, profile: str) -> str:
    """Return a SHA-256 over every file of the package (path and bytes) and the profile."""
    return tree_fingerprint(package_dir, salt=profile)


def _build_root(app) -> Path:
    return Path(app.outdir).parent


def _on_config_inited(app, config) -> None:
    claims_dir = _build_root(app) / CLAIMS_FOLDER
    os.environ[CLAIMS_DIR_ENV] = str(claims_dir)
    app.reprobook_profile = default_profile()
    os.environ[PROFILE_ENV] = app.reprobook_profile


def _on_builder_inited(app) -> None:
    build_root = _build_root(app)
    fingerprint = package_fingerprint(Path(reprobook.__file__).parent, app.reprobook_profile)
    stored = build_root / FINGERPRINT_FILE
    app.reprobook_fingerprint = fingerprint
    app.reprobook_stale = not stored.exists() or stored.read_text().strip() != fingerprint
    if not app.reprobook_stale:
        return

    cache_path = Path(app.env.mystnb_config.execution_cache_path)
    logger.info("reprobook: package or profile changed since the last build; re-executing every notebook")
    for folder in (cache_path, build_root / CLAIMS_FOLDER):
        if folder.exists():
            shutil.rmtree(folder)


def _on_env_get_outdated(app, env, added, changed, removed) -> list[str]:
    outdated = {SCORECARD_DOCNAME} & env.found_docs
    if app.reprobook_stale:
        outdated |= {name for name in env.found_docs if str(env.doc2path(name)).endswith(".ipynb")}
    return sorted(outdated)


def _on_env_before_read_docs(app, env, docnames: list[str]) -> None:
    if SCORECARD_DOCNAME in docnames:
        docnames.remove(SCORECARD_DOCNAME)
        docnames.append(SCORECARD_DOCNAME)


def _on_source_read(app, docname: str, source: list[str]) -> None:
    os.environ[DOCNAME_ENV] = docname


def toc_order(env) -> list[str]:
    """Return the documents in the order of the table of contents (depth first from the root)."""
    order: list[str] = []

    def visit(docname: str) -> None:
        if docname in order:
            return
        order.append(docname)
        for child in env.toctree_includes.get(docname, []):
            visit(child)

    visit(env.config.root_doc)
    return order


def _on_build_finished(app, exception) -> None:
    if exception is None:
        (_build_root(app) / FINGERPRINT_FILE).write_text(app.reprobook_fingerprint + "\n")


def _flatten(results: dict, prefix: str = "") -> list[tuple[str, object]]:
    rows = []
    for name, value in results.items():
        if isinstance(value, dict):
            rows.extend(_flatten(value, f"{prefix}{name} / "))
        else:
            rows.append((f"{prefix}{name}", value))
    return rows


def _verdict_summary(claims: list[dict]) -> str:
    counts = {verdict: 0 for verdict in VERDICTS}
    for claim in claims:
        counts[claim["verdict"]] += 1
    return ", ".join(f"{count} {verdict}" for verdict, count in counts.items() if count)


class ScorecardDirective(Directive):
    """Render the claims of every chapter executed in this build, one table per notebook."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        claims_dir = os.environ.get(CLAIMS_DIR_ENV, "")
        cards = load_scorecards(claims_dir) if claims_dir else []
        order = {docname: index for index, docname in enumerate(toc_order(self.state.document.settings.env))}
        cards.sort(key=lambda card: (order.get(card.get("docname"), len(order)), card["chapter"], card["section"]))
        if not cards:
            return [nodes.paragraph(text="No chapter recorded claims in this build.")]

        all_claims = [claim for card in cards for claim in card["claims"]]
        parts = [f"<p><strong>{len(all_claims)} claims</strong>: {_verdict_summary(all_claims)}.</p>"]
        for card in cards:
            title = f"{card['chapter']} / {card['section']} (profile: {card['profile']})"
            parts.append(f"<h3>{title}</h3>")
            parts.append(render_html(card["claims"]))
        return [nodes.raw("", "\n".join(parts), format="html")]


class BenchmarksDirective(Directive):
    """Render every benchmark record under benchmarks/records as a table."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        env = self.state.document.settings.env
        records_dir = Path(env.srcdir) / RECORDS_FOLDER
        records = sorted(records_dir.glob("*.json")) if records_dir.is_dir() else []
        if not records:
            return [nodes.paragraph(text="No benchmark records yet.")]

        parts = []
        for path in records:
            record = json.loads(path.read_text(encoding="utf-8"))
            machine = html.escape(str(record.get("machine", "not recorded")))
            parts.append(f"<h3>{html.escape(path.stem)}</h3>")
            parts.append(f"<p>Machine: {machine}. Recorded {html.escape(str(record.get('date', '')))}.</p>")
            rows = "".join(
                f"<tr><td>{html.escape(name)}</td><td>{html.escape(str(value))}</td></tr>"
                for name, value in _flatten(record.get("results", {}))
            )
            parts.append(f'<table class="reprobook-benchmark"><tbody>{rows}</tbody></table>')
        return [nodes.raw("", "\n".join(parts), format="html")]


def setup(app) -> dict:
    """Register the events and directives with Sphinx."""
    app.connect("config-inited", _on_config_inited)
    app.connect("builder-inited", _on_builder_inited, priority=900)
    app.connect("env-get-outdated", _on_env_get_outdated)
    app.connect("env-before-read-docs", _on_env_before_read_docs)
    app.connect("source-read", _on_source_read)
    app.connect("build-finished", _on_build_finished)
    app.add_directive("reprobook-scorecard", ScorecardDirective)
    app.add_directive("reprobook-benchmarks", BenchmarksDirective)
    return {"version": reprobook.__version__, "parallel_read_safe": False, "parallel_write_safe": True}
