"""The web app's local users: roles, argon2-hashed passwords, API tokens and sign-in attempts.

A password is kept only as its argon2id hash (argon2-cffi's defaults); an API token only as its
SHA-256 (a token is 32 random bytes, so a fast hash is enough, and lets a request be matched by
an index). Failed sign-ins are recorded so that the web app can refuse a burst of guesses per
user name and per address, whichever process served them.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select

from auditor.archive import models
from auditor.archive.database import Database
from auditor.records import ROLES, UserRecord

_HASHER = PasswordHasher()
# Verified against when the user does not exist, so an unknown name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))


def _record(row: models.User) -> UserRecord:
    return UserRecord(row.id, row.name, row.role, row.created_at, bool(row.disabled))


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class UsersArchive(Database):
    def add_user(self, name: str, role: str, password: str, now: datetime) -> UserRecord:
        """Create a local account; ValueError for an unknown role, a taken name or an empty password."""
        name = name.strip()
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r} (use one of {', '.join(ROLES)})")
        if not name:
            raise ValueError("a user needs a name")
        if not password:
            raise ValueError("a user needs a password")
        with self.session() as session, session.begin():
            if session.scalar(select(models.User.id).filter_by(name_key=name.lower())) is not None:
                raise ValueError(f"there is already a user {name!r}")
            row = models.User(
                name=name, name_key=name.lower(), role=role, password_hash=_HASHER.hash(password), created_at=now
            )
            session.add(row)
            session.flush()
            return _record(row)

    def set_password(self, name: str, password: str) -> None:
        if not password:
            raise ValueError("a user needs a password")
        with self.session() as session, session.begin():
            row = session.scalar(select(models.User).filter_by(name_key=name.strip().lower()))
            if row is None:
                raise KeyError(f"no user {name!r}")
            row.password_hash = _HASHER.hash(password)

    def user(self, name: str) -> UserRecord | None:
        with self.session() as session:
            row = session.scalar(select(models.User).filter_by(name_key=name.strip().lower()))
            return _record(row) if row else None

    def users(self) -> list[UserRecord]:
        with self.session() as session:
            return [_record(u) for u in session.scalars(select(models.User).order_by(models.User.name_key))]

    def check_password(self, name: str, password: str) -> UserRecord | None:
        """The user when the password is theirs (and the account enabled), else None."""
        with self.session() as session, session.begin():
            row = session.scalar(select(models.User).filter_by(name_key=name.strip().lower()))
            stored = row.password_hash if row is not None and row.password_hash else _DUMMY_HASH
            try:
                _HASHER.verify(stored, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return None
            if row is None or row.disabled:
                return None
            if _HASHER.check_needs_rehash(stored):
                row.password_hash = _HASHER.hash(password)
            return _record(row)

    def new_token(self, name: str, now: datetime) -> str:
        """A new API token for the user: returned once, only its hash is kept."""
        token = secrets.token_urlsafe(32)
        with self.session() as session, session.begin():
            row = session.scalar(select(models.User).filter_by(name_key=name.strip().lower()))
            if row is None:
                raise KeyError(f"no user {name!r}")
            session.add(models.ApiToken(user_id=row.id, token_sha256=token_digest(token), created_at=now))
        return token

    def user_for_token(self, token: str, now: datetime) -> UserRecord | None:
        with self.session() as session, session.begin():
            found = session.execute(
                select(models.ApiToken, models.User)
                .join(models.User, models.ApiToken.user_id == models.User.id)
                .where(models.ApiToken.token_sha256 == token_digest(token))
            ).first()
            if found is None:
                return None
            api_token, user = found[0], found[1]
            if user.disabled:
                return None
            api_token.last_used_at = now
            return _record(user)

    def record_sign_in(self, name: str, address: str, ok: bool, now: datetime) -> None:
        with self.session() as session, session.begin():
            session.add(models.SignInAttempt(name_key=name.strip().lower()[:255], address=address[:64], ok=int(ok),
                                             at=now))

    def failed_sign_ins(self, since: datetime, *, name: str | None = None, address: str | None = None) -> int:
        """Failed attempts since `since` for a user name, or from an address."""
        with self.session() as session:
            query = select(func.count()).select_from(models.SignInAttempt).where(
                models.SignInAttempt.at >= since, models.SignInAttempt.ok == 0
            )
            if name is not None:
                query = query.where(models.SignInAttempt.name_key == name.strip().lower()[:255])
            if address is not None:
                query = query.where(models.SignInAttempt.address == address[:64])
            return int(session.scalar(query) or 0)
