"""The SCIM resources we serve: RFC 7643's User and Group with only the attributes we keep
(data minimisation: an IdP's phone numbers, addresses or certificates have no place here), so
the schemas we publish say exactly what a client can expect to read back."""

from __future__ import annotations

from typing import Any

from scim2_models import (
    Group,
    Resource,
    ResourceType,
    ScimProvider,
    ServiceProviderConfig,
    User,
)

MAX_RESULTS = 200
DEFAULT_COUNT = 100

_USER_ATTRIBUTES = {"userName", "name", "displayName", "title", "emails", "active", "groups"}
_NAME_PARTS = {"formatted", "familyName", "givenName"}


def _user_schema():  # type: ignore[no-untyped-def]
    schema = User.to_schema()
    schema.attributes = [a for a in schema.attributes if a.name in _USER_ATTRIBUTES]
    for attribute in schema.attributes:
        if attribute.name == "name":
            attribute.sub_attributes = [
                s for s in attribute.sub_attributes if s.name in _NAME_PARTS
            ]
    return schema


ScimUser: Any = Resource.from_schema(_user_schema())
ScimGroup: Any = Resource.from_schema(Group.to_schema())

CONFIG = ServiceProviderConfig(
    patch={"supported": True},
    bulk={"supported": False, "max_operations": 0, "max_payload_size": 0},
    filter={"supported": True, "max_results": MAX_RESULTS},
    change_password={"supported": False},
    sort={"supported": False},
    etag={"supported": False},
    authentication_schemes=[
        {
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "The company's SCIM token, from Settings → Provisioning.",
            "primary": True,
        }
    ],
)

PROVIDER = ScimProvider(
    models=[ScimUser, ScimGroup],
    resource_types=[
        ResourceType.from_resource(ScimUser),
        ResourceType.from_resource(ScimGroup),
    ],
    config=CONFIG,
)
