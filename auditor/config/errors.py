"""One error style for every configuration file: `ConfigError`, the YAML reader, and the
wording of pydantic's validation errors for operators.

Both `settings` (auditor.yaml) and `policy` (policy.yaml) import from here, so neither needs
the other's private helpers.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any

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


class StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader, stricter where a silent choice would hide a mistake: a key written
    twice in one mapping is refused (PyYAML keeps the last one), and a date that does not exist
    (`2026-13-16`) is a YAML error with its line rather than a ValueError from deep inside."""

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, yaml.Node] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if key != "<<" and isinstance(key, Hashable) and key in seen:
                    raise yaml.constructor.ConstructorError(
                        f"while reading the mapping from line {node.start_mark.line + 1}", node.start_mark,
                        f"the key {key!r} appears twice (first at line {seen[key].start_mark.line + 1})",
                        key_node.start_mark,
                    )
                if isinstance(key, Hashable):
                    seen[key] = key_node
        return super().construct_mapping(node, deep=deep)  # type: ignore[arg-type]

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_timestamp(node)  # type: ignore[arg-type]
        except (ValueError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a real date or time ({exc})", node.start_mark
            ) from None


StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", StrictLoader.construct_yaml_timestamp)


def read_yaml(path: Path) -> object:
    """The parsed YAML document (any shape: callers check it), or a ConfigError."""
    if path.is_dir():
        raise ConfigError(path, None, "is a folder, not a YAML file")
    if not path.is_file():
        raise ConfigError(path, None, "file not found (pass --config PATH, or create it from config/auditor.yaml)")
    try:
        with path.open(encoding="utf-8") as handle:
            document: object = yaml.load(handle, Loader=StrictLoader)  # noqa: S506 (a SafeLoader)
            return document
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else None
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise ConfigError(path, where, f"not valid YAML: {problem}") from None
    except UnicodeDecodeError:
        raise ConfigError(path, None, "not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(path, None, f"cannot be read ({exc.strerror or exc})") from None
    except RecursionError:
        raise ConfigError(path, None, "nested too deeply to be a configuration") from None
