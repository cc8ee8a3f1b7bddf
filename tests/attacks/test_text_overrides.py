"""Issue 14, finding 6: a manager's bot text that would allocate gigabytes (`{business:>1000000000}`)
is refused when saved (422 naming the field), and a stored one falls back to the built-in text
instead of being rendered; only plain `{field}` placeholders exist, and output is capped."""

from __future__ import annotations

import time
import tracemalloc

import pytest
import requests

from comandia.server.chat.model import TenantContext
from comandia.server.chat.texts import MAX_RENDERED, Texts
from tests.plugins.api import World

HOSTILE = [
    "{business:>1000000000}",
    "{business!r}",
    "{business.__class__}",
    "{0}",
    "{business:{example}}",
    "{business[0]}",
    "{business:,}",
]


@pytest.mark.parametrize("template", HOSTILE)
def test_a_hostile_override_is_refused_when_saved(api_url: str, world: World, template: str) -> None:
    answer = requests.patch(
        f"{api_url}/api/v1/tenants/{world.tenant_a.id}/settings",
        json={"texts": {"greeting": f"Hola {template}"}},
        timeout=30,
        headers={"Authorization": f"Bearer {world.manager_a.token}"},
    )
    assert answer.status_code == 422, answer.text
    assert "texts.greeting" in answer.text


@pytest.mark.parametrize("template", HOSTILE)
def test_a_hostile_override_already_stored_renders_the_built_in_text_cheaply(template: str) -> None:
    tenant = TenantContext(
        tenant_id="t",
        business_name="Tacos Doña Ana",
        locale="es",
        currency="MXN",
        timezone="America/Mexico_City",
        text_overrides={"greeting": f"Hola {template}"},
    )
    tracemalloc.start()
    started = time.perf_counter()
    text = Texts(tenant)("greeting", business=tenant.business_name, example="tacos")
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert text.startswith("¡Hola! Bienvenido a *Tacos Doña Ana*")
    assert seconds < 0.5 and peak < 1_000_000


def test_plain_placeholders_still_work_and_the_output_is_capped() -> None:
    context = TenantContext(
        tenant_id="t",
        business_name="Ana",
        locale="es",
        currency="MXN",
        timezone="America/Mexico_City",
        text_overrides={"greeting": "Hola de {business}!"},
    )
    assert Texts(context)("greeting", business="Ana", example="x") == "Hola de Ana!"
    long = TenantContext(
        tenant_id="t",
        business_name="Ana",
        locale="es",
        currency="MXN",
        timezone="America/Mexico_City",
        text_overrides={"greeting": "{business}" * 500},
    )
    rendered = Texts(long)("greeting", business="B" * 100, example="x")
    assert len(rendered) <= MAX_RENDERED and rendered.startswith("¡Hola!")
