"""Tenants and where they live: provisioning, database servers, migrations, bot settings.

Entry points: `tenants.TenantService` (create, list, deactivate, reactivate, delete),
`servers.ServerService` (the PostgreSQL servers tenants are placed on),
`migrations.MigrationService` (everything to head) and `settings.TenantSettingsService`
(language, delivery fee, text overrides).
May import: `server.db`, `server.chat` (the bot's texts and context type), `services.audit`, `shared`.
"""
