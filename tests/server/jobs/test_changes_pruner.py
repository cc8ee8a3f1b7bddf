"""The changes feed keeps about two days: older entries are pruned, and a reader that far behind
is told to reload (`reset`) rather than handed a feed with a hole in it."""

from __future__ import annotations

import time

import sqlalchemy as sa

from comandia.server.jobs.changes_pruner import ChangesPruner
from comandia.server.services.messaging import changes
from comandia.server.services.messaging.changes import ChangeFeed
from tests.plugins.messaging import Messaging


def test_old_changes_are_pruned_and_a_reader_behind_them_reloads(messaging: Messaging) -> None:
    m = messaging
    feed = ChangeFeed(m.runtime.databases)
    with m.runtime.databases.tenant_session(m.tenant.id) as session:
        for n in range(3):
            changes.append(session, "order", str(n), "new")
        session.commit()
    with m.runtime.databases.tenant_session(m.tenant.id) as session:
        session.execute(sa.text("UPDATE changes SET at = now() - interval '3 days' WHERE ref IN ('0', '1')"))
        changes.append(session, "order", "3", "new")
        session.commit()
    pruner = ChangesPruner(feed, lambda: [m.tenant.id], every_seconds=0.05)
    pruner.start()
    deadline = time.monotonic() + 10
    while m.rows(m.tenant.id, "SELECT count(*) FROM changes")[0][0] != 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    pruner.stop()
    assert [r[0] for r in m.rows(m.tenant.id, "SELECT ref FROM changes ORDER BY id")] == ["2", "3"]
    assert feed.since(m.tenant.id, 0).reset  # entries 1 and 2 are gone: reload
    assert [c.ref for c in feed.since(m.tenant.id, 2).items] == ["2", "3"]
