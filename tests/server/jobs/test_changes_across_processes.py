"""Several server processes stay in step: a change made by one (or by comandia-admin) reaches the
others' caches at once through LISTEN/NOTIFY, and a number added a moment ago is never unknown."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from comandia.server.db.control_models import Tenant
from comandia.server.jobs.changes import ChangeListener
from comandia.server.services.messaging.directory import MISS_RELOAD_SECONDS, NumberDirectory, endpoints_for
from comandia.server.services.messaging.numbers import NewNumber
from comandia.server.wiring import Runtime, open_runtime
from comandia.shared.domain.tenants import TenantState
from comandia.shared.schemas.tenants import TenantInfo, TenantSettingsChange
from tests.waiting import eventually


@pytest.fixture
def other(runtime: Runtime) -> Iterator[Runtime]:
    """A second server process's object graph on the same control database, listening."""
    process = open_runtime(runtime.config)
    listener = next(job for job in process.jobs if isinstance(job, ChangeListener))
    listener.start()
    try:
        assert eventually(lambda: listener.listening)
        yield process
    finally:
        listener.stop()
        process.close()


def greeting(process: Runtime, tenant_id: str) -> str | None:
    return process.services.contexts.get(tenant_id).text_overrides.get("greeting")


def test_a_settings_change_in_one_process_reaches_the_others_cache_at_once(
    runtime: Runtime, other: Runtime, make_tenant: Callable[..., TenantInfo]
) -> None:
    tenant = make_tenant()
    assert greeting(other, tenant.id) is None  # now cached there for 30 s
    runtime.services.tenant_settings.update(
        tenant.id, "tests", TenantSettingsChange(texts={"greeting": "¡Qué onda! Soy {business}."})
    )
    assert eventually(lambda: greeting(other, tenant.id) == "¡Qué onda! Soy {business}.", 2.0)


def test_a_tenant_deactivated_by_one_process_is_inactive_in_the_others(
    runtime: Runtime, other: Runtime, make_tenant: Callable[..., TenantInfo]
) -> None:
    tenant = make_tenant()
    assert other.services.contexts.state(tenant.id) == TenantState.ACTIVE
    runtime.tenants.deactivate(tenant.id, actor="tests")
    assert eventually(lambda: other.services.contexts.state(tenant.id) == TenantState.INACTIVE, 2.0)


def test_a_listener_that_lost_its_connection_drops_its_caches_and_tenant_pools_when_it_is_back(
    runtime: Runtime, other: Runtime, make_tenant: Callable[..., TenantInfo]
) -> None:
    tenant = make_tenant()
    assert other.services.contexts.get(tenant.id).business_name == tenant.name
    # A pool of the tenant's: had it moved or been deactivated unheard, this pool would write to the old place.
    other.databases.tenant_engines.get(tenant.id)
    assert len(other.databases.tenant_engines) == 1
    with runtime.databases.control_session() as session:  # a change nobody announces
        session.execute(sa.update(Tenant).where(Tenant.id == tenant.id).values(name="Renombrado sin aviso"))
        # The listener's own connection goes away: whatever was announced meanwhile is lost.
        session.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'comandia-changes' AND datname = current_database()"
            )
        )
        session.commit()
    assert eventually(lambda: other.services.contexts.get(tenant.id).business_name == "Renombrado sin aviso", 5.0)
    assert len(other.databases.tenant_engines) == 0


class CountingDirectory(NumberDirectory):
    loads = 0

    def _load(self):  # type: ignore[no-untyped-def]
        self.loads += 1
        return super()._load()


def test_a_number_added_a_moment_ago_is_found_and_unknown_numbers_cannot_force_a_reload_each(
    runtime: Runtime, make_tenant: Callable[..., TenantInfo]
) -> None:
    now = [1000.0]
    directory = CountingDirectory(runtime.databases, endpoints_for(runtime.config), ttl=3600.0, clock=lambda: now[0])
    e164 = "+1555" + str(secrets.randbelow(10**7)).zfill(7)
    assert directory.by_e164(e164) is None
    # Added by another process (comandia-admin) that this directory did not hear about.
    runtime.services.numbers.add(
        make_tenant().id,
        NewNumber(
            provider="twilio", e164=e164, account_sid="AC" + secrets.token_hex(16), auth_token=secrets.token_hex(16)
        ),
        actor="tests",
    )
    loads = directory.loads
    for _ in range(200):  # a flood of posts naming numbers nobody has, in the same instant
        assert directory.by_e164("+15550000000") is None
    assert directory.loads == loads  # the map is younger than MISS_RELOAD_SECONDS: no reload
    now[0] += MISS_RELOAD_SECONDS
    found = directory.by_e164(e164)
    assert found is not None and found.info.e164 == e164
    assert directory.loads == loads + 1


class SlowDirectory(NumberDirectory):
    """Its loads wait for `go` once `hold` is set, so a test can look at the map mid-load."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.loads = 0
        self.hold, self.go, self.loading = threading.Event(), threading.Event(), threading.Event()

    def _load(self):  # type: ignore[no-untyped-def]
        self.loads += 1
        if self.hold.is_set():
            self.loading.set()
            assert self.go.wait(10)
        return super()._load()


def test_an_old_map_is_loaded_by_one_thread_while_the_others_go_on_with_it(
    runtime: Runtime, make_tenant: Callable[..., TenantInfo]
) -> None:
    now = [1000.0]
    directory = SlowDirectory(runtime.databases, endpoints_for(runtime.config), ttl=60.0, clock=lambda: now[0])
    e164 = "+1555" + str(secrets.randbelow(10**7)).zfill(7)
    runtime.services.numbers.add(
        make_tenant().id,
        NewNumber(
            provider="twilio", e164=e164, account_sid="AC" + secrets.token_hex(16), auth_token=secrets.token_hex(16)
        ),
        actor="tests",
    )
    assert directory.by_e164(e164) is not None and directory.loads == 1
    now[0] += 61.0  # the map is old; nothing was announced
    directory.hold.set()
    loader = threading.Thread(target=directory.by_e164, args=(e164,))
    loader.start()
    try:
        assert directory.loading.wait(10)
        # The other request threads neither wait for that load nor start loads of their own.
        for _ in range(50):
            assert directory.by_e164(e164) is not None
        assert directory.loads == 2
    finally:
        directory.go.set()
        loader.join(10)
    assert directory.by_e164(e164) is not None and directory.loads == 2


def test_a_load_that_began_before_a_change_was_announced_is_not_kept(
    runtime: Runtime, make_tenant: Callable[..., TenantInfo]
) -> None:
    directory = SlowDirectory(runtime.databases, endpoints_for(runtime.config))
    directory.hold.set()
    loader = threading.Thread(target=directory.tenant_ids)
    loader.start()
    try:
        assert directory.loading.wait(10)
        directory.forget()  # a change announced while the map was being read
    finally:
        directory.go.set()
        loader.join(10)
    assert directory.loads == 2  # read again, since the first read may be from before the change
