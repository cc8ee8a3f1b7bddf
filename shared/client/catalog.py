"""`/api/v1/tenants/{tenant_id}/categories`, `/products` and the catalog import."""

from __future__ import annotations

from comandia.shared.client.transport import Transport
from comandia.shared.schemas.catalog import (
    CategoryInfo,
    CategoryInput,
    CategoryList,
    ImportReport,
    ProductAvailability,
    ProductInfo,
    ProductInput,
    ProductList,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CatalogApi:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def list_categories(self, tenant_id: str) -> list[CategoryInfo]:
        data = self._t.get_json(f"/api/v1/tenants/{tenant_id}/categories")
        return list(CategoryList.from_json(data).items)

    def create_category(self, tenant_id: str, data: CategoryInput) -> CategoryInfo:
        return CategoryInfo.from_json(
            self._t.send_json("POST", f"/api/v1/tenants/{tenant_id}/categories", data.to_json())
        )

    def update_category(self, tenant_id: str, category_id: int, data: CategoryInput) -> CategoryInfo:
        path = f"/api/v1/tenants/{tenant_id}/categories/{category_id}"
        return CategoryInfo.from_json(self._t.send_json("PUT", path, data.to_json()))

    def delete_category(self, tenant_id: str, category_id: int) -> None:
        self._t.send_json("DELETE", f"/api/v1/tenants/{tenant_id}/categories/{category_id}")

    def list_products(
        self,
        tenant_id: str,
        category_id: int | None = None,
        available_only: bool = False,
        text: str | None = None,
    ) -> list[ProductInfo]:
        params = {"category_id": category_id, "available": "true" if available_only else None, "q": text}
        data = self._t.get_json(f"/api/v1/tenants/{tenant_id}/products", params)
        return list(ProductList.from_json(data).items)

    def get_product(self, tenant_id: str, product_id: int) -> ProductInfo:
        return ProductInfo.from_json(self._t.get_json(f"/api/v1/tenants/{tenant_id}/products/{product_id}"))

    def create_product(self, tenant_id: str, data: ProductInput) -> ProductInfo:
        return ProductInfo.from_json(self._t.send_json("POST", f"/api/v1/tenants/{tenant_id}/products", data.to_json()))

    def update_product(self, tenant_id: str, product_id: int, data: ProductInput) -> ProductInfo:
        path = f"/api/v1/tenants/{tenant_id}/products/{product_id}"
        return ProductInfo.from_json(self._t.send_json("PUT", path, data.to_json()))

    def set_available(self, tenant_id: str, product_id: int, available: bool) -> ProductInfo:
        """Mark a product sold out (False) or back on sale (True); nothing else changes."""
        path = f"/api/v1/tenants/{tenant_id}/products/{product_id}/availability"
        return ProductInfo.from_json(self._t.send_json("PUT", path, ProductAvailability(available).to_json()))

    def delete_product(self, tenant_id: str, product_id: int) -> None:
        self._t.send_json("DELETE", f"/api/v1/tenants/{tenant_id}/products/{product_id}")

    def import_file(self, tenant_id: str, content: bytes, xlsx: bool = False, dry_run: bool = True) -> ImportReport:
        """Upload a catalog file; a dry run reports per row, otherwise all rows apply or none.

        Raises:
            ValidationError: (apply) the file or some rows are invalid; `fields` names them.
        """
        response = self._t.request(
            "POST",
            f"/api/v1/tenants/{tenant_id}/catalog/import",
            params={"dry_run": "true" if dry_run else None},
            data=content,
            headers={"Content-Type": XLSX if xlsx else "text/csv"},
        )
        return ImportReport.from_json(response.json())

    def import_template(self, tenant_id: str) -> bytes:
        """The CSV template to fill in."""
        return self._t.request("GET", f"/api/v1/tenants/{tenant_id}/catalog/import/template").content
