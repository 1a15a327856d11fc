"""One error style for every configuration file: `ConfigError`, the YAML reader, and the
wording of pydantic's validation errors for operators.

Both `settings` (auditor.yaml) and `policy` (policy.yaml) import from here, so neither needs
the other's private helpers.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml
from pydantic import ValidationError


class ConfigError(Exception):
    """A configuration problem, worded for the operator: file, field, what is wrong."""

    def __init__(self, path: Path | str, field: str | None, problem: str):
        self.path, self.field, self.problem = str(path), field, problem
        where = f"{self.path}: {field}: " if field else f"{self.path}: "
        super().__init__(where + problem)


def field_path(loc: Sequence[int | str]) -> str:
    """pydantic's location as the operator writes it: `councillors[0].accounts[1].handle`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def first_error(error: ValidationError) -> tuple[str, str]:
    """The first problem of a validation error as (field, problem), with a count of the rest."""
    detail = error.errors()[0]
    # Drop pydantic's own markers (validator names, union tags): operators know field names only.
    loc = tuple(p for p in detail["loc"] if not (isinstance(p, str) and (p.startswith("function-") or "[" in p)))
    message = detail["msg"].removeprefix("Value error, ")
    if detail["type"] == "extra_forbidden":
        message = "unknown key (check its spelling against the README)"
    elif detail["type"] == "missing":
        message = "required, but missing"
    count = error.error_count()
    if count > 1:
        message += f" (and {count - 1} more problem{'s' if count > 2 else ''})"
    return field_path(loc), message


def read_yaml(path: Path) -> object:
    """The parsed YAML document (any shape: callers check it), or a ConfigError."""
    if not path.is_file():
        raise ConfigError(path, None, "file not found (pass --config PATH, or create it from config/auditor.yaml)")
    try:
        with path.open(encoding="utf-8") as handle:
            document: object = yaml.safe_load(handle)
            return document
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else None
        raise ConfigError(path, where, f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    except UnicodeDecodeError:
        raise ConfigError(path, None, "not UTF-8 text") from None
