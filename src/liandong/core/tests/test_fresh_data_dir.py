"""A fresh (or restored) data directory serves pages without a manual ``collectstatic``: the
production storage (WhiteNoise's CompressedManifestStaticFilesStorage) needs its manifest to
render any page, and ``liandong serve`` collects the static files when it starts."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from liandong.core.tests.test_deploy_check import production_env

LIANDONG = Path(sys.executable).with_name("liandong")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our server
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def test_serve_from_an_empty_data_dir_answers_pages_and_static_files(tmp_path: Path) -> None:
    if not LIANDONG.exists():
        pytest.skip("the liandong script is not installed in this environment")
    env = production_env(
        tmp_path,
        LIANDONG_HTTPS="0",  # plain HTTP on the loopback, as behind nginx
        LIANDONG_ALLOWED_HOSTS="127.0.0.1",
        LIANDONG_LOG_LEVEL="WARNING",
    )
    env.pop("DJANGO_SETTINGS_MODULE")  # the installed command's own default
    subprocess.run([str(LIANDONG), "migrate", "-v0"], env=env, check=True, timeout=300)  # noqa: S603
    assert not (tmp_path / "static").exists()  # nobody ran collectstatic
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(  # noqa: S603 - our own command
        [str(LIANDONG), "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        status, page = 0, ""
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, page = _get(f"http://127.0.0.1:{port}/accounts/login/")
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200, (status, (tmp_path / "serve.log").read_text()[-2000:])
        assert (tmp_path / "static" / "staticfiles.json").exists()
        stylesheets = re.findall(r'href="(/static/[^"]+\.css)"', page)
        assert stylesheets, "the page links its stylesheet"
        for href in stylesheets:
            assert _get(f"http://127.0.0.1:{port}{href}")[0] == 200, href
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
