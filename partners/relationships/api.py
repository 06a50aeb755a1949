"""/api/v1/partner-relationships/: our own record of each partner (type, manager, custom
fields, notes), keyed by the partner's slug. PATCH with `version`; 409 with both values when
someone saved first. Only admins change `partner_type`."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from business.api import custom_fields_serializer_field
from concurrency.api import CONFLICT_SCHEMA, conflict_response
from concurrency.versioning import StaleVersion
from identity.models import User
from partners.relationships.models import PartnerRelationship
from partners.relationships.selectors import relationship_of, relationships_by_partner
from partners.relationships.services import relationship_update
from sharing.network.selectors import active_partners, directory_company_get
from tenants.api import IsCompanyMember
from tenants.models import Company


class RelationshipSerializer(serializers.Serializer):
    partner = serializers.SlugField(read_only=True)
    partner_name = serializers.CharField(read_only=True)
    partner_type = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="A key of /api/v1/fields/ vocabulary partner_types; admins only.",
    )
    manager = serializers.EmailField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    custom_fields = custom_fields_serializer_field()
    version = serializers.IntegerField(required=False)

    @staticmethod
    def of(partner: Company, relationship: PartnerRelationship, emails: dict[int, str]) -> dict:
        return {
            "partner": partner.slug,
            "partner_name": partner.name,
            "partner_type": relationship.partner_type,
            "manager": emails.get(relationship.manager_id),
            "notes": relationship.notes,
            "custom_fields": relationship.custom,
            "version": relationship.version,
        }


class PartnerRelationshipViewSet(viewsets.ViewSet):
    permission_classes = [IsCompanyMember]
    token_scope = "partners"
    lookup_field = "slug"
    lookup_value_regex = "[-a-z0-9]+"

    def _emails(self) -> dict[int, str]:
        return dict(
            User.objects.filter(memberships__company=self.request.tenant).values_list("pk", "email")
        )

    def _partner(self, slug: str) -> Company:
        partner = directory_company_get(slug=slug)
        if not active_partners(company=self.request.tenant).filter(pk=partner.pk).exists():
            from django.http import Http404

            raise Http404("Not one of your partners.")
        return partner

    @extend_schema(responses=RelationshipSerializer(many=True))
    def list(self, request: Request) -> Response:
        """Our record of every active partner (blank until someone fills it in)."""
        partners = list(active_partners(company=request.tenant))
        ours = relationships_by_partner(partner_ids=[p.pk for p in partners])
        emails = self._emails()
        return Response(
            [
                RelationshipSerializer.of(
                    p, ours.get(p.pk) or PartnerRelationship(partner_id=p.pk), emails
                )
                for p in partners
            ]
        )

    @extend_schema(responses=RelationshipSerializer)
    def retrieve(self, request: Request, slug: str | None = None) -> Response:
        partner = self._partner(slug or "")
        return Response(
            RelationshipSerializer.of(partner, relationship_of(partner=partner), self._emails())
        )

    @extend_schema(
        request=RelationshipSerializer,
        responses={200: RelationshipSerializer, 409: CONFLICT_SCHEMA},
    )
    def partial_update(self, request: Request, slug: str | None = None) -> Response:
        partner = self._partner(slug or "")  # 404 before anything about the body
        body = RelationshipSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        version = data.pop("version", None)
        if "custom" in data:
            data["custom_partial"] = True
        if "manager" in data:
            email = data.pop("manager")
            manager = (
                User.objects.filter(
                    email__iexact=email,
                    memberships__company=request.tenant,
                    is_service_account=False,
                ).first()
                if email
                else None
            )
            if email and manager is None:
                raise serializers.ValidationError(
                    {"manager": [f"No member of {request.tenant.name} has that e-mail."]}
                )
            data["manager_id"] = manager.pk if manager else None
        try:
            relationship = relationship_update(
                actor=request.user,
                actor_membership=request.membership,
                partner=partner,
                data=data,
                expected_version=version,
            )
        except StaleVersion as conflict:
            return conflict_response(conflict)
        return Response(RelationshipSerializer.of(partner, relationship, self._emails()))
