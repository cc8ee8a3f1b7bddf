"""`/api/v1/tenants/{tenant_id}/customers`: the customers of one tenant."""

from __future__ import annotations

import falcon

from comandia.server.http.answers import created
from comandia.server.http.auth import access_tenant
from comandia.server.http.bodies import path_id, query_int, query_text, read_body
from comandia.server.services.customers import CustomerService
from comandia.shared.schemas.customers import CustomerInput


class CustomerCollection:
    def __init__(self, customers: CustomerService) -> None:
        self._customers = customers

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        """?q= (name, phone or city), ?limit=, ?cursor= (from the previous page's next_cursor)."""
        access_tenant(req, tenant_id)
        page = self._customers.list(
            tenant_id,
            text=query_text(req, "q"),
            limit=query_int(req, "limit"),
            cursor=query_text(req, "cursor", max_len=500),
        )
        resp.media = page.to_json()

    def on_post(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        access_tenant(req, tenant_id, write=True)
        customer = self._customers.create(tenant_id, read_body(req, CustomerInput))
        created(resp, f"{req.path}/{customer.id}", customer)


class CustomerItem:
    def __init__(self, customers: CustomerService) -> None:
        self._customers = customers

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str, customer_id: str) -> None:
        access_tenant(req, tenant_id)
        resp.media = self._customers.get(tenant_id, path_id(customer_id, "customer")).to_json()

    def on_put(self, req: falcon.Request, resp: falcon.Response, tenant_id: str, customer_id: str) -> None:
        access_tenant(req, tenant_id, write=True)
        data = read_body(req, CustomerInput)
        resp.media = self._customers.update(tenant_id, path_id(customer_id, "customer"), data).to_json()

    def on_delete(self, req: falcon.Request, resp: falcon.Response, tenant_id: str, customer_id: str) -> None:
        access_tenant(req, tenant_id, write=True)
        self._customers.delete(tenant_id, path_id(customer_id, "customer"))
        resp.status = falcon.HTTP_204
