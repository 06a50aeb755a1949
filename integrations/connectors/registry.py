"""Which class speaks to a connection's CRM."""

from __future__ import annotations

import json

from integrations.connectors.base import Connector, Credentials
from integrations.connectors.hubspot import HubSpotConnector
from integrations.connectors.salesforce import SalesforceConnector
from integrations.connectors.tryton import TrytonConnector

CONNECTORS: dict[str, type[Connector]] = {
    cls.key: cls for cls in (TrytonConnector, SalesforceConnector, HubSpotConnector)
}


def credentials_of(connection) -> Credentials:  # type: ignore[no-untyped-def]
    secret = json.loads(connection.secret) if connection.secret else {}
    return Credentials(settings=dict(connection.settings), secret=secret)


def connector_for(connection) -> Connector:  # type: ignore[no-untyped-def]
    cls = CONNECTORS.get(connection.connector)
    if cls is None:
        raise LookupError(f"no connector {connection.connector!r}")
    return cls(credentials_of(connection))
