"""Console and API users: superadmins, and managers or viewers of exactly one tenant."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comandia.server.db.control_models import User
from comandia.server.db.sessions import Databases
from comandia.server.services import audit
from comandia.server.services.auth.hashing import PasswordHashing
from comandia.server.services.auth.logins import revoke_user_tokens
from comandia.server.services.auth.passwords import check_strength
from comandia.server.services.auth.throttle import LoginThrottle, throttle_keys
from comandia.server.services.tenancy.tenants import live_tenant
from comandia.shared.domain.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from comandia.shared.domain.roles import Role, check_role_scope
from comandia.shared.domain.times import utcnow
from comandia.shared.i18n import N_
from comandia.shared.schemas.users import UserInfo
from comandia.shared.schemas.wire import from_attributes

FIRST_ADMIN = "admin"
"""The superadmin the server makes on its first run, with a generated password kept in a 0600 file."""
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")


class UserService:
    """Users and their passwords; every password check and hash runs on the shared bounded
    `hashing` pool, and a password change is throttled like a login (`throttle`)."""

    def __init__(
        self,
        databases: Databases,
        hashing: PasswordHashing | None = None,
        throttle: LoginThrottle | None = None,
        first_password_file: Path | None = None,
    ) -> None:
        self._db = databases
        self._hashing = hashing or PasswordHashing()
        self._throttle = throttle or LoginThrottle(databases)
        self._first_password_file = first_password_file

    def _forget_first_password(self, username: str) -> None:
        """The first admin's generated password stops being true when it changes: remove its file."""
        if username == FIRST_ADMIN and self._first_password_file is not None:
            self._first_password_file.unlink(missing_ok=True)

    def create(self, username: str, password: str, role: str, tenant_id: str | None, actor: str) -> UserInfo:
        """Raises ValidationFailed (bad name, password, role or scope), Conflict, NotFound (tenant)."""
        if not USERNAME.match(username):
            raise ValidationFailed("username: 2-64 letters, digits, '.', '_', '@' or '-'", {"username": N_("invalid")})
        try:
            parsed_role = Role(role)
        except ValueError as error:
            raise ValidationFailed("unknown role '{value}'", {"role": N_("invalid")}, value=role) from error
        check_role_scope(parsed_role, tenant_id)
        password_hash = self._hashing.hash(password)
        with self._db.control_session() as session:
            if tenant_id is not None:
                live_tenant(session, tenant_id)
            if session.scalar(sa.select(User.id).where(sa.func.lower(User.username) == username.lower())):
                raise Conflict("username '{username}' is taken", username=username)
            user = User(username=username, password_hash=password_hash, role=parsed_role.value, tenant_id=tenant_id)
            session.add(user)
            audit.record(session, actor, "user.create", tenant_id, username=username, role=parsed_role.value)
            session.commit()
            return _info(user)

    def list(self, tenant_id: str | None = None) -> list[UserInfo]:
        with self._db.control_session() as session:
            query = sa.select(User).order_by(User.id)
            if tenant_id is not None:
                query = query.where(User.tenant_id == tenant_id)
            return [_info(u) for u in session.scalars(query)]

    def set_disabled(self, username: str, disabled: bool, actor: str) -> UserInfo:
        with self._db.control_session() as session:
            user = session.scalar(
                sa.select(User).where(sa.func.lower(User.username) == username.lower()).with_for_update()
            )
            if user is None:
                raise NotFound("user '{username}' does not exist", username=username)
            user.disabled = disabled
            if disabled:
                revoke_user_tokens(session, user.id, utcnow())
            action = "user.disable" if disabled else "user.enable"
            audit.record(session, actor, action, user.tenant_id, username=username)
            session.commit()
            return _info(user)

    def get(self, user_id: int) -> UserInfo:
        """Raises NotFound."""
        with self._db.control_session() as session:
            return _info(_user(session, user_id))

    def update(self, user_id: int, actor: str, disabled: bool | None = None, password: str | None = None) -> UserInfo:
        """Disable/enable a user or set a new password; either ends all the user's sessions.

        Raises:
            NotFound: no such user.
            ValidationFailed: the password is too short or too long.
        """
        new_hash = self._hashing.hash(password) if password is not None else None
        with self._db.control_session() as session:
            user = _user(session, user_id, lock=True)
            if disabled is not None and disabled != user.disabled:
                user.disabled = disabled
                action = "user.disable" if disabled else "user.enable"
                audit.record(session, actor, action, user.tenant_id, username=user.username)
            if new_hash is not None:
                user.password_hash, user.password_changed_at = new_hash, utcnow()
                audit.record(session, actor, "user.password_reset", user.tenant_id, username=user.username)
            if user.disabled or new_hash is not None:
                revoke_user_tokens(session, user.id, utcnow())
            session.commit()
            if new_hash is not None:
                self._forget_first_password(user.username)
            return _info(user)

    def change_own_password(self, user_id: int, current: str, new: str, address: str = "local") -> None:
        """A user replaces their own password; every token of theirs stops working.

        Guessing `current` here is guessing a password: it is throttled like a login, per user
        and per `address`, before anything is hashed.

        Raises:
            TooManyRequests: too many wrong current passwords (or the hashing pool is full).
            Unauthorized: `current` is wrong.
            ValidationFailed: `new` is too short or too long.
        """
        check_strength(new)
        with self._db.control_session() as session:
            user = _user(session, user_id)
            name, stored = user.username, user.password_hash
        keys = throttle_keys(name, address)
        attempt = self._throttle.admit(keys, utcnow())
        if not self._hashing.verify(stored, current):
            raise Unauthorized("the current password is wrong")  # the attempt stays a failure
        new_hash = self._hashing.hash(new)
        with self._db.control_session() as session:
            user = _user(session, user_id, lock=True)
            if user.password_hash != stored:
                raise Unauthorized("the current password is wrong")  # changed meanwhile
            user.password_hash, user.password_changed_at = new_hash, utcnow()
            revoke_user_tokens(session, user.id, utcnow())
            audit.record(session, user.username, "user.password_change", user.tenant_id)
            session.commit()
        self._throttle.succeeded(attempt, clear_key=keys[0])
        self._forget_first_password(name)

    def unlock(self, username: str, actor: str) -> int:
        """Forget an account's failed attempts, so its next login is not slowed; returns how many.

        Raises: NotFound (no such user).
        """
        with self._db.control_session() as session:
            user = session.scalar(sa.select(User).where(sa.func.lower(User.username) == username.lower()))
            if user is None:
                raise NotFound("user '{username}' does not exist", username=username)
            cleared = self._throttle.clear(throttle_keys(user.username, "-")[0])
            audit.record(session, actor, "user.unlock", user.tenant_id, username=user.username, failures=cleared)
            session.commit()
        return cleared


def _user(session: Session, user_id: int, lock: bool = False) -> User:
    user = session.get(User, user_id, with_for_update=lock)
    if user is None:
        raise NotFound("user {id} does not exist", id=user_id)
    return user


def _info(user: User) -> UserInfo:
    return from_attributes(user, UserInfo)


def has_superadmin(databases: Databases) -> bool:
    with databases.control_session() as session:
        return session.scalar(sa.select(User.id).where(User.role == "superadmin").limit(1)) is not None
