"""allauth apps built from a company's SsoConnection rows, per request and never saved: the
company whose host the request is on is the only one whose IdPs exist for it."""

from __future__ import annotations

from allauth.socialaccount.models import SocialApp

from identity.models import SsoConnection, SsoProtocol

SAML_ATTRIBUTES = {
    "uid": ["urn:oasis:names:tc:SAML:attribute:subject-id", "uid"],
    "email": [
        "email",
        "mail",
        "urn:oid:0.9.2342.19200300.100.1.3",
        # PKCS #9 emailAddress: what Keycloak's "X500 email" mapper and pysaml2 send
        "urn:oid:1.2.840.113549.1.9.1.1",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    ],
    "first_name": [
        "givenName",
        "urn:oid:2.5.4.42",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
    ],
    "last_name": [
        "sn",
        "surname",
        "urn:oid:2.5.4.4",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
    ],
}


def social_app_of(connection: SsoConnection) -> SocialApp:
    if connection.protocol == SsoProtocol.OIDC:
        return SocialApp(
            provider="openid_connect",
            provider_id=connection.provider_id,
            name=connection.name,
            client_id=connection.oidc_client_id,
            secret=connection.oidc_client_secret,
            settings={
                "server_url": connection.oidc_issuer,
                "oauth_pkce_enabled": True,
                "fetch_userinfo": True,
                "scope": ["openid", "profile", "email"],
            },
        )
    return SocialApp(
        provider="saml",
        provider_id=connection.provider_id,
        name=connection.name,
        # the slug in the SAML URLs (/accounts/saml/<client_id>/acs/)
        client_id=connection.provider_id,
        settings={
            "idp": {
                "entity_id": connection.saml_entity_id,
                "sso_url": connection.saml_sso_url,
                "x509cert": connection.saml_x509cert,
            },
            "attribute_mapping": SAML_ATTRIBUTES,
            "use_nameid_for_email": False,
            "advanced": {
                "strict": True,  # audience, recipient, destination, time window
                "want_assertion_signed": True,
                "reject_deprecated_algorithm": True,  # no SHA-1
                "reject_idp_initiated_sso": True,
                "allow_single_label_domains": False,
            },
        },
    )
