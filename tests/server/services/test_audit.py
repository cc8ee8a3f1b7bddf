"""The audit log's days are the appliance's (its time zone), not UTC's nor the reader's computer's."""

from __future__ import annotations

import secrets

from comandia.server.services.audit import AuditService
from comandia.server.wiring import Runtime
from comandia.shared.domain.times import to_local, utcnow
from comandia.shared.schemas.audit import AuditQuery


def test_a_day_filter_is_a_day_of_the_appliances_time_zone(runtime: Runtime) -> None:
    # A zone whose date differs from UTC's right now (UTC+14 late in the UTC day, UTC-11 early).
    zone = "Pacific/Kiritimati" if utcnow().hour >= 10 else "Pacific/Pago_Pago"
    audit = AuditService(runtime.databases, zone)
    actor = f"aud-{secrets.token_hex(3)}"
    audit.write(actor, "test.day")
    local_today, utc_today = to_local(utcnow(), zone).date(), utcnow().date()
    assert local_today != utc_today
    page = audit.list(AuditQuery(actor=actor, first_day=local_today, last_day=local_today))
    assert [e.action for e in page.items] == ["test.day"] and page.timezone == zone
    assert audit.list(AuditQuery(actor=actor, first_day=utc_today, last_day=utc_today)).items == ()


def test_the_composition_root_gives_the_log_the_appliances_zone(runtime: Runtime) -> None:
    assert runtime.services.audit.list(AuditQuery(limit=1)).timezone == runtime.config.timezone
