from django.conf import settings
from django.http import HttpRequest

from tenants.domains import network_url
from tenants.selectors import memberships_of_user


def workspace(request: HttpRequest) -> dict:
    """The header's needs: which workspace this is and where else the user can go."""
    tenant = getattr(request, "tenant", None)
    is_company = tenant is not None and tenant.schema_name != settings.PUBLIC_SCHEMA_NAME
    user = getattr(request, "user", None)

    def other_memberships() -> list:
        if user is None or not user.is_authenticated:
            return []
        memberships = getattr(request, "memberships", None)
        if memberships is None:
            memberships = memberships_of_user(user=user)
        return [m for m in memberships if not is_company or m.company_id != tenant.pk]

    return {
        "company": tenant if is_company else None,
        "membership": getattr(request, "membership", None),
        "switchable_memberships": other_memberships,  # lazily evaluated by the template
        "network_home_url": network_url("/"),
        "base_domain": settings.BASE_DOMAIN,
        # the local demo: pages may say where its e-mails go (printed by the worker)
        "demo_mode": settings.DEMO,
    }
