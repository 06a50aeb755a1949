"""The people a membership belongs to, as tenants see them.

The user model lives in `identity`, which builds on tenants (sign-up creates a company, a token
is scoped to one), so tenants never import it: the database refers to it through Django's
AUTH_USER_MODEL setting, code through `get_user_model()`, and annotations through `User`, the
base class every user model has."""

from django.contrib.auth.base_user import AbstractBaseUser

User = AbstractBaseUser

__all__ = ["User"]
