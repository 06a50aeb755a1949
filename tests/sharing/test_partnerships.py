"""Partnerships: invite, accept, decline, end — admins only, audited on both sides."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from audit.models import AuditEvent
from sharing.models import Partnership, PartnershipStatus
from sharing.network.selectors import active_partner_ids, partnership_get_for_company
from sharing.network.services.partnerships import (
    partnership_accept,
    partnership_decline,
    partnership_end,
    partnership_invite,
)
from tests.builders import company_make
from tests.sharing.helpers import membership


@pytest.mark.django_db
def test_invite_then_accept_makes_active_partners_audited_on_both_sides(acme, globex, mailoutbox):
    invitation = partnership_invite(
        actor=acme.owner,
        actor_membership=membership(acme),
        partner=globex.company,
        message="Let's co-sell",
    )
    assert invitation.status == PartnershipStatus.INVITED
    assert active_partner_ids(company=acme.company) == set()
    partnership_accept(
        actor=globex.admin,
        actor_membership=membership(globex, globex.admin),
        partnership=invitation,
    )
    assert active_partner_ids(company=acme.company) == {globex.company.pk}
    assert active_partner_ids(company=globex.company) == {acme.company.pk}
    for company in (acme.company, globex.company):
        actions = set(
            AuditEvent.objects.filter(company=company, target_id=str(invitation.pk)).values_list(
                "action", flat=True
            )
        )
        assert actions == {"partnership.invited", "partnership.accepted"}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["member", "owner_of_requester"])
def test_only_admins_of_the_invited_company_answer(acme, globex, who):
    invitation = partnership_invite(
        actor=acme.owner, actor_membership=membership(acme), partner=globex.company
    )
    if who == "member":
        with pytest.raises(PermissionDenied):
            partnership_accept(
                actor=globex.member,
                actor_membership=membership(globex, globex.member),
                partnership=invitation,
            )
    else:
        with pytest.raises(PermissionDenied):
            partnership_accept(
                actor=acme.owner, actor_membership=membership(acme), partnership=invitation
            )
    invitation.refresh_from_db()
    assert invitation.status == PartnershipStatus.INVITED


@pytest.mark.django_db
def test_bad_invitations_are_refused_with_clear_messages(acme, globex):
    with pytest.raises(ValidationError, match="itself"):
        partnership_invite(
            actor=acme.owner, actor_membership=membership(acme), partner=acme.company
        )
    with pytest.raises(PermissionDenied):
        partnership_invite(
            actor=acme.member,
            actor_membership=membership(acme, acme.member),
            partner=globex.company,
        )
    partnership_invite(actor=acme.owner, actor_membership=membership(acme), partner=globex.company)
    with pytest.raises(ValidationError, match="already invited"):
        partnership_invite(
            actor=acme.owner, actor_membership=membership(acme), partner=globex.company
        )
    with pytest.raises(ValidationError, match="Accept their invitation"):
        partnership_invite(
            actor=globex.owner, actor_membership=membership(globex), partner=acme.company
        )
    assert Partnership.objects.count() == 1


@pytest.mark.django_db
def test_decline_and_end(acme, globex):
    first = partnership_invite(
        actor=acme.owner, actor_membership=membership(acme), partner=globex.company
    )
    partnership_decline(actor=globex.owner, actor_membership=membership(globex), partnership=first)
    with pytest.raises(ValidationError, match="already been answered"):
        partnership_accept(
            actor=globex.owner, actor_membership=membership(globex), partnership=first
        )
    second = partnership_invite(
        actor=acme.owner, actor_membership=membership(acme), partner=globex.company
    )
    partnership_accept(actor=globex.owner, actor_membership=membership(globex), partnership=second)
    partnership_end(actor=globex.owner, actor_membership=membership(globex), partnership=second)
    second.refresh_from_db()
    assert second.status == PartnershipStatus.ENDED and second.ended_by == globex.owner
    assert active_partner_ids(company=acme.company) == set()
    with pytest.raises(ValidationError, match="already ended"):
        partnership_end(actor=acme.owner, actor_membership=membership(acme), partnership=second)


@pytest.mark.django_db
def test_a_third_company_cannot_see_or_end_a_partnership(acme, globex):
    third = company_make("initrode")
    invitation = partnership_invite(
        actor=acme.owner, actor_membership=membership(acme), partner=globex.company
    )
    with pytest.raises(Http404):
        partnership_get_for_company(company=third.company, pk=invitation.pk)
    with pytest.raises(PermissionDenied):
        partnership_end(
            actor=third.owner, actor_membership=membership(third), partnership=invitation
        )
    invitation.refresh_from_db()
    assert invitation.status == PartnershipStatus.INVITED
