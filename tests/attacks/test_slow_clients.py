"""Issue 14, finding 1 (S16): slow clients through the supported deployment, the REAL nginx.

About 100 idle TCP connections, or one header line every 5 s per connection, stopped Waitress
(a fixed pool of threads) for every tenant. The supported deployment puts nginx in front
(installer/nginx/comandia.conf.template, rendered here exactly as the installer renders it): it
holds slow connections itself, times out slow headers and bodies, and hands Waitress only whole
requests. With 500 idle and 200 trickling connections open, /healthz through nginx keeps p99
under 250 ms and a signed webhook is still acknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.installer.scratch import free_port
from tests.plugins.messaging import Messaging, load_fixture

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "installer" / "nginx" / "comandia.conf.template"
DOMAIN = "comandia.test"
IDLE, TRICKLING = 500, 200


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            f"/CN={DOMAIN}",
            "-addext",
            f"subjectAltName=DNS:{DOMAIN},IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def render_site(upstream: str, https_port: int, certificate: tuple[Path, Path], work: Path) -> Path:
    """The template with its placeholders filled, as installer/install.sh fills them."""
    values = {
        "@DOMAIN@": DOMAIN,
        "@UPSTREAM@": upstream,
        "@HTTP_PORT@": str(free_port()),
        "@HTTPS_PORT@": str(https_port),
        "@CERTIFICATE@": str(certificate[0]),
        "@CERTIFICATE_KEY@": str(certificate[1]),
        "@ACME_ROOT@": str(work / "acme"),
        "@LOG_DIR@": str(work),
    }
    text = TEMPLATE.read_text()
    for placeholder, value in values.items():
        assert placeholder in text, f"the template lost its {placeholder} placeholder"
        text = text.replace(placeholder, value)
    assert "@" not in "".join(line.split("#")[0] for line in text.splitlines()), "an unknown placeholder"
    site = work / "comandia.conf"
    site.write_text(text)
    return site


@contextlib.contextmanager
def running_nginx(site: Path, work: Path) -> Iterator[None]:
    for folder in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (work / folder).mkdir(parents=True, exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = work / "nginx.conf"
    conf.write_text(
        f"pid {work}/nginx.pid;\nerror_log {work}/error.log;\n{user}worker_processes 1;\n"
        "worker_rlimit_nofile 8192;\nevents { worker_connections 4096; }\n"
        f"http {{\n  client_body_temp_path {work}/client_body;\n  proxy_temp_path {work}/proxy;\n"
        f"  fastcgi_temp_path {work}/fastcgi;\n  uwsgi_temp_path {work}/uwsgi;\n  scgi_temp_path {work}/scgi;\n"
        f"  include {site};\n}}\n"
    )
    nginx = subprocess.Popen(
        ["nginx", "-c", str(conf), "-p", str(work), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        yield
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        assert nginx.stderr is not None
        nginx.stderr.close()


class Flood(threading.Thread):
    """`IDLE` connections that send nothing and `TRICKLING` that send one header line every 5 s,
    reopened when nginx closes them, until `stop`."""

    def __init__(self, port: int, context: ssl.SSLContext) -> None:
        super().__init__(daemon=True)
        self.port, self.context = port, context
        self.loop = asyncio.new_event_loop()
        self.open = 0
        self.stopping: asyncio.Event | None = None

    def run(self) -> None:
        try:
            self.loop.run_until_complete(self._main())
        finally:
            self.loop.close()

    async def _main(self) -> None:
        self.stopping = asyncio.Event()
        tasks = [asyncio.create_task(self._idle()) for _ in range(IDLE)]
        tasks += [asyncio.create_task(self._trickle(n)) for n in range(TRICKLING)]
        await self.stopping.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _idle(self) -> None:
        while True:
            with contextlib.suppress(OSError):
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                self.open += 1
                try:
                    await reader.read(1)  # until nginx gives up on us (client_header_timeout)
                finally:
                    self.open -= 1
                    writer.close()

    async def _trickle(self, n: int) -> None:
        await asyncio.sleep(n * 0.01)
        while True:
            with contextlib.suppress(OSError, ssl.SSLError, asyncio.IncompleteReadError):
                reader, writer = await asyncio.open_connection(
                    "127.0.0.1", self.port, ssl=self.context, server_hostname=DOMAIN
                )
                self.open += 1
                try:
                    writer.write(b"POST /webhooks/meta HTTP/1.1\r\nHost: " + DOMAIN.encode() + b"\r\n")
                    for line in range(1000):
                        await writer.drain()
                        await asyncio.sleep(5)
                        writer.write(b"X-Slow-%d: x\r\n" % line)
                finally:
                    self.open -= 1
                    writer.close()

    def stop(self) -> None:
        if self.stopping is not None:
            self.loop.call_soon_threadsafe(self.stopping.set)
        self.join(timeout=30)


def test_slow_clients_through_nginx_leave_health_and_webhooks_answering(
    api_url: str, messaging: Messaging, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    assert shutil.which("nginx"), "nginx is installed by .ci/run (Debian package nginx-light)"
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(soft, 4096), hard), hard))
    port = free_port()
    site = render_site(api_url.removeprefix("http://"), port, certificate, tmp_path)
    context = ssl.create_default_context(cafile=str(certificate[0]))
    base = f"https://127.0.0.1:{port}"
    with running_nginx(site, tmp_path):
        deadline = time.monotonic() + 20
        while True:
            try:
                assert (
                    requests.get(
                        f"{base}/healthz", verify=str(certificate[0]), timeout=5, headers={"Host": DOMAIN}
                    ).status_code
                    == 200
                )
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "nginx never answered"
                time.sleep(0.2)
        flood = Flood(port, context)
        flood.start()
        try:
            time.sleep(3)  # every flood connection is open by now
            opened = flood.open
            latencies = []
            for _ in range(60):
                started = time.perf_counter()
                answer = requests.get(
                    f"{base}/healthz", verify=str(certificate[0]), timeout=10, headers={"Host": DOMAIN}
                )
                latencies.append(time.perf_counter() - started)
                assert answer.status_code == 200
                time.sleep(0.1)
            body, headers = load_fixture("meta", "messages__text")
            webhook = requests.post(
                f"{base}/webhooks/meta",
                data=body,
                verify=str(certificate[0]),
                timeout=10,
                headers={**headers, "Host": DOMAIN},
            )
        finally:
            flood.stop()
    latencies.sort()
    p99 = latencies[int(0.99 * (len(latencies) - 1))]
    print(
        f"S16: {opened} flood connections open; /healthz p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, "
        f"p99 {p99 * 1000:.0f} ms; webhook {webhook.status_code}"
    )
    assert opened >= 0.9 * (IDLE + TRICKLING), opened
    assert webhook.status_code == 200, webhook.text
    assert messaging.rows(messaging.tenant.id, "SELECT count(*) FROM inbox") == [(1,)]
    assert p99 < 0.25, latencies[-5:]
