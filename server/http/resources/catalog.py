"""`/api/v1/tenants/{tenant_id}/categories` and `/products`: the catalog of one tenant."""

from __future__ import annotations

import falcon

from comandia.server.http.answers import created
from comandia.server.http.auth import access_tenant
from comandia.server.http.bodies import path_id, query_flag, query_int, query_text, read_body
from comandia.server.services.catalog.catalog import CatalogService
from comandia.shared.schemas.catalog import (
    CategoryInput,
    CategoryList,
    ProductAvailability,
    ProductInput,
    ProductList,
)


class CategoryCollection:
    def __init__(self, catalog: CatalogService) -> None:
        self._catalog = catalog

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        access_tenant(req, tenant_id)
        resp.media = CategoryList(tuple(self._catalog.list_categories(tenant_id))).to_json()

    def on_post(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        access_tenant(req, tenant_id, write=True)
        data = read_body(req, CategoryInput)
        category = self._catalog.create_category(tenant_id, data)
        created(resp, f"{req.path}/{category.id}", category)


class CategoryItem:
    def __init__(self, catalog: CatalogService) -> None:
        self._catalog = catalog

    def on_put(self, req: falcon.Request, resp: falcon.Response, tenant_id: str, category_id: str) -> None:
        access_tenant(req, tenant_id, write=True)
        data = read_body(req, CategoryInput)
        resp.media = self._catalog.update_category(tenant_id, path_id(category_id, "category"), data).to_json()

    def on_delete(self, req: falcon.Request, resp: falcon.Response, tenant_id: str, category_id: str) -> None:
        access_tenant(req, tenant_id, write=True)
        self._catalog.delete_category(tenant_id, path_id(category_id, "category"))
        resp.status = falcon.HTTP_204


class ProductCollection:
    def __init__(self, catalog: CatalogService) -> None:
        self._catalog = catalog

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        """?category_id=, ?available=true, ?q= (SKU or name)."""
        access_tenant(req, tenant_id)
        products = self._catalog.list_products(
            tenant_id,
            category_id=query_int(req, "category_id"),
            available_only=query_flag(req, "available"),
            text=query_text(req, "q"),
        )
        resp.media = ProductList(tuple(products)).to_json()

    def on_post(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        access_tenant(req, tenant_id, write=True)
        data = read_body(req, ProductInput)
        product = self._catalog.create_product(tenant_id, data)
        created(resp, f"{req.path}/{product.id}", product)


class ProductItem:
    def __init__(self, catalog: CatalogService) -> None:
        self._catalog = catalog

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str, product_id: str) -> None:
        access_tenant(req, tenant_id)
        resp.media = self._catalog.get_product(tenant_id, path_id(product_id, "product")).to_json()

    def on_put(self, req: falcon.Request, resp: falcon.Response, tenant_id: str, product_id: str) -> None:
        access_tenant(req, tenant_id, write=True)
        data = read_body(req, ProductInput)
        resp.media = self._catalog.update_product(tenant_id, path_id(product_id, "product"), data).to_json()

    def on_delete(self, req: falcon.Request, resp: falcon.Response, tenant_id: str, product_id: str) -> None:
        access_tenant(req, tenant_id, write=True)
        self._catalog.delete_product(tenant_id, path_id(product_id, "product"))
        resp.status = falcon.HTTP_204


class ProductAvailabilityItem:
    """`PUT .../products/{product_id}/availability`: sold out, or back on sale, in one click."""

    def __init__(self, catalog: CatalogService) -> None:
        self._catalog = catalog

    def on_put(self, req: falcon.Request, resp: falcon.Response, tenant_id: str, product_id: str) -> None:
        access_tenant(req, tenant_id, write=True)
        data = read_body(req, ProductAvailability)
        resp.media = self._catalog.set_available(tenant_id, path_id(product_id, "product"), data.available).to_json()
