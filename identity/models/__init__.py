"""Identity's tables, all in the public schema: people, how they get in (tokens, sessions,
invitations) and each company's identity providers, domains and provisioning."""

from identity.models.directory import DirectoryGroup, DirectoryGroupMember, DirectoryUser
from identity.models.invitations import ColleagueInvitation
from identity.models.people import PersonalAccessToken, SignupIntent, User, UserManager
from identity.models.service_accounts import (
    SERVICE_DOMAIN,
    ServiceAccount,
    ServiceAccountPurpose,
)
from identity.models.sessions import UserSession
from identity.models.sso import EmailDomain, SsoConnection, SsoPolicy, SsoProtocol

__all__ = [
    "SERVICE_DOMAIN",
    "ColleagueInvitation",
    "DirectoryGroup",
    "DirectoryGroupMember",
    "DirectoryUser",
    "EmailDomain",
    "PersonalAccessToken",
    "ServiceAccount",
    "ServiceAccountPurpose",
    "SignupIntent",
    "SsoConnection",
    "SsoPolicy",
    "SsoProtocol",
    "User",
    "UserManager",
    "UserSession",
]
