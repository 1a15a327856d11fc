"""The archive as evidence: `search`, `export`, `verify` and `prune`."""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import click

from auditor.cli.common import App, check_account, check_councillor, check_period, out_dir_option, period_options, say
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
    councillor = check_councillor(settings, councillor)
    check_period(first, last)
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
    councillor = check_councillor(settings, councillor)
    account = check_account(settings, account)
    check_period(first, last)
    if out.exists() and any(out.iterdir()):
        raise click.BadParameter(f"{out} is not empty; exports go into a new folder", param_hint="--out")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.BadParameter(f"{out} cannot be created ({exc.strerror or exc})", param_hint="--out") from None
    period = date_range(first, last, settings.council.tz, app.now())
    from auditor.service.evidence import checkpoint_summary, latest_checkpoint

    summary = export(app.store(), Request(period.start, period.end, councillor, account, query), out, app.now(),
                     checkpoint=checkpoint_summary(latest_checkpoint(app.settings)))
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
    store = app.store()
    with app.locked(store, "prune"):
        plan = prune(store, policy, app.now(), dry_run=dry_run)
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
@click.option(
    "--checkpoints",
    "checkpoint_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Signed checkpoints to hold the archive to (default: evidence.checkpoints in the configuration).",
)
@click.option(
    "--public-key",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="The public key the checkpoints were signed with (default: the signing key's .pub).",
)
@click.pass_obj
def verify(app: App, export_dir: Path | None, checkpoint_file: Path | None, public_key: Path | None) -> None:
    """Prove the archive (or an export) is unaltered: recompute the capture chain and every hash,
    re-derive each post version's text from its raw body, and hold the archive to its signed
    checkpoints (docs/evidence.md says what this detects).

    Exits 0 when intact, 1 at the first break, which it names.
    """
    if export_dir is not None:
        from auditor.archive.export import verify_export

        problems, summary = verify_export(export_dir)
        say(summary)
        for problem in problems:
            say(f"  BROKEN: {problem}")
        sys.exit(1 if problems else 0)
    from auditor.archive import checkpoints
    from auditor.archive.provenance import posts_unlike_their_versions
    from auditor.service import evidence

    store = app.store()
    chain = store.chain()
    altered = store.altered_versions() + posts_unlike_their_versions(store)
    rederived = evidence.rederive_texts(store)
    file = checkpoint_file or app.settings.checkpoints_file
    found, unreadable = checkpoints.read(file) if file is not None and file.is_file() else ([], [])
    key = evidence.public_key(app.settings, public_key)
    diverged = unreadable + checkpoints.verify_against(store, found, key)
    if found:
        signed = "signatures checked" if key is not None else "signatures NOT checked: no public key"
        say(f"Checkpoints: {len(found)} in {file} ({signed}); newest {found[-1][1].time}, "
            f"{found[-1][1].records} captures.")
    elif file is not None:
        say(f"Checkpoints: none in {file}: deleting the newest captures or rebuilding the chain is not detectable.")
    say(f"Post texts re-derived from their raw bodies: {rederived.checked} checked"
        + (f"; {rederived.not_found} not found in their body" if rederived.not_found else "")
        + (f"; {rederived.skipped} imported, not re-derived" if rederived.skipped else "") + ".")
    if chain.intact and not altered and not diverged and not rederived.mismatches:
        say(f"Archive intact: {chain.records} captures, chain head {chain.head}.")
        return
    if chain.problem:
        say(f"BROKEN: {chain.problem}.")
    for version in altered[:20]:
        plain = ": " in version  # a whole sentence already; else the version named
        say(f"BROKEN: {version}." if plain else f"BROKEN: the stored text of {version} no longer matches its hash.")
    for problem in diverged[:20]:
        say(f"BROKEN: {problem}.")
    for mismatch in rederived.mismatches[:20]:
        say(f"BROKEN: {mismatch}.")
    sys.exit(1)


COMMANDS: tuple[click.Command, ...] = (search_command, export_command, prune_command, verify)
