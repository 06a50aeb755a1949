"""/api/v1/opportunities/: the company's own pipeline, private unless shared."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Account
from approvals.api import ShareRequestSerializer
from approvals.services import share_or_request
from business.api import custom_fields_serializer_field
from canonical import currency_code
from concurrency.api import versioned_schema
from identity.api_fields import CompanyPersonField
from identity.models import User
from pipeline.filters import OpportunityFilter
from pipeline.models import Opportunity
from pipeline.selectors import opportunities_of_company, opportunity_get
from pipeline.services import (
    opportunity_archive,
    opportunity_create,
    opportunity_fields,
    opportunity_publish,
    opportunity_update,
)
from recordkit.api import VersionedRecordMixin
from recordkit.bulk import BulkUpsertMixin, bulk_schema
from recordkit.external_ids import external_id_clean
from sharing.models import DealRole, SharingRole
from sharing.network.selectors import directory_company_get
from sharing.records.access import shared_record_get_for_actor
from sharing.records.services.sharing import sharing_entry_remove
from tenants.api import IsCompanyMember


class OpportunitySerializer(serializers.ModelSerializer):
    name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="The deal's name (its title here and for partners). Without it, or blank, "
        "the deal is called by its customer's name.",
    )
    external_id = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        help_text="The deal's id in your system (unique among your opportunities); upsert by "
        "it with POST /api/v1/opportunities/bulk/.",
    )
    customer_name = serializers.CharField(
        max_length=200,
        required=False,
        help_text="The customer. Required unless `account` names the account (then it is "
        "the account's name).",
    )
    # Written as an e-mail; read from one map of the company's members (no query per row).
    # people of this company only: an integration's service account is not an owner
    owner = CompanyPersonField(required=False, write_only=True)
    account = serializers.UUIDField(
        source="account_id",
        required=False,
        allow_null=True,
        help_text="The customer's account (/api/v1/accounts/). Without it, the account is "
        "found by customer_domain, then customer_name, or made; customer_name is the account's.",
    )
    version = serializers.IntegerField(required=False)
    currency = serializers.CharField(max_length=3, min_length=3, required=False)
    custom_fields = custom_fields_serializer_field()

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "name",
            "external_id",
            "account",
            "customer_name",
            "customer_domain",
            "amount",
            "currency",
            "close_date",
            "stage",
            "motion",
            "next_step",
            "private_notes",
            "custom_fields",
            "owner",
            "shared_record_id",
            "adopted_from_id",
            "version",
            "created_at",
            "updated_at",
            "archived_at",
        ]
        read_only_fields = [
            "id",
            "shared_record_id",
            "adopted_from_id",
            "created_at",
            "updated_at",
            "archived_at",
        ]
        extra_kwargs = {"owner": {"required": False}}

    def to_representation(self, instance):  # type: ignore[no-untyped-def]
        data = super().to_representation(instance)
        data["owner"] = self.context.get("owners", {}).get(instance.owner_id)
        return data

    def validate_currency(self, value: str) -> str:
        value = value.upper()
        try:
            currency_code(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return value


class ShareSerializer(serializers.Serializer):
    partner = serializers.SlugField(help_text="The partner company's slug.")
    role = serializers.ChoiceField(choices=SharingRole.choices)
    users = serializers.ListField(child=serializers.EmailField(), required=False, default=list)
    deal_role = serializers.ChoiceField(
        choices=["", *DealRole.values],
        required=False,
        default="",
        help_text="The partner's part in the deal, set by you (they can't change it).",
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=1000,
        help_text="For the approver, if your approval policy asks for approval.",
    )


class OpportunityBulkRecordSerializer(OpportunitySerializer):
    """One opportunity of POST /api/v1/opportunities/bulk/: the deal's fields, upserted by
    `external_id`; its account named by `account` (our id) or `account_external_id` (yours).
    A new one needs what creating an opportunity needs (a customer or an account, amount,
    close date)."""

    external_id = serializers.CharField(
        max_length=255, help_text="The deal's id in your system: what the upsert goes by."
    )
    account_external_id = serializers.CharField(
        max_length=255,
        required=False,
        write_only=True,
        help_text="The account by its external id (POST /api/v1/accounts/bulk/ first), "
        "instead of `account`.",
    )
    version = serializers.IntegerField(
        required=False,
        help_text="Optional: the version you last read. A record saved since is an error "
        "instead of being overwritten.",
    )

    class Meta(OpportunitySerializer.Meta):
        fields = [*OpportunitySerializer.Meta.fields, "account_external_id"]


@versioned_schema(OpportunitySerializer)
@bulk_schema(OpportunityBulkRecordSerializer, "Opportunity")
class OpportunityViewSet(
    VersionedRecordMixin,
    BulkUpsertMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """DELETE archives (records are never destroyed through the API)."""

    custom_object_type = Opportunity.kind_key
    permission_classes = [IsCompanyMember]
    token_scope = "records"
    serializer_class = OpportunitySerializer
    object_name = "opportunity"
    create_service = opportunity_create
    update_service = opportunity_update
    archive_service = opportunity_archive
    bulk_serializer = OpportunityBulkRecordSerializer
    bulk_fields_of = opportunity_fields
    filterset_class = OpportunityFilter
    ordering_fields = ["close_date", "amount", "name", "customer_name", "updated_at"]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular builds the schema
            return Opportunity.objects.none()
        return opportunities_of_company(
            include_archived=self.request.query_params.get("archived") == "true"
        )

    def get_object(self) -> Opportunity:
        return opportunity_get(pk=self.kwargs["pk"])

    def get_serializer_context(self):  # type: ignore[no-untyped-def]
        context = super().get_serializer_context()
        context["owners"] = dict(
            User.objects.filter(memberships__company=self.request.tenant).values_list("pk", "email")
        )
        return context

    def prepare_data(self, data: dict) -> dict:
        owner = data.pop("owner", None)
        if owner is not None:
            data["owner_id"] = owner.pk
        return data

    def bulk_references(self, records: list[dict]) -> dict[str, object]:
        """The accounts the request's records name by external id: one query."""
        wanted = {
            external_id_clean(r["account_external_id"])
            for r in records
            if isinstance(r.get("account_external_id"), (str, int))
            and not isinstance(r.get("account_external_id"), bool)
        } - {""}
        if not wanted:
            return {}
        return dict(Account.objects.filter(external_id__in=wanted).values_list("external_id", "pk"))

    def bulk_record_prepare(self, record: dict, references: dict[str, object]) -> dict:
        """`account_external_id` becomes `account` (our id), or the record's error."""
        if "account_external_id" not in record:
            return record
        record = dict(record)
        value = record.pop("account_external_id")
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise serializers.ValidationError(
                {"account_external_id": ["Give the account's external id as text."]}
            )
        value = external_id_clean(value)
        if not value:
            return record
        if record.get("account") is not None:
            raise serializers.ValidationError(
                {"account_external_id": ["Send account or account_external_id, not both."]}
            )
        if value not in references:
            raise serializers.ValidationError(
                {
                    "account_external_id": [
                        f"No account has the external id “{value[:80]}”: upsert it first "
                        "(POST /api/v1/accounts/bulk/), or send the customer instead."
                    ]
                }
            )
        record["account"] = str(references[value])
        return record

    @extend_schema(request=ShareSerializer, responses={204: None, 202: ShareRequestSerializer})
    @action(detail=True, methods=["post"])
    def share(self, request: Request, pk: str | None = None) -> Response:
        """Put a partner on the opportunity's sharing list (publishing it if needed): 204.
        When your approval policy asks for approval, nothing is shared yet: 202 with the
        request that now waits in /approvals/."""
        opportunity = self.get_object()
        serializer = ShareSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            partner = directory_company_get(slug=serializer.validated_data["partner"])
        except Http404 as exc:
            raise serializers.ValidationError({"partner": ["No company with that slug."]}) from exc
        emails = {e.lower() for e in serializer.validated_data["users"]}
        users = list(User.objects.filter(email__in=emails))
        if len(users) != len(emails):
            raise serializers.ValidationError(
                {
                    "users": [
                        f"Not members of {partner.name}: {', '.join(sorted(emails - {u.email for u in users}))}."
                    ]
                }
            )
        pending = share_or_request(
            actor=request.user,
            actor_membership=request.membership,
            kind="opportunity",
            source_id=opportunity.pk,
            title=opportunity.title,
            publish=lambda: opportunity_publish(
                actor=request.user, company=request.tenant, opportunity=opportunity
            ),
            partner=partner,
            role=serializer.validated_data["role"],
            users=users,
            deal_role=serializer.validated_data["deal_role"],
            note=serializer.validated_data["note"],
        )
        if pending is not None:
            return Response(
                ShareRequestSerializer(
                    pending, context={"emails": {request.user.pk: request.user.email}}
                ).data,
                status=status.HTTP_202_ACCEPTED,
            )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"share/(?P<slug>[-a-z0-9]+)")
    def unshare(self, request: Request, pk: str | None = None, slug: str = "") -> Response:
        opportunity = self.get_object()
        record = shared_record_get_for_actor(
            user=request.user, company=request.tenant, pk=opportunity.shared_record_id or ""
        )
        sharing_entry_remove(
            actor=request.user,
            actor_membership=request.membership,
            record=record,
            partner=directory_company_get(slug=slug),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
