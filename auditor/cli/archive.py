"""The archive as evidence: `search`, `export`, `verify` and `prune`."""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import click

from auditor.cli.common import App, out_dir_option, period_options, say
from auditor.platforms import NAMES


@click.command("search")
@click.argument("text")
@click.option("--platform", type=click.Choice(NAMES))
@click.option("--councillor", metavar="NAME", help="Only posts this councillor wrote.")
@period_options()
@click.pass_obj
def search_command(
    app: App, text: str, platform: str | None, councillor: str | None, first: date | None, last: date | None
) -> None:
    """Find posts in the archive, edited and deleted ones included, with the match in context."""
    from auditor.archive.search import search

    settings = app.settings
    tz = settings.council.tz
    start = datetime.combine(first, datetime.min.time(), tz) if first else None
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tz) if last else None
    hits = search(app.store(), text, platform=platform, councillor=councillor, start=start, end=end)
    if not hits:
        say(f"Nothing in the archive matches {text!r}.")
        return
    for hit in hits:
        flags = []
        if hit.versions > 1:
            flags.append(f"version {hit.version} of {hit.versions}")
        if hit.deleted_at:
            flags.append(f"deleted {hit.deleted_at.astimezone(tz):%Y-%m-%d}")
        who = hit.councillor or hit.author or "?"
        say(
            f"{hit.created_at.astimezone(tz):%Y-%m-%d %H:%M}  {hit.platform} {hit.post_id}  {who}"
            + (f"  ({', '.join(flags)})" if flags else "")
        )
        say(f"    {hit.snippet}")
    say(f"{len(hits)} post(s).")


@click.command("export")
@period_options(required=True)
@click.option("--councillor", metavar="NAME", help="Only this councillor.")
@click.option("--account", metavar="HANDLE", help="Only this account.")
@click.option("--query", metavar="TEXT", help="Only posts where some version mentions this (case and accents ignored).")
@out_dir_option("Folder to write.", required=True)
@click.pass_obj
def export_command(
    app: App, first: date, last: date, councillor: str | None, account: str | None, query: str | None, out: Path
) -> None:
    """Everything posted or deleted in a period, with proof: for FOIP requests and discovery.

    Writes posts with every version and deletion mark, the replies around them, findings and
    decisions (JSON Lines and spreadsheet-ready CSV), the raw bodies they came from, and a
    MANIFEST of SHA-256 hashes. Check it later with `auditor verify --export DIR`.
    """
    from auditor.archive.export import Request, export
    from reports.period import date_range

    settings = app.settings
    if out.exists() and any(out.iterdir()):
        raise click.BadParameter(f"{out} is not empty; exports go into a new folder", param_hint="--out")
    period = date_range(first, last, settings.council.tz, app.now())
    summary = export(app.store(), Request(period.start, period.end, councillor, account, query), out, app.now())
    say(
        f"Exported {period.label}: {summary.posts} posts ({summary.deleted} deleted), {summary.versions} versions, "
        f"{summary.context} replies around them, {summary.findings} findings, {summary.captures} raw bodies."
    )
    say(f"  {out}  (archive chain head {summary.chain_head})")


@click.command("prune")
@click.option("--dry-run", is_flag=True, help="Only say what would be removed.")
@click.pass_obj
def prune_command(app: App, dry_run: bool) -> None:
    """Apply the configured retention periods (`retention:` in the configuration).

    Raw bodies keep their hash (the archive still verifies); residents' replies and comments
    are removed past their period; councillors' own posts only if a period is set for them.
    """
    from auditor.archive.retention import prune

    settings = app.settings
    policy = settings.file.retention
    if not (policy.raw_bodies_days or policy.others_comments_days or policy.councillor_posts_days):
        say(f"No retention periods are set in {settings.path}: everything is kept.")
        return
    plan = prune(app.store(), policy, app.now(), dry_run=dry_run)
    verb = "Would remove" if dry_run else "Removed"
    say(
        f"{verb}: {plan.raw_bodies} raw bodies (hashes kept), {plan.others_comments} replies and comments by "
        f"others, {plan.councillor_posts} councillors' posts."
    )


@click.command()
@click.option(
    "--export",
    "export_dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Check an export folder on its own (its MANIFEST and raw bodies) instead of the archive.",
)
@click.pass_obj
def verify(app: App, export_dir: Path | None) -> None:
    """Prove the archive (or an export) is unaltered: recompute the capture chain and every hash.

    Exits 0 when intact, 1 at the first break, which it names.
    """
    if export_dir is not None:
        from auditor.archive.export import verify_export

        problems, summary = verify_export(export_dir)
        say(summary)
        for problem in problems:
            say(f"  BROKEN: {problem}")
        sys.exit(1 if problems else 0)
    store = app.store()
    chain = store.chain()
    altered = store.altered_versions()
    if chain.intact and not altered:
        say(f"Archive intact: {chain.records} captures, chain head {chain.head}.")
        return
    if chain.problem:
        say(f"BROKEN: {chain.problem}.")
    for version in altered[:20]:
        say(f"BROKEN: the stored text of {version} no longer matches its hash.")
    sys.exit(1)


COMMANDS: tuple[click.Command, ...] = (search_command, export_command, prune_command, verify)
