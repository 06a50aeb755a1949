"""Django admin for platform staff, on the network host only."""

from django.contrib import admin

from tenants.models import Company, Domain, Membership


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "status", "schema_name", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "slug", "schema_name"]
    # A workspace address changes only through the services (the slug policy and the domain
    # row move together); staff see it here but do not type it.
    readonly_fields = [
        "slug",
        "slug_skeleton",
        "name_skeleton",
        "schema_name",
        "created_at",
        "provisioned_at",
    ]
    inlines = [DomainInline, MembershipInline]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # Deleting drops the company's schema; that is an operation, not a click.
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "company", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "company__name"]
    autocomplete_fields = ["user", "company"]
