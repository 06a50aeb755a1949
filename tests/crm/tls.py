"""What the CRM stand-ins (tests/crm/salesforce.py, tests/crm/hubspot.py) share: a loopback TLS
identity and the HTTPS server they run on.

The connectors talk to Salesforce and HubSpot over HTTPS and must never be told to skip
certificate checks, so the stand-ins serve real TLS: `loopback_tls()` makes a throwaway CA and a
server certificate for 127.0.0.1 and localhost once per process, writes the CA to `ca.pem` in a
temporary directory, and hands out the server's `ssl.SSLContext` and that path (for requests'
`verify=` and the HubSpot client's `ssl_ca_cert`).

`StandInServer` is a `ThreadingHTTPServer` on a loopback port wrapped in that context and run in a
daemon thread. It records every request, answers injected faults (`fail_next`) before the
subclass sees the request, and turns a bug in a stand-in into a 500 that names it (kept in
`server_errors`) rather than a hung test.
"""

from __future__ import annotations

import atexit
import datetime as dt
import ipaddress
import json
import shutil
import socket
import ssl
import tempfile
import threading
import traceback
from contextlib import suppress
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

JSON_TYPE = "application/json;charset=UTF-8"


@dataclass(frozen=True)
class LoopbackTls:
    """The stand-ins' TLS identity: `server_context` serves 127.0.0.1/localhost, `ca_path` is
    the PEM file a client trusts to verify it."""

    server_context: ssl.SSLContext
    ca_path: str
    directory: str


_tls: LoopbackTls | None = None
_tls_lock = threading.Lock()


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ecosystem Cloud test stand-ins"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _make_tls() -> LoopbackTls:
    # EC keys: generating RSA keys costs about a second, which every test run would pay.
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Ecosystem Cloud stand-in CA")
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.DNSName("localhost"),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    directory = Path(tempfile.mkdtemp(prefix="crm-standin-tls-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    ca_path = directory / "ca.pem"
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_path = directory / "server.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path = directory / "server-key.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_path, key_path)
    return LoopbackTls(server_context=context, ca_path=str(ca_path), directory=str(directory))


def loopback_tls() -> LoopbackTls:
    """The process's one stand-in CA and server certificate, made on first use."""
    global _tls
    with _tls_lock:
        if _tls is None:
            _tls = _make_tls()
        return _tls


def standin_session(ca_path: str | None = None) -> requests.Session:
    """A requests session that trusts the stand-in CA.

    `trust_env` is off because requests lets `REQUESTS_CA_BUNDLE`/`CURL_CA_BUNDLE` from the
    environment override a session's own `verify` (psf/requests#3829); CI machines set them.
    """
    session = requests.Session()
    session.verify = ca_path or loopback_tls().ca_path
    session.trust_env = False
    return session


# -- requests and responses ------------------------------------------------------------------


@dataclass
class StandInRequest:
    """One request as a stand-in sees it: `path` without the query, `query` parsed (every value
    a list, as a repeated parameter can be)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Message
    body: bytes

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def params(self, name: str) -> list[str]:
        """Every value of a parameter given repeated or comma-separated (both forms are used by
        the client libraries)."""
        return [part for value in self.query.get(name, []) for part in value.split(",") if part]

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None

    def form(self) -> dict[str, str]:
        parsed = parse_qs(self.body.decode("utf-8"), keep_blank_values=True)
        return {key: values[0] for key, values in parsed.items()}

    def bearer(self) -> str | None:
        value = self.headers.get("Authorization") or ""
        scheme, _, token = value.partition(" ")
        return token.strip() if scheme.lower() == "bearer" and token.strip() else None


@dataclass
class StandInResponse:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = JSON_TYPE


def json_response(
    status: int, payload: Any, headers: dict[str, str] | None = None
) -> StandInResponse:
    body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    return StandInResponse(status, body, dict(headers or {}))


def no_content(headers: dict[str, str] | None = None) -> StandInResponse:
    return StandInResponse(204, b"", dict(headers or {}), content_type=None)


@dataclass
class _Fault:
    status: int
    body: bytes
    headers: dict[str, str]
    content_type: str | None
    remaining: int
    path_contains: str | None


class _Handler(BaseHTTPRequestHandler):
    # Keep-alive, so a client's session reuses one TLS connection for a whole sync.
    protocol_version = "HTTP/1.1"
    # An idle kept-alive connection gives its thread back after this many seconds.
    timeout = 30
    # Headers and body leave in separate writes; with Nagle's algorithm the body's last segment
    # would wait for the client's delayed ACK (some 40 ms a page).
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        self.request.settimeout(self.timeout)
        self.request.do_handshake()
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a sync makes thousands of requests."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        request = StandInRequest(
            method=self.command,
            path=url.path,
            query=parse_qs(url.query, keep_blank_values=True),
            headers=self.headers,
            body=body,
        )
        response = self.server.standin._respond(request)
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.content_type and response.status != 204:
            self.send_header("Content-Type", response.content_type)
        self.send_header(
            "Content-Length", "0" if response.status == 204 else str(len(response.body))
        )
        self.end_headers()
        if self.command != "HEAD" and response.status != 204:
            self.wfile.write(response.body)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    standin: StandInServer

    def __init__(self, address: tuple[str, int], standin: StandInServer) -> None:
        self.standin = standin
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: clients hang up on kept-alive connections, and a stand-in's own bugs are
        answered as 500s (see StandInServer._respond)."""


class StandInServer:
    """The HTTPS server under a CRM stand-in: subclasses implement `handle(request)` and may
    override `fault_body(status)` with the CRM's own error shape."""

    name = "stand-in"

    def __init__(self, *, port: int = 0) -> None:
        self._tls = loopback_tls()
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._log_lock = threading.Lock()
        self._faults: list[_Fault] = []
        self.requests_seen: list[tuple[str, str]] = []
        """(method, path without query) of every request, faulted ones included."""
        self.requests_detail: list[StandInRequest] = []
        """Every request in full (query, headers, body), for assertions on what was sent."""
        self.server_errors: list[str] = []
        """Tracebacks of exceptions inside the stand-in (each also answered as a 500)."""

    # -- life cycle

    @property
    def ca_path(self) -> str:
        return self._tls.ca_path

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError(f"the {self.name} stand-in is not running")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self) -> Self:
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", self._port), self)
        server.socket = self._tls.server_context.wrap_socket(
            server.socket, server_side=True, do_handshake_on_connect=False
        )
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{self.name}-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        # Kept-alive connections would otherwise go on being answered by their threads.
        with server.connections_lock:
            open_connections = list(server.connections)
        for connection in open_connections:
            with suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- fault injection and the request log

    def fail_next(
        self,
        status: int,
        body: Any = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
        path_contains: str | None = None,
    ) -> None:
        """Answer the next `times` requests (whose path contains `path_contains`, if given) with
        `status`: `body` as given (bytes or str as is, anything else as JSON), or the CRM's own
        error body for that status. A 429 or 503 without headers gets `Retry-After: 1`; note
        that urllib3 under the HubSpot client retries a 429/503 carrying Retry-After by itself,
        so pass `headers={}` to show the client the fault."""
        if body is None:
            payload: bytes = json.dumps(self.fault_body(status)).encode()
            content_type: str | None = JSON_TYPE
        elif isinstance(body, bytes):
            payload, content_type = body, "text/plain;charset=UTF-8"
        elif isinstance(body, str):
            payload, content_type = body.encode(), "text/plain;charset=UTF-8"
        else:
            payload, content_type = json.dumps(body).encode(), JSON_TYPE
        if headers is None:
            headers = {"Retry-After": "1"} if status in (429, 503) else {}
        with self._log_lock:
            self._faults.append(
                _Fault(status, payload, dict(headers), content_type, times, path_contains)
            )

    def clear_faults(self) -> None:
        with self._log_lock:
            self._faults.clear()

    def clear_requests(self) -> None:
        with self._log_lock:
            self.requests_seen.clear()
            self.requests_detail.clear()

    def fault_body(self, status: int) -> Any:
        """The body an injected fault answers when `fail_next` is given none."""
        return {"status": status, "message": f"injected fault {status}"}

    def _take_fault(self, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.path_contains is None or fault.path_contains in path:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _respond(self, request: StandInRequest) -> StandInResponse:
        with self._log_lock:
            self.requests_seen.append((request.method, request.path))
            self.requests_detail.append(request)
            fault = self._take_fault(request.path)
        if fault is not None:
            return StandInResponse(fault.status, fault.body, fault.headers, fault.content_type)
        try:
            return self.handle(request)
        except Exception:  # a stand-in bug: answer it plainly, keep it for the test to see
            text = traceback.format_exc()
            with self._log_lock:
                self.server_errors.append(text)
            return StandInResponse(
                500, f"{self.name} stand-in error:\n{text}".encode(), content_type="text/plain"
            )

    def handle(self, request: StandInRequest) -> StandInResponse:
        raise NotImplementedError
