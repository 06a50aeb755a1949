"""The `saml_idp` fixture: one local SAML IdP per test session (tests/idp/saml.py), its
signed-in account reset for every test. Test modules import it."""

from __future__ import annotations

import pytest

from tests.idp.saml import LocalSamlIdp, SamlAccount


@pytest.fixture(scope="session")
def _saml_idp_server(tmp_path_factory):  # type: ignore[no-untyped-def]
    idp = LocalSamlIdp(tmp_path_factory.mktemp("saml-idp"))
    idp.start()
    yield idp
    idp.stop()


@pytest.fixture
def saml_idp(_saml_idp_server):  # type: ignore[no-untyped-def]
    """The real local SAML 2.0 IdP (pysaml2); `saml_idp.account` is who it signs in."""
    _saml_idp_server.account = SamlAccount("nina@hotel.test", "Nina Park", ["Sales"])
    _saml_idp_server.responses.clear()
    return _saml_idp_server
