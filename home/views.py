"""The dashboard: a company's home page, drawn from every room (partners, shared records,
members, metrics, approvals waiting). It composes the rooms, so it sits above all of them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from approvals.selectors import requests_waiting_for
from audit.selectors import audit_events_of_company
from reports.selectors import dashboard_metrics
from sharing.network.selectors import active_partner_ids
from sharing.records.access import shared_records_shared_with
from tenants.selectors import member_counts_of_company


def dashboard(request: HttpRequest) -> HttpResponse:
    company = request.tenant
    counts = member_counts_of_company(company=company)
    profile_missing = [
        label
        for label, value in (
            ("website", company.website),
            ("description", company.description),
            ("industries", company.industries),
            ("regions", company.regions),
            ("what you offer as a partner", company.offerings),
        )
        if not value
    ]
    return render(
        request,
        "home/dashboard.html",
        {
            "partner_count": len(active_partner_ids(company=company)),
            "shared_count": shared_records_shared_with(user=request.user, company=company)
            .filter(archived_at__isnull=True)
            .count(),
            "member_count": counts["members"],
            "admin_count": counts["admins"],
            "profile_missing": profile_missing,
            "recent_events": audit_events_of_company(company=company, limit=8),
            "metrics": dashboard_metrics(
                company=company, refresh=request.GET.get("refresh") == "1"
            ),
            "approvals_waiting": requests_waiting_for(membership=request.membership).count(),
        },
    )
