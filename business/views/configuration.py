"""Settings → Export / import: the whole business configuration as one JSON document."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from business.configuration import configuration_export, configuration_import
from edge.json_input import json_loads_bounded
from edge.text import HostileInput
from tenants.decorators import admin_required

MAX_IMPORT_BYTES = 5_000_000


@admin_required
def configuration_page(request: HttpRequest) -> HttpResponse:
    """Export the business configuration as JSON; import one (validated whole, then applied
    in one transaction)."""
    problems: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        raw = upload.read(MAX_IMPORT_BYTES + 1) if upload else request.POST.get("json", "").encode()
        if len(raw) > MAX_IMPORT_BYTES:
            problems = [f"The file is larger than {MAX_IMPORT_BYTES // 1_000_000} MB."]
        else:
            try:
                document = json_loads_bounded(raw.strip() or b"null")
            except HostileInput as exc:  # not JSON, too deep, or text no field accepts
                problems = [exc.message]
            else:
                try:
                    counts = configuration_import(actor=request.user, document=document)
                except ValidationError as exc:
                    problems = exc.messages
                else:
                    summary = ", ".join(
                        f"{n} {kind.replace('_', ' ')}" for kind, n in counts.items()
                    )
                    messages.success(request, f"Configuration imported: {summary}.")
                    return redirect("business_configuration")
    return render(
        request, "business/configuration.html", {"tab": "configuration", "problems": problems}
    )


@admin_required
def configuration_export_view(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        json.dumps(configuration_export(), indent=2, ensure_ascii=False),
        content_type="application/json",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{request.tenant.slug}-business-configuration.json"'
    )
    return response
