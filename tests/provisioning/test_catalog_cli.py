"""`comandia-admin catalog`: list with aliases, template, a dry run that reports, apply, aliases."""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from comandia.provisioning.commands import catalog
from comandia.provisioning.output import Output
from comandia.server.wiring import Runtime
from comandia.shared.domain.errors import NotFound, ValidationFailed
from comandia.shared.schemas.catalog import ProductInput
from comandia.shared.schemas.tenants import TenantInfo

pytestmark = pytest.mark.usefixtures("release_tenant_connections")


def run(runtime: Runtime, *argv: str, as_json: bool = True) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    catalog.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["catalog", *argv])
    buffer = io.StringIO()
    code = args.handler(runtime, args, Output(as_json, stdout=buffer, stderr=io.StringIO(), language="en"))
    return code, buffer.getvalue()


def test_template_import_and_list_show_aliases(
    runtime: Runtime, make_tenant: Callable[..., TenantInfo], tmp_path: Path
) -> None:
    tenant = make_tenant()
    template = tmp_path / "plantilla.xlsx"
    assert run(runtime, "template", "--out", str(template))[0] == 0
    code, out = run(runtime, "import", tenant.id, str(template))
    assert code == 0 and json.loads(out)["applied"] is False and json.loads(out)["created"] == 2
    assert runtime.services.catalog.list_products(tenant.id) == []
    code, out = run(runtime, "import", tenant.id, str(template), "--apply")
    assert code == 0 and json.loads(out)["applied"] is True
    code, out = run(runtime, "list", tenant.id)
    listed = {p["sku"]: p["aliases"] for p in json.loads(out)}
    assert listed == {"TACO-01": ["pastor", "taco de trompo"], "REF-600": ["refresco", "soda"]}
    code, out = run(runtime, "list", tenant.id, as_json=False)
    assert "pastor | taco de trompo" in out


def test_a_file_with_problems_exits_1_and_names_them(
    runtime: Runtime, make_tenant: Callable[..., TenantInfo], tmp_path: Path
) -> None:
    tenant = make_tenant()
    runtime.services.catalog.create_product(
        tenant.id, ProductInput(sku="COCA", name="Coca-Cola", price=Decimal(25), aliases=("coca",))
    )
    bad = tmp_path / "menu.csv"
    bad.write_text("sku,name,price,aliases\r\nPEPSI,Pepsi,24,COCA\r\n", encoding="utf-8")
    code, out = run(runtime, "import", tenant.id, str(bad), "--apply", as_json=False)
    assert code == 1 and "«Coca-Cola» (COCA)" in " ".join(out.split()) and "nothing applied" in out
    assert [p.sku for p in runtime.services.catalog.list_products(tenant.id)] == ["COCA"]
    with pytest.raises(ValidationFailed):
        run(runtime, "import", tenant.id, str(tmp_path / "missing.csv"))


def test_aliases_set_add_remove_clear(runtime: Runtime, make_tenant: Callable[..., TenantInfo]) -> None:
    tenant = make_tenant()
    catalog_service = runtime.services.catalog
    catalog_service.create_product(tenant.id, ProductInput(sku="COCA", name="Coca-Cola", price=Decimal(25)))
    catalog_service.create_product(tenant.id, ProductInput(sku="AGUA", name="Agua", price=Decimal(15)))

    def aliases(*argv: str) -> list[str]:
        code, out = run(runtime, "aliases", tenant.id, "COCA", *argv)
        assert code == 0
        return list(json.loads(out)["aliases"])

    assert aliases() == []
    assert aliases("--set", "coca", "coke") == ["coca", "coke"]
    assert aliases("--add", "cocacola", "COKE") == ["coca", "coke", "cocacola"]
    assert aliases("--remove", "Coke") == ["coca", "cocacola"]
    with pytest.raises(ValidationFailed) as caught:
        aliases("--add", "agua")
    assert caught.value.fields == {"aliases[2]": "«agua» is already a name or alias of product «Agua» (AGUA)"}
    assert aliases("--clear") == []
    code, out = run(runtime, "aliases", tenant.id, "COCA", "--set", "coca", as_json=False)
    assert out.strip() == "COCA Coca-Cola: coca"


def test_sold_out_and_back(runtime: Runtime, make_tenant: Callable[..., TenantInfo]) -> None:
    tenant = make_tenant()
    runtime.services.catalog.create_product(tenant.id, ProductInput(sku="FLAN", name="Flan", price=Decimal(30)))
    code, out = run(runtime, "sold-out", tenant.id, "FLAN", as_json=False)
    assert code == 0 and out.strip() == "FLAN Flan: sold out"
    assert not runtime.services.catalog.get_product_by_sku(tenant.id, "FLAN").available
    code, out = run(runtime, "available", tenant.id, "FLAN")
    assert code == 0 and json.loads(out)["available"] is True
    with pytest.raises(NotFound):
        run(runtime, "sold-out", tenant.id, "NOPE")
