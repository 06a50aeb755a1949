"""A real SAML 2.0 identity provider (pysaml2, signing with Debian's xmlsec1) on a free
loopback port, in a thread of the test process.

- GET /metadata: its metadata (entity id, HTTP-Redirect SSO endpoint, signing certificate).
- GET /sso?SAMLRequest=…&RelayState=…: takes an SP-initiated AuthnRequest (HTTP-Redirect
  binding), "signs in" `idp.account` without a login form, and answers with an auto-submitting
  form that POSTs the signed Response to the SP's ACS (HTTP-POST binding). The SP is learnt
  from the request: its issuer is the SP's metadata URL, which the IdP fetches (a *.localhost
  host is reached on 127.0.0.1 with the Host header, as Python does not resolve it), and the
  ACS the request names must be one that metadata lists.

Tests without a browser build a Response directly with `response_xml()`; its knobs make the
hostile answers a real IdP would never give (SHA-1, unsigned, signed by a stranger's key,
another audience, recipient or destination, expired, unsolicited)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import http.client
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, class_name
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.sigver import pre_signature_part
from saml2.time_util import instant
from saml2.xmldsig import DIGEST_SHA1, DIGEST_SHA256, SIG_RSA_SHA1, SIG_RSA_SHA256

XMLSEC = "/usr/bin/xmlsec1"
PASSWORD_CONTEXT = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
ALGORITHMS = {"sha256": (SIG_RSA_SHA256, DIGEST_SHA256), "sha1": (SIG_RSA_SHA1, DIGEST_SHA1)}


@dataclass
class SamlAccount:
    """The person the IdP signs in."""

    email: str
    name: str = "Sam Saml"
    groups: list[str] = field(default_factory=list)

    @property
    def subject(self) -> str:
        """A persistent, opaque NameID (what Okta or Entra send), stable per address."""
        return hashlib.sha256(self.email.lower().encode()).hexdigest()[:32]


@dataclass
class AuthnRequestSeen:
    """What an SP asked for, read from its HTTP-Redirect URL."""

    id: str
    sp_entity_id: str
    acs_url: str
    relay_state: str


def keypair_make(directory: Path, name: str) -> tuple[Path, Path]:
    """A 2048-bit RSA key and a self-signed certificate for it, as PEM files."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = directory / f"{name}.key", directory / f"{name}.crt"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


def _pem_body(cert_file: Path) -> str:
    return "".join(line for line in cert_file.read_text().splitlines() if "CERTIFICATE" not in line)


def loopback_get(url: str) -> str:
    """GET `url`; a *.localhost host is reached on the loopback interface by its Host header."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    address = "127.0.0.1" if host == "localhost" or host.endswith(".localhost") else host
    connection = http.client.HTTPConnection(address, parts.port or 80, timeout=10)
    try:
        connection.request("GET", parts.path or "/", headers={"Host": parts.netloc})
        response = connection.getresponse()
        body = response.read().decode()
    finally:
        connection.close()
    if response.status != 200:
        raise RuntimeError(f"{url} answered {response.status}")
    return body


def post_form(acs_url: str, saml_response: str, relay_state: str) -> str:
    """The HTTP-POST binding: a page that submits the Response to the SP's ACS by itself."""
    return (
        "<!doctype html><html><head><title>Signing you in…</title></head>"
        f'<body><form id="saml" method="post" action="{html.escape(acs_url)}">'
        f'<input type="hidden" name="SAMLResponse" value="{html.escape(saml_response)}">'
        f'<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">'
        '<noscript><button type="submit">Continue</button></noscript></form>'
        '<script>document.getElementById("saml").submit()</script></body></html>'
    )


class LocalSamlIdp:
    """Started by the `saml_idp` fixture. `account` is who signs in at /sso; `responses`
    keeps every Response the SSO endpoint sent (base64, as posted), newest last."""

    def __init__(self, directory: Path) -> None:
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base_url = f"http://127.0.0.1:{self.http.server_address[1]}"
        self.entity_id = f"{self.base_url}/metadata"
        self.metadata_url = f"{self.base_url}/metadata"
        self.sso_url = f"{self.base_url}/sso"
        key_file, cert_file = keypair_make(directory, "idp")
        self.stranger_key, _ = keypair_make(directory, "stranger")
        self.x509cert = _pem_body(cert_file)
        self.config = IdPConfig()
        self.config.load(
            {
                "entityid": self.entity_id,
                "service": {
                    "idp": {
                        "endpoints": {
                            "single_sign_on_service": [(self.sso_url, BINDING_HTTP_REDIRECT)]
                        },
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                        "policy": {"default": {"lifetime": {"minutes": 5}}},
                    }
                },
                "key_file": str(key_file),
                "cert_file": str(cert_file),
                "xmlsec_binary": XMLSEC,
                "metadata": {},
                "delete_tmpfiles": True,
            }
        )
        self.server = Server(config=self.config)
        self.account = SamlAccount("nina@hotel.test", "Nina Park", ["Sales"])
        self.responses: list[str] = []
        self._sps: set[str] = set()
        self._lock = threading.Lock()

    # --- the service providers it answers -------------------------------------------------

    def metadata_xml(self) -> str:
        return create_metadata_string(None, config=self.config, valid=None).decode()

    def sp_trust(self, metadata_xml: str | bytes) -> None:
        """Registers an SP from its metadata (what an IdP admin does when adding an app)."""
        xml = metadata_xml.decode() if isinstance(metadata_xml, bytes) else metadata_xml
        with self._lock:
            self.server.metadata.load("inline", xml)
            self._sps.update(self.server.metadata.keys())

    def sp_learn(self, entity_id: str) -> None:
        """Registers an SP whose entity id is its metadata URL, fetching it once."""
        if entity_id not in self._sps:
            self.sp_trust(loopback_get(entity_id))

    def acs_of(self, sp_entity_id: str) -> str:
        return self.server.metadata.assertion_consumer_service(sp_entity_id, BINDING_HTTP_POST)[0][
            "location"
        ]

    def authn_request_of(self, redirect_url: str) -> AuthnRequestSeen:
        """Reads the AuthnRequest an SP sent the browser to us with (HTTP-Redirect), and
        checks that the ACS it names belongs to that SP."""
        query = parse_qs(urlsplit(redirect_url).query)
        parsed = self.server.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
        message = parsed.message
        self.sp_learn(message.issuer.text)
        args = self.server.response_args(message, [BINDING_HTTP_POST])
        return AuthnRequestSeen(
            id=message.id,
            sp_entity_id=message.issuer.text,
            acs_url=args["destination"],
            relay_state=query.get("RelayState", [""])[0],
        )

    # --- responses ------------------------------------------------------------------------

    def response_xml(
        self,
        *,
        sp_entity_id: str,
        in_response_to: str | None,
        account: SamlAccount | None = None,
        attributes: dict[str, list[str]] | None = None,
        sign: str | None = "sha256",
        sign_response: bool = False,
        signed_by_stranger: bool = False,
        audience: str | None = None,
        recipient: str | None = None,
        destination: str | None = None,
        issued_at: dt.datetime | None = None,
        not_on_or_after: dt.datetime | None = None,
    ) -> str:
        """A Response with one assertion about `account` for the SP, signed (assertion; also
        the Response with sign_response) with the IdP's key and SHA-256 unless told otherwise.

        sign: "sha256", "sha1" or None (no signature at all); signed_by_stranger: a key the
        SP does not know; audience / recipient / destination: instead of the SP's entity id
        and ACS; issued_at / not_on_or_after: instead of now and now + 5 minutes;
        in_response_to None: unsolicited (IdP-initiated)."""
        account = account or self.account
        acs = self.acs_of(sp_entity_id)
        if attributes is None:
            first, _, last = account.name.partition(" ")
            attributes = {
                "mail": [account.email],
                "givenName": [first],
                "sn": [last],
                "groups": list(account.groups),
            }
        with self._lock:
            response = self.server.create_authn_response(
                {k: v for k, v in attributes.items() if v},
                in_response_to,
                acs,
                sp_entity_id,
                name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=account.subject),
                authn={"class_ref": PASSWORD_CONTEXT},
                sign_assertion=False,
                sign_response=False,
            )
        assertion = response.assertion
        confirmation = assertion.subject.subject_confirmation[0].subject_confirmation_data
        conditions = assertion.conditions
        if issued_at is not None:
            stamp = instant(time_stamp=int(issued_at.timestamp()))
            response.issue_instant = assertion.issue_instant = stamp
            conditions.not_before = assertion.authn_statement[0].authn_instant = stamp
        if not_on_or_after is not None:
            stamp = instant(time_stamp=int(not_on_or_after.timestamp()))
            conditions.not_on_or_after = confirmation.not_on_or_after = stamp
        if audience is not None:
            conditions.audience_restriction[0].audience[0].text = audience
        if recipient is not None:
            confirmation.recipient = recipient
        if destination is not None:
            response.destination = destination
        if sign is None:
            return response.to_string().decode()
        sign_alg, digest_alg = ALGORITHMS[sign]
        to_sign = [(assertion, assertion.id)]
        if sign_response:
            to_sign.append((response, response.id))
        for element, ident in to_sign:
            element.signature = pre_signature_part(
                ident, self.server.sec.my_cert, sign_alg=sign_alg, digest_alg=digest_alg
            )
        xml = response.to_string().decode()
        key_file = str(self.stranger_key) if signed_by_stranger else None
        for element, ident in to_sign:
            xml = self.server.sec.sign_statement(
                xml, class_name(element), key_file=key_file, node_id=ident
            )
        return xml

    @staticmethod
    def encoded(xml: str) -> str:
        return base64.b64encode(xml.encode()).decode()

    # --- HTTP -----------------------------------------------------------------------------

    def _handler(self):  # type: ignore[no-untyped-def]
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # type: ignore[no-untyped-def]
                pass

            def _send(self, status: int, body: str, content_type: str) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # type: ignore[no-untyped-def]  # noqa: N802
                path = urlsplit(self.path).path
                if path == "/metadata":
                    self._send(200, idp.metadata_xml(), "application/samlmetadata+xml")
                elif path == "/sso":
                    try:
                        seen = idp.authn_request_of(self.path)
                        xml = idp.response_xml(
                            sp_entity_id=seen.sp_entity_id, in_response_to=seen.id
                        )
                    except Exception as exc:  # noqa: BLE001 - the IdP's error page
                        self._send(400, f"SAML request refused: {exc}", "text/plain")
                        return
                    encoded = idp.encoded(xml)
                    idp.responses.append(encoded)
                    self._send(200, post_form(seen.acs_url, encoded, seen.relay_state), "text/html")
                else:
                    self._send(404, "not found", "text/plain")

        return Handler

    def start(self) -> None:
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()
