"""A partner's page in our workspace: the partnership, our own record of the partner (type,
manager, custom fields, notes) and what we share with each other."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from business.display import custom_rows
from business.selectors import fields_of
from partners.relationships.forms import RelationshipForm
from partners.relationships.models import PartnerRelationship
from partners.relationships.selectors import partner_type_terms, relationship_of
from partners.relationships.services import relationship_fields, relationship_update
from sharing.collaboration.edit_forms import versioned_form_save
from sharing.network.selectors import partnership_get_for_company
from sharing.records.access import owned_records_shared_with_count, shared_records_shared_with
from tenants.selectors import members_of_company


def partner_detail(request: HttpRequest, pk: str) -> HttpResponse:
    partnership = partnership_get_for_company(company=request.tenant, pk=pk)
    partner = partnership.other(request.tenant)
    relationship = relationship_of(partner=partner)
    types = {t.key: t.label for t in partner_type_terms(include_retired=True)}
    manager = (
        members_of_company(company=request.tenant).filter(user_id=relationship.manager_id).first()
        if relationship.manager_id
        else None
    )
    return render(
        request,
        "partners/relationship_detail.html",
        {
            "partnership": partnership,
            "partner": partner,
            "relationship": relationship,
            "type_label": types.get(relationship.partner_type, ""),
            "manager": manager.user if manager else None,
            "custom_rows": custom_rows(
                definitions=fields_of(object_type=PartnerRelationship.kind_key),
                values=relationship.custom,
            ),
            "shared_with_them": owned_records_shared_with_count(
                owner=request.tenant, partner=partner
            ),
            "shared_with_us": shared_records_shared_with(user=request.user, company=request.tenant)
            .filter(owner=partner, archived_at__isnull=True)
            .count(),
        },
    )


def partner_edit(request: HttpRequest, pk: str) -> HttpResponse:
    partnership = partnership_get_for_company(company=request.tenant, pk=pk)
    partner = partnership.other(request.tenant)
    relationship = relationship_of(partner=partner)
    form = RelationshipForm(
        request.POST or None,
        initial={**relationship_fields(relationship), "version": relationship.version},
        partner_types=[(t.key, t.label) for t in partner_type_terms()],
        people=[
            (m.user_id, m.user.get_full_name()) for m in members_of_company(company=request.tenant)
        ],
        may_classify=request.membership.is_admin,
    )
    form.add_custom_fields(company=request.tenant, values=relationship.custom)
    saved, conflict = False, None
    if request.method == "POST":
        try:
            saved, conflict = versioned_form_save(
                form,
                current_version=relationship.version,
                save=lambda data, expected: relationship_update(
                    actor=request.user,
                    actor_membership=request.membership,
                    partner=partner,
                    data=data,
                    expected_version=expected,
                ),
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
    if saved:
        messages.success(request, f"Saved your record of {partner.name}.")
        return redirect("partner_detail", pk=partnership.pk)
    return render(
        request,
        "partners/relationship_form.html",
        {"form": form, "partner": partner, "partnership": partnership, "conflict": conflict},
    )
