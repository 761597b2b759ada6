"""A closed-loop HTTP load generator for loopback only: K client threads, each sending its
next request as soon as the previous answer has been read, for a bounded time and count.

Standard library only (threads + http.client), so the harness needs nothing installed.
gunicorn's sync workers close the connection after each answer; http.client then reconnects
by itself, so a "keep-alive" client here costs one loopback TCP handshake per request, the
same for every scenario and the baseline.
"""

import contextlib
import http.client
import itertools
import math
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

HOST = "127.0.0.1"  # the only address load may be sent to
REQUEST_TIMEOUT = 30.0
BIN = Path(sys.executable).parent
BENCH_DIR = Path(__file__).resolve().parent
# The product's settings plus the bench app (bench/liandong_bench: gen-data, the bare views).
BENCH_SETTINGS = "liandong_bench.settings"


def with_bench_app(env: dict[str, str]) -> dict[str, str]:
    """``env`` under the benchmark's settings, with bench/ on the Python path of every process
    started with it (``liandong`` commands and the gunicorn workers they exec)."""
    path = [str(BENCH_DIR), *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])]
    return {**env, "DJANGO_SETTINGS_MODULE": BENCH_SETTINGS, "PYTHONPATH": os.pathsep.join(path)}


@dataclass
class LoadResult:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return (self.requests - self.errors) / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        """Latency at quantile ``q`` (0-1) in milliseconds, nearest-rank."""
        return percentile(self.latencies, q) * 1000

    def __add__(self, other: "LoadResult") -> "LoadResult":
        """Two runs as one (e.g. the halves of an interleaved measurement)."""
        statuses = dict(self.statuses)
        for status, count in other.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
        return LoadResult(
            self.requests + other.requests,
            self.errors + other.errors,
            self.seconds + other.seconds,
            self.latencies + other.latencies,
            statuses,
        )


def percentile(values: list[float], q: float) -> float:
    """The value at quantile ``q`` (0-1) of ``values``, nearest-rank; NaN when there are none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def app_server(env: dict[str, str], log: Path) -> Iterator[int]:
    """``liandong serve --workers 2`` (gunicorn) with ``env`` on a free loopback port, once it
    answers /healthz; stopped on exit (its own process group, killed if it hangs)."""
    port = free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(BIN / "liandong"), "serve", "--workers", "2", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"The app did not start; see {log}")
            time.sleep(0.2)
        yield port
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # our own gunicorn's process group
            proc.wait(timeout=10)


def request(
    port: int,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> tuple[int, dict[str, list[str]], bytes]:
    """One request on a fresh connection: (status, headers as lists, body)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        collected: dict[str, list[str]] = {}
        for name, value in response.getheaders():
            collected.setdefault(name.lower(), []).append(value)
        return response.status, collected, data
    finally:
        conn.close()


def _cookies(headers: dict[str, list[str]]) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for value in headers.get("set-cookie", []):
        jar.load(value)
    return {name: morsel.value for name, morsel in jar.items()}


def session_login(port: int, username: str, password: str) -> str:
    """Sign in through the staff login form (CSRF cookie and token) and return a Cookie header."""
    status, headers, body = request(port, "GET", "/accounts/login/")
    if status != 200:
        raise RuntimeError(f"GET /accounts/login/ answered {status}")
    cookies = _cookies(headers)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if not match or "csrftoken" not in cookies:
        raise RuntimeError("The login page has no CSRF token")
    form = urlencode(
        {
            "csrfmiddlewaretoken": match.group(1).decode(),
            "username": username,
            "password": password,
            "next": "/",
        }
    ).encode()
    status, headers, _ = request(
        port,
        "POST",
        "/accounts/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
            "Referer": f"http://{HOST}:{port}/accounts/login/",
        },
    )
    cookies.update(_cookies(headers))
    if status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"Login as {username} failed (status {status})")
    return f"sessionid={cookies['sessionid']}; csrftoken={cookies['csrftoken']}"


def run_load(
    *,
    port: int,
    paths: list[str],
    headers: dict[str, str],
    duration: float,
    concurrency: int,
    max_requests: int = 10**9,
    method: str = "GET",
    bodies: Iterator[bytes] | None = None,
) -> LoadResult:
    """Closed loop: ``concurrency`` threads cycle through ``paths`` until ``duration`` seconds
    have passed or ``max_requests`` have been sent, whichever comes first. With ``bodies``,
    each request sends the next body."""
    issued = itertools.count()
    lock = threading.Lock()
    deadline = time.perf_counter() + duration
    per_thread: list[LoadResult] = [LoadResult() for _ in range(concurrency)]

    def client(slot: int) -> None:
        result = per_thread[slot]
        conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        try:
            while time.perf_counter() < deadline:
                n = next(issued)
                if n >= max_requests:
                    break
                path = paths[n % len(paths)]
                body = None
                if bodies is not None:
                    with lock:
                        body = next(bodies)
                started = time.perf_counter()
                try:
                    conn.request(method, path, body=body, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    status = str(response.status)
                except (OSError, http.client.HTTPException) as error:
                    status = type(error).__name__
                    conn.close()
                elapsed = time.perf_counter() - started
                result.requests += 1
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if status.isdigit() and 200 <= int(status) < 300:
                    result.latencies.append(elapsed)
                else:
                    result.errors += 1
        finally:
            conn.close()

    threads = [
        threading.Thread(target=client, args=(slot,), daemon=True) for slot in range(concurrency)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 2 * REQUEST_TIMEOUT)
    total = LoadResult(seconds=time.perf_counter() - started)
    for result in per_thread:
        total.requests += result.requests
        total.errors += result.errors
        total.latencies.extend(result.latencies)
        for status, count in result.statuses.items():
            total.statuses[status] = total.statuses.get(status, 0) + count
    return total
