"""The bare probe `webhook_ingest.py` measures COMANDIA against: what Falcon, Waitress and
PostgreSQL alone do with the same signed posts on the same machine in the same run.

Falcon on Waitress (8 threads), the HMAC check on the raw body, a JSON parse, then one
autocommit `INSERT ... ON CONFLICT DO NOTHING` of the message into the database of its
`phone_number_id`, and 200. With one database every post goes to it; with several (one per
tenant, as COMANDIA keeps them) the probe holds at most `--budget` connections across all of
them, reusing an idle one of the post's database, else opening one (closing an idle one of
another database when the budget is spent): the connection churn the fan-out costs.

    python benchmarks/ingest_probe.py --port P --secret S --conninfo C --databases d0,d1,...
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import logging
import random
import threading
from collections import defaultdict
from typing import Any

import falcon
import psycopg
import waitress
from psycopg.conninfo import make_conninfo

TABLE = "CREATE TABLE IF NOT EXISTS probe_inbox (wamid text PRIMARY KEY, sender text NOT NULL, body jsonb NOT NULL)"


class Connections:
    """At most `budget` connections over the databases; idle ones kept per database."""

    def __init__(self, conninfo: str, budget: int) -> None:
        self._conninfo = conninfo
        self._budget = budget
        self._open = 0
        self._idle: dict[str, list[psycopg.Connection[Any]]] = defaultdict(list)
        self._condition = threading.Condition()

    def take(self, database: str) -> psycopg.Connection[Any]:
        with self._condition:
            while True:
                if self._idle[database]:
                    return self._idle[database].pop()
                if self._open < self._budget:
                    self._open += 1
                    break
                others = [d for d, idle in self._idle.items() if idle]
                if others:
                    self._idle[random.choice(others)].pop().close()  # noqa: S311 - load spreading
                    break
                self._condition.wait()
        try:
            return psycopg.connect(make_conninfo(self._conninfo, dbname=database), autocommit=True)
        except BaseException:
            with self._condition:
                self._open -= 1
                self._condition.notify()
            raise

    def give_back(self, database: str, connection: psycopg.Connection[Any], broken: bool) -> None:
        with self._condition:
            if broken:
                connection.close()
                self._open -= 1
            else:
                self._idle[database].append(connection)
            self._condition.notify()


class Webhook:
    def __init__(self, secret: bytes, databases: list[str], connections: Connections) -> None:
        self._secret = secret
        self._databases = databases
        self._connections = connections

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = req.bounded_stream.read(1 << 20)
        expected = "sha256=" + hmac.new(self._secret, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, req.get_header("X-Hub-Signature-256") or ""):
            raise falcon.HTTPUnauthorized()
        value = json.loads(body)["entry"][0]["changes"][0]["value"]
        message = value["messages"][0]
        database = self._databases[int(value["metadata"]["phone_number_id"]) % len(self._databases)]
        connection = self._connections.take(database)
        broken = True
        try:
            connection.execute(
                "INSERT INTO probe_inbox VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                (message["id"], message["from"], json.dumps(message)),
            )
            broken = False
        except psycopg.Error:
            raise falcon.HTTPServiceUnavailable() from None
        finally:
            self._connections.give_back(database, connection, broken)
        resp.text = "ok"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--conninfo", required=True)
    parser.add_argument("--databases", required=True, help="comma-separated; post n goes to databases[n % len]")
    parser.add_argument("--budget", type=int, default=40)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # a full queue is what the load is for
    databases = args.databases.split(",")
    for database in databases:
        with psycopg.connect(make_conninfo(args.conninfo, dbname=database), autocommit=True) as connection:
            connection.execute(TABLE)
    app = falcon.App()
    app.add_route("/webhooks/meta", Webhook(args.secret.encode(), databases, Connections(args.conninfo, args.budget)))
    app.add_route("/readyz", Ready())
    waitress.serve(app, host="127.0.0.1", port=args.port, threads=args.threads, _quiet=True)


class Ready:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.text = "ok"


if __name__ == "__main__":
    main()
