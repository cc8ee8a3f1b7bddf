"""Use cases, in one package per noun. They never import falcon; callers own nothing but arguments.

The packages, from the bottom up (an import-linter contract in pyproject.toml holds this order):

    pages, audit                      keyset pages; the audit log every admin action writes
    tenancy                           tenants, their servers, settings, migrations, and the one
                                      cache of each tenant's facts (`tenancy.contexts`)
    auth, catalog, customers,         logins and users; the menu; customers; orders; KPIs and
    orders, kpis                      exports
    backups, messaging                copies of tenant databases (backup, restore, move); WhatsApp
    bundle                            the `Services` the composition root hands to the edges
    demo_chats                        demo customers' WhatsApp chats, through the real webhook and inbox
    demo                              demo tenants with months of orders, made through `Services`

A package imports only packages below it, never a sibling on its own row. Each package's
docstring names its entry points. `customers` and `audit` are single modules: one noun, one file.
"""
