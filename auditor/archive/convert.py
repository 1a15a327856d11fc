"""ORM rows to the plain records of `auditor.records`: what leaves the archive is never a row."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

from auditor import records
from auditor.archive import models

T = TypeVar("T")


def copy_as(kind: type[T], row: object, **overrides: Any) -> T:
    """The record `kind` filled from the row's attributes of the same names."""
    values = {f.name: getattr(row, f.name) for f in fields(kind) if f.name not in overrides}  # type: ignore[arg-type]
    return kind(**values, **overrides)


def account(row: models.Account) -> records.AccountRecord:
    return copy_as(records.AccountRecord, row)


def post(row: models.Post) -> records.StoredPost:
    return copy_as(records.StoredPost, row)


def finding(row: models.Finding) -> records.StoredFinding:
    return copy_as(records.StoredFinding, row)


def decision(row: models.Decision) -> records.Decision:
    return copy_as(records.Decision, row)


def outbox(row: models.OutboxMessage) -> records.OutboxMessage:
    return copy_as(records.OutboxMessage, row, recipients=[str(r) for r in row.recipients])


def run(row: models.Run) -> records.Run:
    accounts = tuple(
        copy_as(records.RunAccount, a, platform=a.account.platform, handle=a.account.handle) for a in row.accounts
    )
    return copy_as(records.Run, row, accounts=accounts)
