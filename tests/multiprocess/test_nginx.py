"""deploy/nginx/govstore.conf, as shipped (paths and ports swapped for a temporary
directory), in front of gunicorn and uvicorn: nginx accepts it, ends TLS, serves the
collected static files itself, sends pages to WSGI and /ws/ to ASGI with the Upgrade
headers, and refuses a body larger than the uploads allow. Skipped where nginx is not
installed (scripts/apt-install nginx)."""

import json
import os
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.stack import ROOT, Stack, free_port, running_stack

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE = ROOT / "deploy" / "nginx" / "govstore.conf"

pytestmark = pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed")


def _certificate(directory: Path) -> None:
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(directory / "privkey.pem"),
            "-out",
            str(directory / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )


def _site_config(tmp: Path, *, web: int, ws: int, http: int, https: int, static: Path) -> Path:
    text = SITE.read_text()
    for shipped, here in {
        "/etc/govstore/tls/": f"{tmp}/tls/",
        "/var/lib/govstore/static/": f"{static}/",
        "/var/lib/govstore/media/": f"{tmp}/media/",
        "/var/log/nginx/": f"{tmp}/",
        "127.0.0.1:8001": f"127.0.0.1:{web}",
        "127.0.0.1:8002": f"127.0.0.1:{ws}",
        "listen 80;": f"listen 127.0.0.1:{http};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https} ssl http2;",
        "gov.example.cn": "127.0.0.1",
    }.items():
        assert shipped in text, f"{shipped} is no longer in {SITE.name}: update this test"
        text = text.replace(shipped, here)
    # This machine may have no IPv6.
    text = "\n".join(line for line in text.splitlines() if "listen [::]" not in line)
    site = tmp / "govstore.conf"
    site.write_text(text)
    main = tmp / "nginx.conf"
    # nginx's workers drop to an unprivileged user, who may not read pytest's temporary
    # directory: here they stay who started them.
    user = "user root;" if os.geteuid() == 0 else ""
    main.write_text(
        f"""
{user}
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
daemon off;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {site};
}}
"""
    )
    return main


@pytest.fixture(scope="module")
def fronted(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Stack, requests.Session, str, str]]:
    reason = Stack.unavailable()
    if reason:
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("nginx")
    (tmp / "tls").mkdir()
    (tmp / "media").mkdir()
    _certificate(tmp / "tls")
    with running_stack(tmp / "stack", settings={"TWO_FACTOR_REQUIRED": "0"}) as stack:
        http, https = free_port(), free_port()
        # As in production: https only, secure cookies, HSTS.
        stack.env.update(
            {
                "ALLOWED_HOSTS": "127.0.0.1",
                "SECURE_SSL_REDIRECT": "1",
                "SECURE_COOKIES": "1",
                "SECURE_HSTS_SECONDS": "3600",
            }
        )
        web = stack.gunicorn("web", workers=2)
        ws = stack.uvicorn("ws")
        stack.start_all()
        config = _site_config(
            tmp,
            web=web.port or 0,
            ws=ws.port or 0,
            http=http,
            https=https,
            static=web.var_dir / "static",
        )
        checked = subprocess.run(
            [NGINX, "-t", "-c", str(config), "-e", str(tmp / "error.log")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert checked.returncode == 0, checked.stderr
        nginx = subprocess.Popen(
            [NGINX, "-c", str(config), "-e", str(tmp / "error.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            base = f"https://127.0.0.1:{https}"
            client = requests.Session()
            # Trusts this test's certificate only (REQUESTS_CA_BUNDLE would win otherwise).
            client.trust_env = False
            client.verify = str(tmp / "tls" / "fullchain.pem")
            for _ in range(100):
                try:
                    client.get(base + "/healthz/live", timeout=2)
                    break
                except requests.ConnectionError:
                    nginx.poll()
                    assert nginx.returncode is None, (tmp / "error.log").read_text()
                    time.sleep(0.1)
            yield stack, client, base, f"http://127.0.0.1:{http}"
        finally:
            nginx.terminate()
            nginx.wait(10)


def test_nginx_ends_tls_and_sends_pages_to_wsgi_and_sockets_to_asgi(fronted):
    from websockets.sync.client import connect

    stack, client, base, plain = fronted
    live = client.get(base + "/healthz/live", timeout=10)
    assert live.status_code == 200 and live.text == "ok"
    home = client.get(base + "/", timeout=30)
    assert home.status_code == 200, home.text[:500]
    # Behind TLS the site knows it is on https: no redirect loop, secure cookies, HSTS.
    # (The home page sets no cookie for an anonymous visitor; the sign-in form does.)
    assert "Strict-Transport-Security" in home.headers
    sign_in = client.get(base + "/accounts/login/", timeout=30)
    assert sign_in.status_code == 200, sign_in.text[:500]
    assert "secure" in sign_in.headers["Set-Cookie"].lower()

    redirected = client.get(plain + "/", allow_redirects=False, timeout=10)
    assert redirected.status_code == 301
    assert redirected.headers["Location"].startswith("https://")

    stylesheet = next((stack.process("web").var_dir / "static").rglob("*.css"))
    relative = stylesheet.relative_to(stack.process("web").var_dir / "static")
    served = client.get(f"{base}/static/{relative}", timeout=10)
    assert served.status_code == 200 and served.content == stylesheet.read_bytes()

    too_big = client.post(base + "/api/v1/auth/nothing", data=b"x" * (17 * 1024 * 1024), timeout=60)
    assert too_big.status_code == 413

    context = ssl.create_default_context(cafile=client.verify)
    wss = base.replace("https://", "wss://")
    with connect(f"{wss}/ws/clock/", ssl=context, origin=base, open_timeout=10) as socket:
        assert "server_time" in json.loads(socket.recv(timeout=10))

    # Pages do not depend on the ASGI server, sockets do.
    stack.process("ws").stop()
    assert client.get(base + "/", timeout=30).status_code == 200
    assert client.get(base + "/ws/clock/", timeout=30).status_code == 502
    stack.process("ws").start()
    stack.process("web").stop()
    assert client.get(base + "/", timeout=30).status_code == 502
    with connect(f"{wss}/ws/clock/", ssl=context, origin=base, open_timeout=10) as socket:
        assert "server_time" in json.loads(socket.recv(timeout=10))
