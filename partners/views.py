"""Partner pages on a company host: the partner list, the directory, company profiles, and the
partnership actions. Thin: selectors read, services write."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from identity.throttles import (
    TOO_MANY_PARTNER_INVITATIONS,
    attempt_count,
    mailbox_key,
    pair_key,
)
from partners.relationships.selectors import partner_type_terms, relationships_by_partner
from sharing.models import PartnershipStatus
from sharing.network.selectors import (
    directory_companies,
    directory_company_get,
    partnership_get_for_company,
    partnership_open_between,
    partnership_statuses_with,
    partnerships_of_company,
)
from sharing.network.services.invitations import partner_invitation_send
from sharing.network.services.partnerships import (
    partnership_accept,
    partnership_decline,
    partnership_end,
    partnership_invite,
)
from tenants.models import Offering


def _error_text(exc: Exception) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


def partners(request: HttpRequest) -> HttpResponse:
    # our own record of each partner (type, manager) lives in the company's schema
    company = request.tenant
    rows = list(partnerships_of_company(company=company))
    ours = relationships_by_partner(partner_ids=[p.other(company).pk for p in rows])
    type_labels = {t.key: t.label for t in partner_type_terms(include_retired=True)}
    wanted_type = request.GET.get("type", "")
    groups: dict[str, list] = {"active": [], "incoming": [], "outgoing": [], "past": []}
    for p in rows:
        p.partner = p.other(company)
        relationship = ours.get(p.partner.pk)
        p.our_type = relationship.partner_type if relationship else ""
        p.our_type_label = type_labels.get(p.our_type, "")
        if p.status == PartnershipStatus.ACTIVE:
            if wanted_type and p.our_type != (wanted_type if wanted_type != "none" else ""):
                continue
            groups["active"].append(p)
        elif p.status == PartnershipStatus.INVITED:
            groups["incoming" if p.addressee_id == company.pk else "outgoing"].append(p)
        else:
            groups["past"].append(p)
    return render(
        request,
        "partners/partners.html",
        {
            "groups": groups,
            "type_choices": list(type_labels.items()),
            "wanted_type": wanted_type,
        },
    )


def directory(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    offering = request.GET.get("type", "")
    if offering not in Offering.values:
        offering = ""
    page = Paginator(
        directory_companies(company=request.tenant, query=query, offering=offering), 25
    ).get_page(request.GET.get("page"))
    statuses = partnership_statuses_with(company=request.tenant, others=list(page.object_list))
    for other in page.object_list:
        other.partnership = statuses.get(other.pk)
    return render(
        request,
        "partners/directory.html",
        {"page": page, "q": query, "type": offering, "offerings": Offering.choices},
    )


def company_profile(request: HttpRequest, slug: str) -> HttpResponse:
    other = directory_company_get(slug=slug)
    partnership = (
        None
        if other.pk == request.tenant.pk
        else partnership_open_between(company=request.tenant, other=other)
    )
    return render(
        request,
        "partners/company_profile.html",
        {"other": other, "partnership": partnership, "listings": list(other.listings.all())},
    )


def _act(request: HttpRequest, action: Callable[[], object], success: str) -> HttpResponse:
    try:
        action()
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, success)
    back = request.POST.get("next") or ""
    # only back to a page of this host (never an address someone put in the form)
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "partners"
    return redirect(back)


@require_POST
def partnership_invite_view(request: HttpRequest, slug: str) -> HttpResponse:
    other = directory_company_get(slug=slug)
    # each invitation e-mails the other company's admins: bounded per person and per pair
    if not attempt_count(
        request,
        action="partnership_invite",
        key=pair_key(request.tenant.pk, other.pk),
        user=request.user,
    ):
        messages.error(request, TOO_MANY_PARTNER_INVITATIONS)
        return redirect("partners")
    return _act(
        request,
        lambda: partnership_invite(
            actor=request.user,
            actor_membership=request.membership,
            partner=other,
            message=request.POST.get("message", "").strip(),
        ),
        f"Invitation sent to {other.name}.",
    )


def _partnership_action(service, success: str):  # type: ignore[no-untyped-def]
    @require_POST
    def view(request: HttpRequest, pk: str) -> HttpResponse:
        partnership = partnership_get_for_company(company=request.tenant, pk=pk)
        name = partnership.other(request.tenant).name
        return _act(
            request,
            lambda: service(
                actor=request.user, actor_membership=request.membership, partnership=partnership
            ),
            success.format(name=name),
        )

    return view


partnership_accept_view = _partnership_action(partnership_accept, "You now partner with {name}.")
partnership_decline_view = _partnership_action(
    partnership_decline, "You declined {name}'s invitation."
)
partnership_end_view = _partnership_action(
    partnership_end,
    "The partnership with {name} has ended. Records shared between you are no longer visible to them.",
)


@require_POST
def partner_invite_by_email(request: HttpRequest) -> HttpResponse:
    email = request.POST.get("email", "")
    # An invitation is an e-mail to someone outside the network: bounded per person and per
    # address, so a workspace cannot be used to send mail in bulk.
    if not attempt_count(
        request, action="partner_invitation", key=mailbox_key(email), user=request.user
    ):
        messages.error(
            request,
            "You have sent many invitations recently, or this address was invited several times "
            "today. Try again later.",
        )
        return redirect("partners")
    return _act(
        request,
        lambda: partner_invitation_send(
            actor=request.user,
            actor_membership=request.membership,
            email=email,
            company_name=request.POST.get("company_name", ""),
            message=request.POST.get("message", "").strip(),
        ),
        f"Invitation e-mailed to {email.strip()}.",
    )
