"""Tenants and where they live: provisioning, database servers, migrations, bot settings.

Entry points: `tenants.TenantService` (create, list, deactivate, reactivate, delete),
`servers.ServerService` (the PostgreSQL servers tenants are placed on),
`migrations.MigrationService` (everything to head), `settings.TenantSettingsService`
(language, delivery fee, text overrides) and `contexts.TenantContexts` (each tenant's facts, the
one cache every other service reads them from).
May import: `server.db`, `server.chat` (the bot's texts and context type), `services.audit`, `shared`.
"""
