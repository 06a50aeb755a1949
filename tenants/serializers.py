from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from tenants.models import Company, Membership, Offering
from tenants.services.companies import company_name_validate


class CompanySerializer(serializers.ModelSerializer):
    offerings = serializers.ListField(
        child=serializers.ChoiceField(choices=Offering.choices), required=False
    )
    industries = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=30
    )
    regions = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=30
    )

    def validate_name(self, value: str) -> str:
        try:
            return company_name_validate(value, company=self.instance)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    class Meta:
        model = Company
        fields = [
            "slug",
            "name",
            "website",
            "description",
            "industries",
            "regions",
            "offerings",
        ]
        read_only_fields = ["slug"]


class MembershipSerializer(serializers.ModelSerializer):
    company = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    company_name = serializers.CharField(source="company.name", read_only=True)

    class Meta:
        model = Membership
        fields = ["company", "company_name", "role", "title"]


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["email", "full_name"]
