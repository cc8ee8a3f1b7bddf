"""How `comandia-server` splits the appliance's connection budget between its processes."""

from __future__ import annotations

import pytest

from comandia.server.db.sessions import control_pool_size, journal_pool_size
from comandia.server.processes import MIN_SHARE, budget_shares, least_budget


def test_with_the_journal_a_request_process_gets_what_it_uses_and_the_jobs_process_the_rest() -> None:
    shares = budget_shares(40, workers=1, threads=8, ingest="journal")
    assert (shares.request, shares.jobs) == (16, 24)
    # What the request process holds: a journal connection per request thread, its control pool,
    # and the rest for the tenant connections of its API requests.
    assert journal_pool_size(8, shares.request) == 8
    assert shares.request - journal_pool_size(8, shares.request) - control_pool_size(shares.request) == 6


def test_a_request_process_never_gets_more_than_an_equal_share() -> None:
    assert budget_shares(40, workers=2, threads=8, ingest="journal") == budget_shares(40, 2, 8, "direct")
    assert (budget_shares(40, 2, 8, "journal").request, budget_shares(40, 2, 8, "journal").jobs) == (13, 14)
    assert budget_shares(40, workers=1, threads=16, ingest="journal").request == 20  # as before: an equal share


def test_with_direct_ingest_the_shares_are_equal_and_the_jobs_process_takes_what_the_division_leaves() -> None:
    shares = budget_shares(40, workers=1, threads=8, ingest="direct")
    assert (shares.request, shares.jobs) == (20, 20)
    shares = budget_shares(41, workers=2, threads=8, ingest="direct")
    assert (shares.request, shares.jobs) == (13, 15)


@pytest.mark.parametrize("ingest", ["journal", "direct"])
def test_the_shares_never_add_up_to_more_than_the_budget_and_none_is_below_the_least(ingest: str) -> None:
    for workers in range(1, 65):
        for total in range(least_budget(workers), least_budget(workers) + 120, 7):
            for threads in (1, 4, 8, 16, 32):
                shares = budget_shares(total, workers, threads, ingest)
                assert workers * shares.request + shares.jobs <= total
                assert shares.request >= MIN_SHARE and shares.jobs >= shares.request


def test_a_budget_below_a_working_share_each_is_refused() -> None:
    assert least_budget(4) == 40
    with pytest.raises(ValueError, match="below 48"):
        budget_shares(40, workers=5, threads=8, ingest="journal")
