"""Jinja2 rendering: one environment, autoescape on, strict about undefined names.

Templates are looked up first in an operator's override folder (if given), then in the
packaged `templates/`, so a department can restyle its report without forking the code.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    select_autoescape,
)

from auditor.dates import portable_strftime
from auditor.platforms import display_name
from reports.model import describe_wait
from reports.style import STYLE, badge_style, severity_style


def local_time(value: datetime | None, fmt: str = "%a %-d %b %Y, %H:%M") -> str:
    if value is None:
        return "–"
    return portable_strftime(value, fmt) + (f" {value.tzname()}" if "%Z" not in fmt and value.tzname() else "")


def environment(override: Path | None = None) -> Environment:
    loaders: list[BaseLoader] = [FileSystemLoader(str(override))] if override else []
    loaders.append(PackageLoader("reports", "templates"))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["local"] = local_time
    env.filters["day"] = portable_strftime
    env.filters["platform"] = display_name
    env.filters["wait"] = lambda d: describe_wait(d) if isinstance(d, timedelta) or d is None else str(d)
    env.globals.update(s=STYLE, severity_style=severity_style, badge_style=badge_style)
    return env


def render(env: Environment, name: str, **context: Any) -> str:
    return env.get_template(name).render(**context)
