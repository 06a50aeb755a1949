"""A network of three companies, each with every kind of private configuration and private
data planted as unique marker strings, and records shared in several directions — the world
of the configuration leak matrix (test_private_configuration_leak.py).

Everything is built through the real services (as ecosystem/demo.py does), so the markers sit
exactly where a company's admin or PBM would put them.

A marker is a string with an audience: the companies (and, for a record shared with named
people, the people) allowed to read it. Private configuration and private fields have their
own company as their only audience and read "PRIVATE-<slug>-<what>"; anything else with a
narrower audience than "everyone on the record" reads "RESTRICTED-<slug>-<what>"."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from identity.models import User
from sharing.models import SharedRecord
from tenants.models import Company, Membership
from tests.builders import CompanyWorld, company_make

ALPHA, BETA, GAMMA = "leak-alpha", "leak-beta", "leak-gamma"
SLUGS = (ALPHA, BETA, GAMMA)
# Partnerships A–B and B–C; A and C are not partners.
PARTNERS = {ALPHA: [BETA], BETA: [ALPHA, GAMMA], GAMMA: [BETA]}
# Any marker of any world company, including one nobody registered: what the crawl looks for.
MARKER_PATTERN = re.compile(r"(?:PRIVATE|RESTRICTED)-(leak-(?:alpha|beta|gamma))-[a-z0-9-]+")
# Amounts are private too (each company withholds them from every partner); unique numbers
# that no date, id or count in a page can spell by accident.
AMOUNTS = {ALPHA: 7316401, BETA: 7316402, GAMMA: 7316403}


def amount_pattern(amount: int) -> re.Pattern[str]:
    """The amount as a number of its own (7316401, 7316401.00, 7,316,401), not a run of
    digits inside an id or a token."""
    return re.compile(rf"(?<![\w-])(?:{amount}|{amount:,})(?![\w-])")


@dataclass(frozen=True)
class Marker:
    text: str
    owner: str  # the slug of the company whose data it is
    what: str
    audience: frozenset[str]  # companies that may read it
    # within companies other than the owner, only these people may (a share with named people)
    people: frozenset[int] | None = None
    # companies on whose host it must show at least once (else the test proves nothing)
    must_show_at: frozenset[str] = frozenset()

    def readable_by(self, company: str | None, user_id: int | None) -> bool:
        if company not in self.audience:
            return False
        return company == self.owner or self.people is None or user_id in self.people


@dataclass
class LeakWorld:
    worlds: dict[str, CompanyWorld]
    markers: dict[str, Marker] = field(default_factory=dict)
    # ids of objects that live only in a company's schema (never published): as private as
    # the markers, but not required to show anywhere
    private_ids: dict[str, Marker] = field(default_factory=dict)
    # per company: the ids of its own objects and of the shared records its people may see
    ids: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    invitation_ids: list[Any] = field(default_factory=list)
    # responses to writes made during the scenario, read like any page: (slug, user, what, body)
    scenario_responses: list[tuple[str, User, str, str]] = field(default_factory=list)

    def serial(self) -> str:
        """A fresh number for markers of one kind planted more than once (zero-padded, so no
        marker is the beginning of another)."""
        self._serial = getattr(self, "_serial", 0) + 1
        return f"{self._serial:03d}"

    def private(self, slug: str, what: str) -> str:
        return self.mark(f"PRIVATE-{slug}-{what}", owner=slug, what=what)

    def mark(
        self,
        text: str,
        *,
        owner: str,
        what: str,
        audience: tuple[str, ...] = (),
        people: tuple[User, ...] | None = None,
    ) -> str:
        assert MARKER_PATTERN.fullmatch(text), text
        everyone = frozenset({owner, *audience})
        for other in self.markers:
            # a marker inside another would count as shown where only the longer one is
            assert other not in text and text not in other, (other, text)
        self.markers[text] = Marker(
            text=text,
            owner=owner,
            what=what,
            audience=everyone,
            people=None if people is None else frozenset(p.pk for p in people),
            must_show_at=everyone,
        )
        return text

    def company(self, slug: str) -> Company:
        return self.worlds[slug].company

    def people_of(self, slug: str) -> list[User]:
        w = self.worlds[slug]
        return [w.owner, w.admin, w.member]


def membership_of(world: CompanyWorld, user: User | None = None) -> Membership:
    return Membership.objects.select_related("company", "user").get(
        company=world.company, user=user or world.owner
    )


def _u(slug: str) -> str:
    return slug.replace("-", "_")


# -- private configuration ------------------------------------------------------------------


def configuration_plant(w: LeakWorld, slug: str) -> dict[str, Any]:
    """Every kind of private configuration of `slug`'s company, each holding a marker."""
    from approvals.services import approval_rule_create
    from business.models import Term, Vocabulary
    from business.policy import sharing_policy_update
    from business.rules import rule_create
    from business.saved_views import saved_view_create
    from business.services import field_create, term_add, term_update, vocabulary_create
    from business.withholding import UNCLASSIFIED
    from identity.invitations import colleague_invitations_send
    from identity.models import EmailDomain, SsoConnection
    from identity.tokens import token_create
    from reports.services import metric_create

    world = w.worlds[slug]
    owner, company = world.owner, world.company
    u = _u(slug)
    made: dict[str, Any] = {}
    with schema_context(company.schema_name):
        # the company's own words for the network's canonical values
        for vocabulary, key, what in (
            ("stages", "qualify", "stage-label"),
            ("motions", "sell_with", "motion-label"),
            ("deal_roles", "fulfilling", "deal-role-label"),
        ):
            term = Term.objects.select_related("vocabulary", "parent").get(
                vocabulary__key=vocabulary, key=key
            )
            term_update(actor=owner, term=term, data={"label": w.private(slug, what)})
        # a vocabulary of its own (its keys are private too: they name its terms)
        vocabulary = vocabulary_create(
            actor=owner, data={"key": f"priv_{u}_vocab", "label": w.private(slug, "vocabulary")}
        )
        for key in ("emea", "amer"):
            term_add(
                actor=owner,
                vocabulary=vocabulary,
                data={"key": key, "label": w.private(slug, f"term-{key}")},
            )
        tier = f"priv_{u}_tier"
        term_add(
            actor=owner,
            vocabulary=Vocabulary.objects.get(key="partner_types"),
            data={"key": tier, "label": w.private(slug, "partner-type")},
        )
        made["tier"] = tier
        regions = Vocabulary.objects.get(key="regions")

        def define(**data: Any) -> Any:
            return field_create(
                actor=owner, company=company, data={"object_type": "opportunity", **data}
            )

        # private fields: never shareable
        define(
            key=f"priv_{u}_secret",
            label=w.private(slug, "field-label"),
            help_text=w.private(slug, "field-help"),
            field_type="text",
        )
        define(
            key=f"priv_{u}_formula",
            label=w.private(slug, "derived-label"),
            field_type="text",
            formula=f'IF(amount > 0, "{w.private(slug, "formula")}", "")',
        )
        # shareable, but the policy below withholds it from every partner
        define(
            key="withheld_code",
            label=w.private(slug, "withheld-label"),
            field_type="text",
            shareable=True,
        )
        # shareable and published: label and value travel with the record by design
        define(key="deal_code", label=f"{slug} deal code", field_type="text", shareable=True)
        define(
            key="shared_region",
            label=f"{slug} region",
            field_type="choice",
            vocabulary=regions,
            shareable=True,
        )
        # the fields a partner's published fields are mapped to: the mapping and these labels
        # are this company's private configuration
        made["their_ref"] = define(
            key=f"priv_{u}_ref", label=w.private(slug, "mapped-text-label"), field_type="text"
        )
        made["their_region"] = define(
            key=f"priv_{u}_region",
            label=w.private(slug, "mapped-choice-label"),
            field_type="choice",
            vocabulary=vocabulary,
        )
        field_create(
            actor=owner,
            company=company,
            data={
                "object_type": "solution",
                "key": f"priv_{u}_sol",
                "label": w.private(slug, "solution-field-label"),
                "field_type": "text",
            },
        )
        # policies
        sharing_policy_update(
            actor=owner,
            company=company,
            data={
                "private_core_fields": {"opportunity": ["next_step"], "solution": ["summary"]},
                "withheld_fields": {
                    "opportunity": {
                        "amount": {"partner_types": [tier, UNCLASSIFIED]},
                        "custom.withheld_code": {"partner_types": [tier, UNCLASSIFIED]},
                    }
                },
            },
        )
        rule_create(
            actor=owner,
            data={
                "object_type": "opportunity",
                "name": w.private(slug, "rule-name"),
                "condition": 'stage = "lost"',
                "message": w.private(slug, "rule-message"),
            },
        )
        approval_rule_create(
            actor=owner,
            data={
                "name": w.private(slug, "approval-rule"),
                "object_type": "opportunity",
                "min_amount": "7000000",
                "currency": "USD",
                "partner_types": [tier],
            },
        )
        metric_create(
            actor=owner,
            data={
                "name": w.private(slug, "metric"),
                "object_type": "opportunity",
                "measure": "count",
                "group_by": "stage",
                "chart": "bar",
            },
        )
        saved_view_create(
            actor=owner,
            object_type="opportunity",
            name=w.private(slug, "saved-view"),
            query="stage=qualify",
            shared=True,
        )
    token_create(actor=owner, company=company, name=w.private(slug, "token"))
    colleague_invitations_send(
        actor=owner,
        actor_membership=Membership.objects.get(company=company, user=owner),
        company=company,
        emails=f"invitee@{slug}.test",
        role="member",
        message=w.private(slug, "invitation-note"),
    )
    SsoConnection.objects.create(
        company=company,
        protocol="saml",
        name=w.private(slug, "sso-connection"),
        provider_id=f"saml-{slug}",
        saml_entity_id=f"https://idp.{slug}.test/{w.private(slug, 'sso-entity')}",
        saml_sso_url=f"https://idp.{slug}.test/sso",
        saml_x509cert="MIIB",
    )
    EmailDomain.objects.create(company=company, domain=f"{slug}-mail.test")
    from identity.models import DirectoryGroup
    from identity.service_accounts import service_account_create

    service_account_create(
        actor=owner,
        actor_membership=Membership.objects.get(company=company, user=owner),
        company=company,
        name=w.private(slug, "service-account"),
        description=w.private(slug, "integration-purpose"),
        scopes=["records:read"],
    )
    DirectoryGroup.objects.create(company=company, display_name=w.private(slug, "idp-group"))
    from tests.integrations.helpers import connection_plant, import_plant

    # an imported file, with a private marker in its name
    import_plant(world, name=w.private(slug, "import-file") + ".csv")
    # its CRM connection (with a mapping, a run, a link, a conflict and a failed record)
    connection_plant(
        world,
        name=w.private(slug, "crm-connection"),
        url=f"http://127.0.0.1:9/{w.private(slug, 'crm-address')}",
    )
    # its webhook endpoint, told of every event (nothing listens there: each attempt fails
    # and is logged with what would have been sent, which the crawl then reads)
    from webhooks.catalogue import KEYS
    from webhooks.services import endpoint_create

    with schema_context(company.schema_name):
        endpoint_create(
            actor=owner,
            actor_membership=Membership.objects.get(company=company, user=owner),
            url=f"http://127.0.0.1:9/{w.private(slug, 'webhook-address')}",
            description=w.private(slug, "webhook-description"),
            event_types=list(KEYS),
        )
    return made


def relationships_plant(w: LeakWorld, slug: str, partners: list[str], tier: str) -> None:
    """Our private record of each partner: our type for it, and notes."""
    from partners.relationships.services import relationship_update

    world = w.worlds[slug]
    with schema_context(world.company.schema_name):
        for partner in partners:
            relationship_update(
                actor=world.owner,
                actor_membership=membership_of(world),
                partner=w.company(partner),
                data={
                    "partner_type": tier,
                    "notes": w.private(slug, f"notes-on-{partner}"),
                    "manager_id": world.member.pk,
                },
                expected_version=None,
            )


def mappings_plant(w: LeakWorld, slug: str, partners: list[str], made: dict[str, Any]) -> None:
    """`slug` reads each partner's published fields as its own private ones."""
    from business.mappings import mapping_set

    world = w.worlds[slug]
    with schema_context(world.company.schema_name):
        for partner in partners:
            for key, target in (("deal_code", "their_ref"), ("shared_region", "their_region")):
                mapping_set(
                    actor=world.owner,
                    partner_id=w.company(partner).pk,
                    partner_key=key,
                    field_id=made[target].pk,
                )


# -- records ------------------------------------------------------------------------------


def opportunity_plant(w: LeakWorld, slug: str, customer: str, *, amount: int | None = None):  # type: ignore[no-untyped-def]
    """An opportunity with a value in every private field (and the published ones)."""
    from accounts.models import Account
    from accounts.services import account_update
    from pipeline.services import opportunity_create

    world = w.worlds[slug]
    u = _u(slug)
    with schema_context(world.company.schema_name):
        opportunity = opportunity_create(
            actor=world.owner,
            company=world.company,
            data={
                "customer_name": customer,
                # one account per customer (accounts join opportunities by domain)
                "customer_domain": f"{slug}-{''.join(c for c in customer.lower() if c.isalnum())}.example",
                "amount": Decimal(amount or AMOUNTS[slug]),
                "currency": "USD",
                "close_date": datetime.date(2027, 9, 30),
                "stage": "qualify",
                "motion": "sell_with",
                "next_step": w.private(slug, f"next-step-{w.serial()}"),
                "private_notes": w.private(slug, f"private-notes-{w.serial()}"),
                "custom": {
                    f"priv_{u}_secret": w.private(slug, f"field-value-{w.serial()}"),
                    "withheld_code": w.private(slug, f"withheld-value-{w.serial()}"),
                    "deal_code": f"published-{slug}-code",
                    "shared_region": "emea",
                },
            },
        )
        # the customer's account: private to the company, never shared
        account = Account.objects.get(pk=opportunity.account_id)
        if account.description:  # the same customer again
            return opportunity
        account_update(
            actor=world.owner,
            company=world.company,
            account=account,
            data={"description": w.private(slug, f"account-notes-{w.serial()}")},
            expected_version=account.version,
        )
        return opportunity


def publish(w: LeakWorld, slug: str, opportunity) -> SharedRecord:  # type: ignore[no-untyped-def]
    from pipeline.services import opportunity_publish

    world = w.worlds[slug]
    with schema_context(world.company.schema_name):
        return opportunity_publish(
            actor=world.owner, company=world.company, opportunity=opportunity
        )


def share(  # type: ignore[no-untyped-def]
    w: LeakWorld, slug: str, record, partner: str, role: str, *, by=None, **kwargs
) -> None:
    from sharing.records.services.sharing import sharing_entry_set

    world = w.worlds[slug]
    actor = by or world.owner
    sharing_entry_set(
        actor=actor,
        actor_membership=membership_of(world, actor),
        record=record,
        partner=w.company(partner),
        role=role,
        **kwargs,
    )


def client_for(host: str, user: User | None) -> Client:
    client = Client(HTTP_HOST=host, raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def world_companies() -> LeakWorld:
    """The three companies, each with an owner, an admin and a member."""
    connection.set_schema_to_public()
    return LeakWorld(worlds={slug: company_make(slug) for slug in SLUGS})


def world_build(w: LeakWorld) -> LeakWorld:
    """The whole scenario. Run it inside django_capture_on_commit_callbacks(execute=True) so
    the notifications and e-mails it causes are delivered (to locmem)."""
    from approvals.models import ShareRequest
    from approvals.services import share_or_request, share_request_approve
    from marketing.services import plan_create, task_add
    from pipeline.services import opportunity_publish
    from sharing.collaboration.services.collaboration import (
        participation_update,
        shared_record_collaborate,
    )
    from sharing.collaboration.services.comments import comment_add, internal_comment_add
    from sharing.network.services.invitations import partner_invitation_send
    from sharing.network.services.partnerships import partnership_accept, partnership_invite
    from sharing.records.access import shared_record_get_for_actor
    from solutions.services import solution_create, solution_publish

    connection.set_schema_to_public()
    a, b, c = (w.worlds[s] for s in SLUGS)

    # partnerships A–B and B–C (invited and accepted through the services); none A–C
    for inviter, invitee in ((a, b), (c, b)):
        partnership = partnership_invite(
            actor=inviter.owner, actor_membership=membership_of(inviter), partner=invitee.company
        )
        partnership_accept(
            actor=invitee.owner, actor_membership=membership_of(invitee), partnership=partnership
        )
    made = {slug: configuration_plant(w, slug) for slug in SLUGS}
    for slug in SLUGS:
        relationships_plant(w, slug, PARTNERS[slug], made[slug]["tier"])
        mappings_plant(w, slug, PARTNERS[slug], made[slug])

    # never shared: a private deal, solution and plan in every company
    for slug in SLUGS:
        world = w.worlds[slug]
        opportunity_plant(w, slug, w.private(slug, "private-deal"))
        with schema_context(world.company.schema_name):
            solution_create(
                actor=world.owner,
                company=world.company,
                data={"name": w.private(slug, "private-solution"), "status": "available"},
            )
            plan_create(
                actor=world.owner,
                company=world.company,
                data={
                    "name": w.private(slug, "private-plan"),
                    "period_start": datetime.date(2027, 1, 1),
                    "period_end": datetime.date(2027, 6, 30),
                    "budget": Decimal("50000"),
                    "currency": "EUR",
                },
            )

    # A → B as contributor, shared by A's member: A's approval rule (B is of A's private
    # type, the amount is over its threshold) makes it wait for A's owner, who approves
    a_deal = opportunity_plant(w, ALPHA, "Alpha joint deal")
    with schema_context(a.company.schema_name):
        request = share_or_request(
            actor=a.member,
            actor_membership=membership_of(a, a.member),
            kind="opportunity",
            source_id=a_deal.pk,
            title=a_deal.customer_name,
            publish=lambda: opportunity_publish(
                actor=a.member, company=a.company, opportunity=a_deal
            ),
            partner=b.company,
            role="contributor",
            deal_role="fulfilling",
            note=w.private(ALPHA, "approval-note"),
        )
        assert request is not None, "A's approval rule should have stopped this share"
        share_request_approve(
            actor=a.owner,
            actor_membership=membership_of(a),
            request=ShareRequest.objects.get(pk=request.pk),
            comment=w.private(ALPHA, "approval-comment"),
        )
        a_deal.refresh_from_db()
    a_record = SharedRecord.objects.get(pk=a_deal.shared_record_id)
    # ... a second A deal waits for approval (its request stays in A's inbox)
    a_pending = opportunity_plant(w, ALPHA, "Alpha pending deal")
    with schema_context(a.company.schema_name):
        share_or_request(
            actor=a.member,
            actor_membership=membership_of(a, a.member),
            kind="opportunity",
            source_id=a_pending.pk,
            title=a_pending.customer_name,
            publish=lambda: opportunity_publish(
                actor=a.member, company=a.company, opportunity=a_pending
            ),
            partner=b.company,
            role="viewer",
            note=w.private(ALPHA, "pending-note"),
        )
    # A → B as manager who may re-share: B adds C (A's policy reaches a company A does not
    # partner with; A does not classify C, and withholds from unclassified partners too)
    a_resharable = opportunity_plant(w, ALPHA, "Alpha resharable deal")
    a_reshared = publish(w, ALPHA, a_resharable)
    share(w, ALPHA, a_reshared, BETA, "manager")
    owner_page = client_for(a.host, a.owner)
    response = owner_page.post(
        f"/shared/{a_reshared.pk}/settings/", {"participants_may_share": "on"}
    )
    assert response.status_code == 302, response.status_code
    share(w, BETA, SharedRecord.objects.get(pk=a_reshared.pk), GAMMA, "contributor")
    # A → only B's member, by name
    a_named = opportunity_plant(
        w,
        ALPHA,
        w.mark(
            f"RESTRICTED-{ALPHA}-named-deal",
            owner=ALPHA,
            what="deal shared with B's member only",
            audience=(BETA,),
            people=(b.member,),
        ),
    )
    a_named_record = publish(w, ALPHA, a_named)
    share(w, ALPHA, a_named_record, BETA, "contributor", users=[b.member])

    # B → A a solution (also listed on B's public profile), B → C a marketing plan
    with schema_context(b.company.schema_name):
        solution = solution_create(
            actor=b.owner,
            company=b.company,
            data={
                "name": "Beta shared solution",
                "summary": w.private(BETA, "solution-summary"),
                "status": "available",
                "is_public": True,
                "custom": {f"priv_{_u(BETA)}_sol": w.private(BETA, "solution-field-value")},
            },
        )
        b_solution = solution_publish(actor=b.owner, company=b.company, solution=solution)
        plan = plan_create(
            actor=b.owner,
            company=b.company,
            data={
                "name": "Beta shared plan",
                "objective": "Shared objective",
                "period_start": datetime.date(2027, 1, 1),
                "period_end": datetime.date(2027, 6, 30),
                "budget": Decimal("60000"),
                "currency": "EUR",
            },
        )
        task_add(
            actor=b.owner,
            company=b.company,
            plan=plan,
            data={"title": w.private(BETA, "plan-task"), "owner_id": b.member.pk},
        )
        from marketing.services import plan_publish

        b_plan = plan_publish(actor=b.owner, company=b.company, plan=plan)
    share(w, BETA, b_solution, ALPHA, "viewer")
    share(w, BETA, b_plan, GAMMA, "contributor")
    # B → A and C with participants kept apart
    b_deal = opportunity_plant(w, BETA, "Beta joint deal")
    b_record = publish(w, BETA, b_deal)
    client_for(b.host, b.owner).post(
        f"/shared/{b_record.pk}/settings/", {"restrict_participants": "on"}
    )
    share(w, BETA, b_record, ALPHA, "contributor")
    share(w, BETA, b_record, GAMMA, "contributor")
    # C → B, which B adopts into its own pipeline
    c_deal = opportunity_plant(w, GAMMA, "Gamma joint deal")
    c_record = publish(w, GAMMA, c_deal)
    share(w, GAMMA, c_record, BETA, "contributor")

    def seen(world: CompanyWorld, user: User, record: SharedRecord) -> SharedRecord:
        """The record as `user` reads it (the access function), as the pages hand it on."""
        return shared_record_get_for_actor(user=user, company=world.company, pk=record.pk)

    # partners at work: stage changes, comments, mentions, internal notes, adoption
    for world, record in ((b, a_record), (c, b_record)):
        current = seen(world, world.member, record)
        shared_record_collaborate(
            actor=world.member,
            actor_membership=membership_of(world, world.member),
            record=current,
            data={"stage": "propose"},
            expected_version=current.version,
        )
    # each partner's own section on B's record, whose participants are kept apart: C's
    # section is for B (the owner) and C, not for A
    from sharing.models import Participation

    for slug in (ALPHA, GAMMA):
        world = w.worlds[slug]
        participation_update(
            actor=world.member,
            actor_membership=membership_of(world, world.member),
            record=seen(world, world.member, b_record),
            data={
                "next_step": w.mark(
                    f"RESTRICTED-{slug}-section-on-beta",
                    owner=slug,
                    what="own section on B's record with participants kept apart",
                    audience=(BETA,),
                )
            },
            expected_version=Participation.objects.get(
                record=b_record, company=world.company
            ).version,
        )
    # B tries to move A's deal to "lost", which A's private validation rule refuses for A's
    # own people: whatever B is told must not quote A's rule
    response = client_for(b.host, b.owner).post(
        f"/shared/{a_reshared.pk}/collaborate/",
        {"stage": "lost", "version": seen(b, b.owner, a_reshared).version},
        follow=True,
    )
    w.scenario_responses.append(
        (BETA, b.owner, "B moves A's deal to lost", response.content.decode())
    )
    for world, record, body in (
        (b, a_record, f"Looping in @{a.member.email} for the next call."),
        (a, a_record, f"Thanks @{b.owner.email}, agreed."),
        (b, b_record, "Kick-off for both partners."),
        (b, c_record, f"Happy to help @{c.member.email}."),
        (c, c_record, "Welcome aboard."),
        (b, a_reshared, f"Adding @{c.owner.email} to this one."),
        (c, b_plan, "Plan looks good."),
        (a, b_solution, "Interested in this solution."),
    ):
        comment_add(
            actor=world.member,
            actor_membership=membership_of(world, world.member),
            record=seen(world, world.member, record),
            body=body,
        )
    # on a record whose participants are kept apart, each partner's comment is for the owner
    for slug in (ALPHA, GAMMA):
        world = w.worlds[slug]
        text = w.mark(
            f"RESTRICTED-{slug}-comment-to-beta",
            owner=slug,
            what="comment on B's record with participants kept apart",
            audience=(BETA,),
        )
        comment_add(
            actor=world.owner,
            actor_membership=membership_of(world),
            record=seen(world, world.owner, b_record),
            body=f"{text} cc @{b.owner.email}",
        )
    for slug, records in (
        (ALPHA, [a_record, b_record, b_solution]),
        (BETA, [a_record, b_record, c_record, b_plan, a_reshared, a_named_record]),
        (GAMMA, [b_record, c_record, b_plan, a_reshared]),
    ):
        world = w.worlds[slug]
        with schema_context(world.company.schema_name):
            for index, record in enumerate(records):
                internal_comment_add(
                    actor=world.member,
                    actor_membership=membership_of(world, world.member),
                    record=seen(world, world.member, record),
                    body=f"{w.private(slug, f'internal-note-{index}')} @{world.owner.email}",
                )
    # B takes C's deal into its own pipeline (through its page, as a PBM does)
    response = client_for(b.host, b.owner).post(f"/shared/{c_record.pk}/adopt/")
    assert response.status_code == 302 and "/pipeline/" in response["Location"], response
    # an e-mail invitation to somebody not on the network yet
    invitation = partner_invitation_send(
        actor=a.owner,
        actor_membership=membership_of(a),
        email="newcomer@outside.test",
        company_name="Outside Ltd",
        message="Let's work together.",
    )
    w.invitation_ids.append(invitation.pk)

    for slug in SLUGS:
        w.ids[slug] = ids_of(w, slug)
        private_ids_collect(w, slug)
    connection.set_schema_to_public()
    return w


def private_ids_collect(w: LeakWorld, slug: str) -> None:
    """The ids of `slug`'s objects that never leave its schema: approval requests, its record
    of each partner, internal notes, task rows, and its records that were never published."""
    from approvals.models import ShareRequest
    from marketing.models import MarketingPlan, PlanTask
    from partners.relationships.models import PartnerRelationship
    from pipeline.models import Opportunity
    from sharing.lens.models import InternalComment
    from solutions.models import Solution
    from webhooks.models import WebhookDelivery, WebhookEndpoint

    with schema_context(w.company(slug).schema_name):
        rows = [
            ("approval request", ShareRequest.objects.all()),
            ("partner relationship", PartnerRelationship.objects.all()),
            ("internal note", InternalComment.objects.all()),
            ("plan task", PlanTask.objects.all()),
            ("unpublished opportunity", Opportunity.objects.filter(shared_record_id=None)),
            ("unpublished solution", Solution.objects.filter(shared_record_id=None)),
            ("unpublished plan", MarketingPlan.objects.filter(shared_record_id=None)),
            ("webhook endpoint", WebhookEndpoint.objects.all()),
            ("webhook delivery", WebhookDelivery.objects.all()),
        ]
        for what, queryset in rows:
            for pk in queryset.values_list("pk", flat=True):
                w.private_ids[str(pk)] = Marker(
                    text=str(pk), owner=slug, what=f"{what} id", audience=frozenset({slug})
                )


def ids_of(w: LeakWorld, slug: str) -> dict[str, list[Any]]:
    """What fills each URL placeholder on `slug`'s host: its own objects, and every shared
    record one of its people may see."""
    from accounts.models import Account
    from approvals.models import ApprovalRule, ShareRequest
    from business.models import FieldDefinition, SavedView, Term, ValidationRule, Vocabulary
    from identity.models import (
        ColleagueInvitation,
        DirectoryGroup,
        EmailDomain,
        PersonalAccessToken,
        ServiceAccount,
        SsoConnection,
        UserSession,
    )
    from marketing.models import MarketingPlan, PlanTask
    from pipeline.models import Opportunity
    from reports.models import Metric
    from sharing.network.selectors import partnerships_of_company
    from sharing.records.access import shared_records_visible_to
    from solutions.models import Solution

    world = w.worlds[slug]
    company = world.company
    visible: list[Any] = []
    for person in w.people_of(slug):
        for pk in shared_records_visible_to(user=person, company=company).values_list(
            "pk", flat=True
        ):
            if pk not in visible:
                visible.append(pk)
    ids: dict[str, list[Any]] = {
        "shared/": visible,
        "partners/": [p.pk for p in partnerships_of_company(company=company)],
        "membership": list(Membership.objects.filter(company=company).values_list("pk", flat=True)),
        "token": list(
            PersonalAccessToken.objects.filter(company=company).values_list("pk", flat=True)
        ),
        "settings/invitations/": list(
            ColleagueInvitation.objects.filter(company=company).values_list("pk", flat=True)
        ),
        "settings/sessions/": list(
            UserSession.objects.filter(company=company).values_list("pk", flat=True)
        ),
        "settings/sso/": list(
            SsoConnection.objects.filter(company=company).values_list("pk", flat=True)
        ),
        "settings/sso/domains/": list(
            EmailDomain.objects.filter(company=company).values_list("pk", flat=True)
        ),
        "provider_id": list(
            SsoConnection.objects.filter(company=company).values_list("provider_id", flat=True)
        ),
        "settings/service-accounts/": list(
            ServiceAccount.objects.filter(company=company).values_list("pk", flat=True)
        ),
        "settings/provisioning/groups/": list(
            DirectoryGroup.objects.filter(company=company).values_list("pk", flat=True)
        ),
    }
    with schema_context(company.schema_name):
        ids["pipeline/"] = list(Opportunity.objects.values_list("pk", flat=True))
        ids["customers/"] = list(Account.objects.values_list("pk", flat=True))
        from integrations.models import Connection, DeadLetter, ObjectMapping, SyncConflict, SyncRun

        ids["settings/integrations/"] = list(Connection.objects.values_list("pk", flat=True))
        ids["integrations/hooks/"] = ids["settings/integrations/"]
        from integrations.models import ImportJob

        ids["imports/"] = list(ImportJob.objects.values_list("pk", flat=True))
        ids["run"] = list(SyncRun.objects.values_list("pk", flat=True))
        ids["conflict"] = list(SyncConflict.objects.values_list("pk", flat=True))
        ids["letter"] = list(DeadLetter.objects.values_list("pk", flat=True))
        ids["mapping"] = list(ObjectMapping.objects.values_list("pk", flat=True))
        from webhooks.models import WebhookDelivery, WebhookEndpoint

        ids["settings/webhooks/"] = list(WebhookEndpoint.objects.values_list("pk", flat=True))
        ids["delivery"] = list(WebhookDelivery.objects.values_list("pk", flat=True))
        ids["solutions/"] = list(Solution.objects.values_list("pk", flat=True))
        ids["marketing/"] = list(MarketingPlan.objects.values_list("pk", flat=True))
        ids["task"] = list(PlanTask.objects.values_list("pk", flat=True))
        ids["approvals/"] = list(ShareRequest.objects.values_list("pk", flat=True))
        ids["field"] = list(FieldDefinition.objects.values_list("pk", flat=True))
        ids["view"] = list(SavedView.objects.values_list("pk", flat=True))
        ids["rule"] = list(ValidationRule.objects.values_list("pk", flat=True))
        ids["approval_rule"] = list(ApprovalRule.objects.values_list("pk", flat=True))
        ids["metric"] = list(Metric.objects.values_list("pk", flat=True))
        ids["vocabulary"] = list(Vocabulary.objects.values_list("key", flat=True))
        # the terms the company renamed or added (their pages show the marker labels)
        ids["renamed_terms"] = list(
            Term.objects.filter(label__startswith="PRIVATE-").values_list("vocabulary__key", "pk")
        )
    return ids
