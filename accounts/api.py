"""/api/v1/accounts/: the company's customers (never shared)."""

from __future__ import annotations

from rest_framework import mixins, serializers, viewsets

from accounts.models import Account
from accounts.selectors import account_get, accounts_of_company
from accounts.services import account_archive, account_create, account_fields, account_update
from business.api import custom_fields_serializer_field
from business.filter_backend import CustomFieldsFilterBackend
from concurrency.api import versioned_schema
from identity.api_fields import CompanyPersonField
from identity.models import User
from recordkit.api import VersionedRecordMixin
from recordkit.bulk import BulkUpsertMixin, bulk_schema
from tenants.api import IsCompanyMember


class AccountSerializer(serializers.ModelSerializer):
    external_id = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        help_text="The account's id in your system (unique among your accounts); upsert by it "
        "with POST /api/v1/accounts/bulk/.",
    )
    domains = serializers.ListField(
        child=serializers.CharField(max_length=253),
        required=False,
        max_length=20,
        help_text="Web domains; the first is the main one. Each belongs to one open account.",
    )
    industry = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text="A term key of `industries`."
    )
    region = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text="A term key of `regions`."
    )
    market_unit = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text="A term key of `market_units`."
    )
    # people of this company only: an integration's service account is not an owner
    owner = CompanyPersonField(required=False, write_only=True)
    version = serializers.IntegerField(required=False)
    custom_fields = custom_fields_serializer_field()

    class Meta:
        model = Account
        fields = [
            "id",
            "name",
            "external_id",
            "domains",
            "industry",
            "region",
            "market_unit",
            "description",
            "custom_fields",
            "owner",
            "version",
            "created_at",
            "updated_at",
            "archived_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at", "archived_at"]

    def to_representation(self, instance):  # type: ignore[no-untyped-def]
        data = super().to_representation(instance)
        data["owner"] = self.context.get("owners", {}).get(instance.owner_id)
        return data


class AccountBulkRecordSerializer(AccountSerializer):
    """One account of POST /api/v1/accounts/bulk/: the account's fields, upserted by
    `external_id`; a new one needs what creating an account needs (`name`)."""

    external_id = serializers.CharField(
        max_length=255, help_text="The account's id in your system: what the upsert goes by."
    )
    version = serializers.IntegerField(
        required=False,
        help_text="Optional: the version you last read. A record saved since is an error "
        "instead of being overwritten.",
    )


@versioned_schema(AccountSerializer)
@bulk_schema(AccountBulkRecordSerializer, "Account")
class AccountViewSet(
    VersionedRecordMixin,
    BulkUpsertMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """DELETE archives (accounts are never destroyed through the API)."""

    custom_object_type = Account.kind_key
    permission_classes = [IsCompanyMember]
    token_scope = "records"
    serializer_class = AccountSerializer
    object_name = "account"
    create_service = account_create
    update_service = account_update
    archive_service = account_archive
    bulk_serializer = AccountBulkRecordSerializer
    bulk_fields_of = account_fields
    # custom-field filters and sorts (cf_…); the selector orders by ?ordering=
    filter_backends = [CustomFieldsFilterBackend]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):
            return Account.objects.none()
        params = self.request.query_params
        return accounts_of_company(
            query=params.get("search", "")[:100],
            industry=params.get("industry", "")[:40],
            region=params.get("region", "")[:40],
            include_archived=params.get("archived") == "true",
            sort=params.get("ordering", "name"),
        )

    def get_object(self) -> Account:
        return account_get(pk=self.kwargs["pk"])

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
