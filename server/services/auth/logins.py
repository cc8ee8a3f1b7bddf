"""API authentication: logins, opaque bearer tokens, and throttling of failed logins.

Tokens come from `secrets.token_urlsafe(32)` (256 bits) and are stored only as their SHA-256, so
a copy of the control database lets nobody in. Every request re-checks the user and the tenant
(`authenticate`), so disabling a user or deactivating a tenant ends its sessions at once.

Failed logins are counted per user name and per client address (RELIABILITY S6, S17) by
`throttle.LoginThrottle`, atomically and *before* any password is hashed: from the 6th failure
within 30 minutes a key is slowed to one attempt a minute, the rest answered 429 at the cost of
an indexed count (or, for a few seconds after the database refused a key, of nothing: the
process repeats that refusal itself); unknown names and disabled accounts are answered exactly like wrong passwords.
Hashing runs on `hashing.PasswordHashing`'s small bounded pool, never on every server thread.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comandia.server.db.control_models import AuthToken, Tenant, User
from comandia.server.db.sessions import Databases
from comandia.server.services.auth.hashing import PasswordHashing
from comandia.server.services.auth.passwords import needs_rehash
from comandia.server.services.auth.throttle import LoginThrottle, throttle_keys
from comandia.shared.domain.errors import Unauthorized
from comandia.shared.domain.roles import Principal, Role
from comandia.shared.domain.tenants import TenantState
from comandia.shared.domain.times import utcnow
from comandia.shared.schemas.auth import LoginResult
from comandia.shared.schemas.users import UserInfo

# Writing last_used_at on every request would turn each read into a write; a minute is precise
# enough to tell which sessions are alive.
LAST_USED_PRECISION = dt.timedelta(minutes=1)
BAD_CREDENTIALS = "wrong user name or password"


# Built once: every request checks its token (token hash -> user -> tenant, one indexed query).
_TOKEN_CHECK = (
    sa.select(AuthToken.id, AuthToken.last_used_at, User.id, User.username, User.role, User.tenant_id)
    .join(User, User.id == AuthToken.user_id)
    .outerjoin(Tenant, Tenant.id == User.tenant_id)
    .where(
        AuthToken.token_hash == sa.bindparam("digest"),
        AuthToken.revoked_at.is_(None),
        AuthToken.expires_at > sa.bindparam("now"),
        User.disabled.is_(False),
        sa.or_(User.tenant_id.is_(None), Tenant.state == TenantState.ACTIVE),
    )
)


def token_digest(token: str) -> str:
    """The hex SHA-256 under which a token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class AuthService:
    """Issues, checks and revokes API tokens.

    Args:
        databases: the appliance's databases (only the control database is used).
        token_ttl: how long a token works after login.
        clock: returns the current aware UTC instant (tests inject their own).
        hashing: the bounded pool passwords are checked on (shared with `UserService`).
        throttle: the failed-attempt counts (shared with `UserService`).
    """

    def __init__(
        self,
        databases: Databases,
        token_ttl: dt.timedelta,
        clock: Callable[[], dt.datetime] = utcnow,
        hashing: PasswordHashing | None = None,
        throttle: LoginThrottle | None = None,
    ) -> None:
        self._db = databases
        self._ttl = token_ttl
        self._clock = clock
        self._hashing = hashing or PasswordHashing()
        self._throttle = throttle or LoginThrottle(databases)

    def login(self, username: str, password: str, address: str) -> LoginResult:
        """Check a user's password and issue a new token.

        Args:
            username: as typed (matched case-insensitively).
            password: as typed.
            address: the client's address, for per-address throttling.

        Raises:
            TooManyRequests: over the limit for this name or this address and tried within the
                minute, or the hashing pool is full.
            Unauthorized: unknown user, wrong password, disabled user or a user of a deactivated
                tenant (one answer for all: a 403 for the right password would tell a guesser
                that the password was right).
        """
        now = self._clock()
        wanted = username.strip().lower()
        keys = throttle_keys(wanted, address)
        # A key the database already slowed is refused here, before the pool and the database;
        # then the pool's place: a storm it refuses costs no failure row in the database (L3).
        self._throttle.refuse_if_remembered(keys, now)
        with self._hashing.reserve() as verify:
            attempt = self._throttle.admit(keys, now)
            with self._db.control_session() as session:
                found = session.execute(
                    sa.select(User.id, User.password_hash, User.disabled, Tenant.state)
                    .outerjoin(Tenant, Tenant.id == User.tenant_id)
                    .where(sa.func.lower(User.username) == wanted)
                ).first()
            # Hashing takes 20-100 ms: no connection is held meanwhile, so a login storm cannot
            # starve the small control pool every other request authenticates through (L3).
            user_id, stored, disabled, state = found if found else (None, None, False, None)
            right = verify(stored, password)
        # A disabled account, or one of a deactivated tenant, is checked like any other and
        # answered like a wrong password, so the answer never tells a guesser that the password
        # was right.
        shut = disabled or state not in (None, TenantState.ACTIVE)
        if not right or user_id is None or shut:
            raise Unauthorized(BAD_CREDENTIALS)  # the attempt stays recorded as a failure
        with self._db.control_session() as session:
            user = session.get(User, user_id)
            if user is None or user.disabled:  # deleted or disabled between the two transactions
                raise Unauthorized(BAD_CREDENTIALS)
            _check_may_log_in(session, user)
            if needs_rehash(user.password_hash):
                user.password_hash = self._hashing.hash(password)
            token = secrets.token_urlsafe(32)
            expires_at = now + self._ttl
            session.add(
                AuthToken(token_hash=token_digest(token), user_id=user.id, created_at=now, expires_at=expires_at)
            )
            session.commit()
            info = UserInfo(user.id, user.username, user.role, user.tenant_id, user.disabled)
        self._throttle.succeeded(attempt, clear_key=keys[0])
        return LoginResult(token=token, expires_at=expires_at, user=info)

    def forget_refusals(self) -> None:
        """Forget the refusals this process repeats without the database (after a bulk unlock)."""
        self._throttle.forget_refusals()

    def authenticate(self, token: str) -> Principal:
        """The principal a bearer token acts for, checked against the user and tenant right now.

        One indexed query (token hash -> user -> tenant); `last_used_at` is written at most once
        a minute.

        Raises:
            Unauthorized: unknown, expired or revoked token, disabled user, or inactive tenant.
        """
        now = self._clock()
        with self._db.control_session() as session:
            # Every request runs this: in autocommit the check is one round trip, not three
            # (BEGIN, SELECT, ROLLBACK); one statement sees one snapshot either way.
            connection = session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            row = connection.execute(_TOKEN_CHECK, {"digest": token_digest(token), "now": now}).one_or_none()
            if row is None:
                raise Unauthorized("the token is missing, expired or revoked; log in again")
            token_id, last_used, user_id, name, role, tenant_id = row
            if last_used is None or now - last_used > LAST_USED_PRECISION:
                connection.execute(sa.update(AuthToken).where(AuthToken.id == token_id).values(last_used_at=now))
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


def revoke_user_tokens(session: Session, user_id: int, now: dt.datetime) -> None:
    """Revoke every live token of a user, in the caller's transaction (disable, password change)."""
    session.execute(
        sa.update(AuthToken).where(AuthToken.user_id == user_id, AuthToken.revoked_at.is_(None)).values(revoked_at=now)
    )


def _check_may_log_in(session: Session, user: User) -> None:
    if user.tenant_id is not None:
        state = session.scalar(sa.select(Tenant.state).where(Tenant.id == user.tenant_id))
        if state != TenantState.ACTIVE:
            raise Unauthorized(BAD_CREDENTIALS)  # deactivated between the two transactions
