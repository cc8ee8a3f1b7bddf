"""Database servers tenants can be placed on."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from comandia.server.db.cluster import Cluster
from comandia.server.db.control_models import DbServer, Tenant
from comandia.server.db.engines import normalise_url
from comandia.server.db.sessions import Databases
from comandia.server.services import audit
from comandia.shared.domain.errors import Conflict, DomainError, NotFound, ValidationFailed
from comandia.shared.domain.tenants import TenantState
from comandia.shared.i18n import N_
from comandia.shared.schemas.tenants import ServerInfo

PRIMARY = "main"


class ServerService:
    """Args:
    databases: the appliance's databases.
    changed: told a server's id after its pooler changed (every process reconnects its tenants).
    """

    def __init__(self, databases: Databases, changed: Callable[[int], None] = lambda server_id: None) -> None:
        self._db = databases
        self._changed = changed

    def register_primary(self) -> None:
        """Record (or refresh) the server that holds the control database as `main`."""
        sealed = self._db.box.seal(self._db.primary_url.render_as_string(hide_password=False))
        with self._db.control_session() as session:
            server = session.scalar(sa.select(DbServer).where(DbServer.name == PRIMARY))
            if server is None:
                session.add(DbServer(name=PRIMARY, admin_url_sealed=sealed))
            elif self._db.box.open(server.admin_url_sealed) != self._db.primary_url.render_as_string(
                hide_password=False
            ):
                # The embedded cluster's socket path can move with the data directory.
                server.admin_url_sealed = sealed
                self._db.forget_cluster(server.id)
            session.commit()

    def add(self, name: str, url: str, actor: str) -> ServerInfo:
        """Register a server after checking that its role can create databases and roles.

        Raises:
            ValidationFailed: a bad name or URL.
            Conflict: the name is taken.
            Unavailable: the server does not answer.
        """
        if not name or len(name) > 63 or not name.replace("-", "").replace("_", "").isalnum():
            raise ValidationFailed("server name must be 1-63 letters, digits, '-' or '_'", {"name": N_("invalid")})
        try:
            parsed = normalise_url(url)
        except (sa.exc.ArgumentError, ValueError) as error:
            raise ValidationFailed("not a database URL: {reason}", {"url": N_("invalid")}, reason=str(error)) from error
        probe = Cluster(name, parsed, self._db.budget, self._db.options)
        _check_privileges(probe)
        with self._db.control_session() as session:
            if session.scalar(sa.select(DbServer.id).where(DbServer.name == name)) is not None:
                raise Conflict("a database server named '{name}' is already registered", name=name)
            sealed = self._db.box.seal(parsed.render_as_string(hide_password=False))
            server = DbServer(name=name, admin_url_sealed=sealed)
            session.add(server)
            audit.record(session, actor, "server.add", None, name=name)
            session.commit()
        return next(s for s in self.list() if s.name == name)

    def set_accepting(self, name: str, accepts: bool, actor: str) -> ServerInfo:
        """Open or close a server to new tenants (its existing tenants stay where they are)."""
        with self._db.control_session() as session:
            server = session.scalar(sa.select(DbServer).where(DbServer.name == name).with_for_update())
            if server is None:
                raise NotFound("database server '{server}' is not registered", server=name)
            server.accepts_tenants = accepts
            audit.record(session, actor, "server.open" if accepts else "server.drain", None, name=name)
            session.commit()
        return next(s for s in self.list() if s.name == name)

    def set_pooler(self, name: str, url: str | None, actor: str) -> ServerInfo:
        """Reach the server's tenants through the PgBouncer at `url` ("postgresql://host:port"), or
        directly again (None). Every process drops its tenants' pools and reconnects the new way.

        Raises:
            ValidationFailed: `url` is not "postgresql://host[:port]" (no user, password or database:
                tenants log in with their own roles).
            NotFound: no server of that name.
        """
        pooler = _pooler_url(url) if url else None
        with self._db.control_session() as session:
            server = session.scalar(sa.select(DbServer).where(DbServer.name == name).with_for_update())
            if server is None:
                raise NotFound("database server '{server}' is not registered", server=name)
            server.pooler_url = pooler
            server_id = server.id
            audit.record(session, actor, "server.pooler", None, name=name, pooler=pooler)
            session.commit()
        self._db.forget_server(server_id)
        self._changed(server_id)
        return next(s for s in self.list() if s.name == name)

    def list(self, probe: bool = False) -> list[ServerInfo]:
        with self._db.control_session() as session:
            live = sa.func.count(Tenant.id).filter(Tenant.state != TenantState.DELETED)
            rows = session.execute(
                sa.select(DbServer, live)
                .outerjoin(Tenant, Tenant.server_id == DbServer.id)
                .group_by(DbServer.id)
                .order_by(DbServer.id)
            ).all()
            servers = [(s.id, s.name, s.accepts_tenants, count, s.pooler_url) for s, count in rows]
        result = []
        for server_id, name, accepts, count, pooler in servers:
            reachable, version = None, None
            if probe:
                try:
                    version, reachable = self._db.cluster(server_id).version(), True
                except DomainError:
                    reachable = False
            result.append(ServerInfo(server_id, name, int(count), accepts, reachable, version, pooler))
        return result


def _pooler_url(url: str) -> str:
    """`url` as "postgresql://host:port" (PgBouncer's 6432 when no port is given).

    Raises:
        ValidationFailed: not a PostgreSQL URL of a host, or one with a user, password or database.
    """
    try:
        parsed = make_url(url)
    except (sa.exc.ArgumentError, ValueError) as error:
        raise ValidationFailed("not a database URL: {reason}", {"url": N_("invalid")}, reason=str(error)) from error
    if (
        parsed.get_backend_name() not in ("postgresql", "postgres")
        or not parsed.host
        or parsed.username
        or parsed.password
        or parsed.database
    ):
        raise ValidationFailed(
            "a pooler is written postgresql://host:port, with no user, password or database", {"url": N_("invalid")}
        )
    return f"postgresql://{parsed.host}:{parsed.port or 6432}"


def _check_privileges(cluster: Cluster) -> None:
    with cluster.connect() as connection:
        row = connection.execute(
            "SELECT rolsuper OR (rolcreatedb AND rolcreaterole) FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
    if not row or not row[0]:
        raise ValidationFailed(
            "the URL's role must be a superuser or have CREATEDB and CREATEROLE", {"url": N_("insufficient privileges")}
        )
