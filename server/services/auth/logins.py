"""API authentication: logins, opaque bearer tokens, and throttling of failed logins.

Tokens come from `secrets.token_urlsafe(32)` (256 bits) and are stored only as their SHA-256, so
a copy of the control database lets nobody in. Every request re-checks the user and the tenant
(`authenticate`), so disabling a user or deactivating a tenant ends its sessions at once.

Failed logins are counted per user name and per client address (RELIABILITY S6): from the 6th
attempt within 30 minutes the login is refused with 429 *before* any password is hashed, so a
storm of guesses costs a cheap indexed count, and unknown names are answered the same way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comandia.server.db.control_models import AuthToken, LoginFailure, Tenant, User
from comandia.server.db.sessions import Databases
from comandia.server.services.auth.passwords import hash_password, needs_rehash, verify_password
from comandia.shared.domain.errors import Forbidden, TooManyRequests, Unauthorized
from comandia.shared.domain.roles import Principal, Role
from comandia.shared.domain.tenants import TenantState
from comandia.shared.domain.times import utcnow
from comandia.shared.schemas.auth import LoginResult
from comandia.shared.schemas.users import UserInfo

MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=30)
# Writing last_used_at on every request would turn each read into a write; a minute is precise
# enough to tell which sessions are alive.
LAST_USED_PRECISION = dt.timedelta(minutes=1)
BAD_CREDENTIALS = "wrong user name or password"


def token_digest(token: str) -> str:
    """The hex SHA-256 under which a token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class AuthService:
    """Issues, checks and revokes API tokens.

    Args:
        databases: the appliance's databases (only the control database is used).
        token_ttl: how long a token works after login.
        clock: returns the current aware UTC instant (tests inject their own).
        verify: checks a password against a stored hash (None: no such user); tests count calls.
    """

    def __init__(
        self,
        databases: Databases,
        token_ttl: dt.timedelta,
        clock: Callable[[], dt.datetime] = utcnow,
        verify: Callable[[str | None, str], bool] = verify_password,
    ) -> None:
        self._db = databases
        self._ttl = token_ttl
        self._clock = clock
        self._verify = verify

    def login(self, username: str, password: str, address: str) -> LoginResult:
        """Check a user's password and issue a new token.

        Args:
            username: as typed (matched case-insensitively).
            password: as typed.
            address: the client's address, for per-address throttling.

        Raises:
            TooManyRequests: 5 failures within 30 minutes for this name or this address.
            Unauthorized: unknown user or wrong password (one answer for both).
            Forbidden: the right password, but the user is disabled or their tenant inactive.
        """
        now = self._clock()
        wanted = username.strip().lower()
        keys = (f"user:{wanted[:150]}", f"addr:{address[:150]}")
        with self._db.control_session() as session:
            self._refuse_if_throttled(session, keys, now)
            found = session.execute(
                sa.select(User.id, User.password_hash).where(sa.func.lower(User.username) == wanted)
            ).first()
        # Hashing takes 20-100 ms: no connection is held meanwhile, so a login storm cannot
        # starve the small control pool every other request authenticates through (L3).
        user_id, stored = (found[0], found[1]) if found else (None, None)
        if not self._verify(stored, password) or user_id is None:
            self._record_failure(keys, now)
            raise Unauthorized(BAD_CREDENTIALS)
        with self._db.control_session() as session:
            user = session.get(User, user_id)
            if user is None:  # deleted between the two transactions
                raise Unauthorized(BAD_CREDENTIALS)
            _check_may_log_in(session, user)
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            session.execute(sa.delete(LoginFailure).where(LoginFailure.key == keys[0]))
            token = secrets.token_urlsafe(32)
            expires_at = now + self._ttl
            session.add(
                AuthToken(
                    token_hash=token_digest(token), user_id=user.id, created_at=now, expires_at=expires_at
                )
            )
            session.commit()
            info = UserInfo(user.id, user.username, user.role, user.tenant_id, user.disabled)
        return LoginResult(token=token, expires_at=expires_at, user=info)

    def authenticate(self, token: str) -> Principal:
        """The principal a bearer token acts for, checked against the user and tenant right now.

        One indexed query (token hash -> user -> tenant); `last_used_at` is written at most once
        a minute.

        Raises:
            Unauthorized: unknown, expired or revoked token, disabled user, or inactive tenant.
        """
        now = self._clock()
        query = (
            sa.select(AuthToken.id, AuthToken.last_used_at, User.id, User.username, User.role, User.tenant_id)
            .join(User, User.id == AuthToken.user_id)
            .outerjoin(Tenant, Tenant.id == User.tenant_id)
            .where(
                AuthToken.token_hash == token_digest(token),
                AuthToken.revoked_at.is_(None),
                AuthToken.expires_at > now,
                User.disabled.is_(False),
                sa.or_(User.tenant_id.is_(None), Tenant.state == TenantState.ACTIVE),
            )
        )
        with self._db.control_session() as session:
            row = session.execute(query).one_or_none()
            if row is None:
                raise Unauthorized("the token is missing, expired or revoked; log in again")
            token_id, last_used, user_id, name, role, tenant_id = row
            if last_used is None or now - last_used > LAST_USED_PRECISION:
                session.execute(sa.update(AuthToken).where(AuthToken.id == token_id).values(last_used_at=now))
                session.commit()
        return Principal(user_id=user_id, username=name, role=Role(role), tenant_id=tenant_id)

    def logout(self, token: str) -> None:
        """Revoke one token; revoking an unknown or already revoked token does nothing."""
        with self._db.control_session() as session:
            session.execute(
                sa.update(AuthToken)
                .where(AuthToken.token_hash == token_digest(token), AuthToken.revoked_at.is_(None))
                .values(revoked_at=self._clock())
            )
            session.commit()

    def _record_failure(self, keys: tuple[str, ...], now: dt.datetime) -> None:
        with self._db.control_session() as session:
            session.add_all([LoginFailure(key=key, at=now) for key in keys])
            # rows past the window count for nothing; sweeping them here keeps the table small
            session.execute(
                sa.delete(LoginFailure).where(
                    LoginFailure.key.in_(keys), LoginFailure.at <= now - FAILURE_WINDOW
                )
            )
            session.commit()

    def _refuse_if_throttled(self, session: Session, keys: tuple[str, ...], now: dt.datetime) -> None:
        since = now - FAILURE_WINDOW
        for key in keys:
            count, oldest = session.execute(
                sa.select(sa.func.count(), sa.func.min(LoginFailure.at)).where(
                    LoginFailure.key == key, LoginFailure.at > since
                )
            ).one()
            if count >= MAX_FAILURES:
                wait = max(1, math.ceil((oldest + FAILURE_WINDOW - now).total_seconds()))
                raise TooManyRequests("too many failed logins; try again later", retry_after=wait)


def revoke_user_tokens(session: Session, user_id: int, now: dt.datetime) -> None:
    """Revoke every live token of a user, in the caller's transaction (disable, password change)."""
    session.execute(
        sa.update(AuthToken)
        .where(AuthToken.user_id == user_id, AuthToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def _check_may_log_in(session: Session, user: User) -> None:
    if user.disabled:
        raise Forbidden("this account is disabled")
    if user.tenant_id is not None:
        state = session.scalar(sa.select(Tenant.state).where(Tenant.id == user.tenant_id))
        if state != TenantState.ACTIVE:
            raise Forbidden("this account's business is deactivated")
