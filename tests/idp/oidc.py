"""The real OpenID Connect provider (npm oidc-provider, tests/idp/oidc/server.mjs), started
once per test session on a free loopback port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from pathlib import Path
from urllib.request import urlopen

HERE = Path(__file__).parent / "oidc"
CLIENT_ID = "ecosystem-test"
CLIENT_SECRET = "local-test-secret-0123456789"
ACCOUNTS = {
    "nina@hotel.test": {"name": "Nina Park", "groups": ["Sales"]},
    "ada@hotel.test": {"name": "Ada Admin", "groups": ["Partner Admins"]},
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalOidcProvider:
    def __init__(self) -> None:
        self.port = _free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        if not (HERE / "node_modules").exists():
            subprocess.run(  # noqa: S603
                ["npm", "ci", "--no-audit", "--no-fund", "--silent"],
                cwd=HERE,
                check=True,  # noqa: S607
            )
        env = {
            **os.environ,
            "PORT": str(self.port),
            "CLIENTS": json.dumps([{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}]),
            "ACCOUNTS": json.dumps(ACCOUNTS),
        }
        self.process = subprocess.Popen(  # noqa: S603
            ["node", "server.mjs"],  # noqa: S607
            cwd=HERE,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with urlopen(f"{self.issuer}/.well-known/openid-configuration", timeout=1):  # noqa: S310
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the local OpenID provider did not start")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
