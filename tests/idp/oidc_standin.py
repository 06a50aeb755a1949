"""A spec-shaped OpenID provider on the loopback interface whose token endpoint answers with
an ID token the test chose (another client's audience, an expired one): the hostile answers a
real provider would never give, at the same HTTP boundary."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


class OidcStandIn:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.claims: dict[str, Any] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"

    def id_token(self, **overrides: Any) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": "x", "iat": now, "exp": now + 300, **overrides}
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "k1"})

    def _handler(self):  # type: ignore[no-untyped-def]
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # type: ignore[no-untyped-def]
                pass

            def _json(self, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # type: ignore[no-untyped-def]  # noqa: N802
                if self.path.startswith("/.well-known/openid-configuration"):
                    i = standin.issuer
                    self._json(
                        {
                            "issuer": i,
                            "authorization_endpoint": f"{i}/auth",
                            "token_endpoint": f"{i}/token",
                            "userinfo_endpoint": f"{i}/me",
                            "jwks_uri": f"{i}/jwks",
                            "token_endpoint_auth_methods_supported": ["client_secret_post"],
                        }
                    )
                elif self.path.startswith("/me"):
                    self._json(
                        {k: v for k, v in standin.claims.items() if k in ("sub", "email", "name")}
                    )
                else:
                    self._json({"keys": []})

            def do_POST(self):  # type: ignore[no-untyped-def]  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._json(
                    {
                        "access_token": "at",
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": standin.id_token(**standin.claims),
                    }
                )

        return Handler

    def start(self) -> None:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
