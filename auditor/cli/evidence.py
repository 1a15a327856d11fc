"""`auditor evidence keygen`: the key that signs the archive's checkpoints (docs/evidence.md)."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.cli.common import App, say


@click.group("evidence")
def evidence_group() -> None:
    """Signed checkpoints of the archive, kept outside the database."""


@evidence_group.command("keygen")
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Where to write the key (default: evidence.signing_key_file in the configuration).")
@click.pass_obj
def keygen(app: App, out: Path | None) -> None:
    """Create the Ed25519 key that signs checkpoints, and its public half (KEY.pub).

    Keep the key outside the database's machine or at least away from those who can write to the
    database; give the .pub file to whoever will check the archive. An existing key is never replaced.
    """
    from auditor.archive.checkpoints import generate_key, public_key_file

    path = out or app.settings.signing_key_file
    if path is None:
        raise click.UsageError("set evidence.signing_key_file in the configuration, or pass --out")
    try:
        key = generate_key(path)
    except FileExistsError as exc:
        raise click.UsageError(str(exc)) from None
    say(f"Signing key {key} written to {path} (mode 0600); public key: {public_key_file(path)}")


COMMANDS: tuple[click.Command, ...] = (evidence_group,)
