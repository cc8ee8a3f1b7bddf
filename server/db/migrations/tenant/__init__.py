"""Tenant database migrations (applied to the template and to every tenant)."""
