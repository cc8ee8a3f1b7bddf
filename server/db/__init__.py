"""Databases: the control database, one database per tenant, and the servers they live on."""
