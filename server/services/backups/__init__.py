"""Copies of tenant databases and of the control database: backups, restore checks, restores, moves.

Entry points: `backups.BackupService` (run, list, prune, verify, restore) and `moves.MoveService`
(a tenant's database to another registered server, proved by the same table digests).
May import: `server.db`, `services.tenancy`, `services.audit`, `shared`.
"""
