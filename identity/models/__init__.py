"""Identity's tables, all in the public schema: people, how they get in (tokens, sessions,
invitations) and each company's identity providers, domains and provisioning."""

from identity.models.invitations import ColleagueInvitation
from identity.models.people import PersonalAccessToken, SignupIntent, User, UserManager
from identity.models.sessions import UserSession

__all__ = [
    "ColleagueInvitation",
    "PersonalAccessToken",
    "SignupIntent",
    "User",
    "UserManager",
    "UserSession",
]
