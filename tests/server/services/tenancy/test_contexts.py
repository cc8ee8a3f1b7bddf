"""One cache of each tenant's facts: every reader sees a settings change, a deactivation or a
deletion at once, and another process's change within the cache's time to live."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from comandia.server.db.control_models import Tenant
from comandia.server.services.tenancy.contexts import TenantContexts
from comandia.server.wiring import Runtime
from comandia.shared.domain.errors import NotFound
from comandia.shared.domain.tenants import TenantState
from comandia.shared.schemas.tenants import TenantSettingsChange
from tests.plugins.tenants import MakeTenant


def test_a_settings_change_reaches_the_bot_at_once(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    contexts = runtime.services.contexts
    assert contexts.get(tenant.id).delivery_fee == Decimal("0.00")
    runtime.services.tenant_settings.update(tenant.id, "tests", TenantSettingsChange(delivery_fee="35", locale="en"))
    context = contexts.get(tenant.id)
    assert (context.delivery_fee, context.locale) == (Decimal("35.00"), "en")


def test_deactivation_reactivation_and_deletion_are_seen_at_once(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    contexts = runtime.services.contexts
    assert contexts.state(tenant.id) == TenantState.ACTIVE
    runtime.tenants.deactivate(tenant.id, actor="tests")
    assert contexts.state(tenant.id) == TenantState.INACTIVE
    runtime.tenants.reactivate(tenant.id, actor="tests")
    assert contexts.state(tenant.id) == TenantState.ACTIVE
    runtime.tenants.delete(tenant.id, actor="tests", keep_backup=False)
    with pytest.raises(NotFound):
        contexts.get(tenant.id)


def test_another_processs_change_is_seen_once_the_entry_is_old(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant()
    cached, fresh = TenantContexts(runtime.databases, ttl=3600), TenantContexts(runtime.databases, ttl=0)
    assert cached.get(tenant.id).business_name == fresh.get(tenant.id).business_name == tenant.name
    with runtime.databases.control_session() as session:  # as another appliance process would
        session.execute(sa.update(Tenant).where(Tenant.id == tenant.id).values(name="Renombrada"))
        session.commit()
    assert cached.get(tenant.id).business_name == tenant.name
    assert fresh.get(tenant.id).business_name == "Renombrada"


def test_the_kpis_take_the_tenants_zone_and_currency_from_it(runtime: Runtime, make_tenant: MakeTenant) -> None:
    tenant = make_tenant(timezone="America/Bogota", currency="COP")
    assert runtime.services.kpis.zone(tenant.id) == "America/Bogota"
    assert runtime.services.contexts.get(tenant.id).currency == "COP"
