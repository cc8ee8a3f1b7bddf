"""Orders: place, edit while new, move through the status machine, read and search.

Entry point: `orders.OrderService`; its `on_change` hooks (KPI rollups, customer notices) run in
the order's own transaction. `pricing` prices lines from the catalog and reserves stock;
`search` is the keyset-paged order list.
May import: `server.db`, `services.pages`, `shared`.
"""
