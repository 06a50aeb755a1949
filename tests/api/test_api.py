"""The REST API as an integration uses it: tokens, pipeline, sharing, partnerships."""

import re

import pytest
from django.test import Client

from identity.models import PersonalAccessToken
from identity.tokens import token_create, token_revoke
from sharing.models import Partnership, PartnershipStatus, SharedRecord
from sharing.records.services.sharing import sharing_entry_remove, sharing_entry_set
from tests.builders import client_on, company_make
from tests.sharing.helpers import SECRET, membership, partners_make, shared_opportunity_make


def api(world, user=None):  # type: ignore[no-untyped-def]
    """A client that authenticates with a personal access token, like an integration."""
    _, plain = token_create(
        actor=user or world.member, company=world.company, name="test integration"
    )
    return Client(HTTP_HOST=world.host, HTTP_AUTHORIZATION=f"Bearer {plain}")


OPPORTUNITY = {
    "customer_name": "Soylent",
    "customer_domain": "soylent.example",
    "amount": "250000.00",
    "currency": "usd",
    "close_date": "2027-09-30",
    "stage": "qualify",
    "motion": "sell_with",
    "private_notes": SECRET,
}


@pytest.mark.django_db
def test_tokens_are_made_in_the_browser_shown_once_and_stored_hashed(acme):
    browser = client_on(acme.host, acme.member)
    response = browser.post(
        "/api/v1/tokens/",
        {"name": "HubSpot sync", "expires_in_days": 30},
        content_type="application/json",
    )
    assert response.status_code == 201
    plain = response.json()["token"]
    row = PersonalAccessToken.objects.get(pk=response.json()["id"])
    assert plain not in (row.digest, row.prefix) and plain.split("_", 2)[2] not in row.digest
    assert "token" not in browser.get("/api/v1/tokens/").json()["results"][0]
    integration = Client(HTTP_HOST=acme.host, HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert integration.get("/api/v1/me/").json()["user"]["email"] == acme.member.email
    # a token cannot mint tokens
    assert integration.post(
        "/api/v1/tokens/", {"name": "x"}, content_type="application/json"
    ).status_code in (401, 403)


@pytest.mark.django_db
def test_revoked_wrong_company_and_garbage_tokens_get_401(acme, globex):
    token, plain = token_create(actor=acme.member, company=acme.company, name="t")
    assert (
        Client(HTTP_HOST=globex.host, HTTP_AUTHORIZATION=f"Bearer {plain}")
        .get("/api/v1/me/")
        .status_code
        == 401
    )
    assert (
        Client(HTTP_HOST=acme.host, HTTP_AUTHORIZATION="Bearer eco_nope_nope")
        .get("/api/v1/me/")
        .status_code
        == 401
    )
    token_revoke(actor=acme.member, token=token)
    assert (
        Client(HTTP_HOST=acme.host, HTTP_AUTHORIZATION=f"Bearer {plain}")
        .get("/api/v1/me/")
        .status_code
        == 401
    )


@pytest.mark.django_db
def test_token_of_someone_who_left_the_company_gets_404(acme):
    client = api(acme)
    acme.company.memberships.filter(user=acme.member).delete()
    assert client.get("/api/v1/opportunities/").status_code == 404


@pytest.mark.django_db
def test_opportunity_crud_with_version_conflicts(acme):
    client = api(acme)
    created = client.post("/api/v1/opportunities/", OPPORTUNITY, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["currency"] == "USD" and body["owner"] == acme.member.email and body["version"] == 1
    pk = body["id"]
    ok = client.patch(
        f"/api/v1/opportunities/{pk}/",
        {"stage": "propose", "version": 1},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(
        f"/api/v1/opportunities/{pk}/",
        {"stage": "lost", "version": 1},
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert stale.json()["theirs"]["stage"] == "propose" and stale.json()["yours"]["stage"] == "lost"
    missing = client.patch(
        f"/api/v1/opportunities/{pk}/", {"stage": "lost"}, content_type="application/json"
    )
    assert missing.status_code == 400 and "version" in missing.json()
    assert client.delete(f"/api/v1/opportunities/{pk}/").status_code == 204
    assert client.get("/api/v1/opportunities/").json()["count"] == 0
    assert client.get("/api/v1/opportunities/?archived=true").json()["count"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "-1"}, "amount"),
        ({"stage": "nope"}, "stage"),
        ({"close_date": "soon"}, "close_date"),
        ({"currency": "EURO"}, "currency"),
    ],
)
def test_bad_opportunity_input_is_a_structured_400(acme, change, field):
    response = api(acme).post(
        "/api/v1/opportunities/", {**OPPORTUNITY, **change}, content_type="application/json"
    )
    assert response.status_code == 400 and field in response.json()


@pytest.mark.django_db
def test_list_filters_paginates_and_keeps_queries_constant(acme, django_assert_max_num_queries):
    client = api(acme)
    for i in range(12):
        client.post(
            "/api/v1/opportunities/",
            {**OPPORTUNITY, "customer_name": f"C{i}", "stage": "won" if i % 2 else "qualify"},
            content_type="application/json",
        )
    with django_assert_max_num_queries(10):
        page = client.get("/api/v1/opportunities/?stage=won&ordering=-amount").json()
    assert page["count"] == 6 and all(r["stage"] == "won" for r in page["results"])


@pytest.mark.django_db
def test_share_through_the_api_and_partner_reads_only_shareable_fields(acme, globex):
    partners_make(acme, globex)
    owner_api = api(acme)
    pk = owner_api.post(
        "/api/v1/opportunities/", OPPORTUNITY, content_type="application/json"
    ).json()["id"]
    response = owner_api.post(
        f"/api/v1/opportunities/{pk}/share/",
        {"partner": "globex", "role": "contributor"},
        content_type="application/json",
    )
    assert response.status_code == 204, response.content
    partner_api = api(globex)
    listing = partner_api.get("/api/v1/shared/?shared_with_me=true").json()
    assert len(listing["results"]) == 1 and listing["next"] is None
    record_id = listing["results"][0]["id"]
    detail = partner_api.get(f"/api/v1/shared/{record_id}/").json()
    assert detail["my_role"] == "contributor" and "private_notes" not in detail["payload"]
    assert SECRET not in str(detail)
    updated = partner_api.patch(
        f"/api/v1/shared/{record_id}/collaborate/",
        {"stage": "negotiate", "version": detail["version"]},
        content_type="application/json",
    )
    assert updated.status_code == 200 and updated.json()["stage"] == "negotiate"
    stale = partner_api.patch(
        f"/api/v1/shared/{record_id}/collaborate/",
        {"stage": "won", "version": detail["version"]},
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert (
        partner_api.post(
            f"/api/v1/shared/{record_id}/comments/",
            {"body": "On it"},
            content_type="application/json",
        ).status_code
        == 201
    )
    assert owner_api.get(f"/api/v1/shared/{record_id}/comments/").json()[0]["body"] == "On it"
    assert partner_api.post(f"/api/v1/shared/{record_id}/adopt/").status_code == 201


@pytest.mark.django_db
def test_sharing_with_a_non_partner_through_the_api_is_a_clear_400(acme, globex):
    pk = (
        api(acme)
        .post("/api/v1/opportunities/", OPPORTUNITY, content_type="application/json")
        .json()["id"]
    )
    response = api(acme).post(
        f"/api/v1/opportunities/{pk}/share/",
        {"partner": "globex", "role": "viewer"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "not an active partner" in str(response.json())


@pytest.mark.django_db
def test_shared_api_personas_get_404_unless_on_the_list(acme, globex):
    partner_not_on_list, revoked, unrelated = (
        company_make("pnol"),
        company_make("revk"),
        company_make("unrl"),
    )
    for p in (globex, partner_not_on_list, revoked):
        partners_make(acme, p)
    _, record = shared_opportunity_make(acme)
    for p in (globex, revoked):
        sharing_entry_set(
            actor=acme.owner,
            actor_membership=membership(acme),
            record=record,
            partner=p.company,
            role="viewer",
        )
    sharing_entry_remove(
        actor=acme.owner, actor_membership=membership(acme), record=record, partner=revoked.company
    )
    assert api(globex).get(f"/api/v1/shared/{record.pk}/").status_code == 200
    for persona in (partner_not_on_list, revoked, unrelated):
        client = api(persona)
        assert client.get(f"/api/v1/shared/{record.pk}/").status_code == 404
        assert client.get("/api/v1/shared/").json()["count"] == 0
        assert (
            client.patch(
                f"/api/v1/shared/{record.pk}/collaborate/",
                {"stage": "lost", "version": 1},
                content_type="application/json",
            ).status_code
            == 404
        )
        assert (
            client.post(
                f"/api/v1/shared/{record.pk}/comments/",
                {"body": "hi"},
                content_type="application/json",
            ).status_code
            == 404
        )
    viewer = api(globex)
    assert (
        viewer.patch(
            f"/api/v1/shared/{record.pk}/collaborate/",
            {"stage": "lost", "version": 1},
            content_type="application/json",
        ).status_code
        == 403
    )
    record.refresh_from_db()
    assert record.stage == "qualify"


@pytest.mark.django_db
def test_partnerships_through_the_api(acme, globex):
    inviter = api(acme, acme.owner)
    created = inviter.post(
        "/api/v1/partnerships/",
        {"partner": "globex", "message": "Hi"},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["direction"] == "outgoing"
    pk = created.json()["id"]
    assert api(globex, globex.member).post(f"/api/v1/partnerships/{pk}/accept/").status_code == 403
    accepted = api(globex, globex.owner).post(f"/api/v1/partnerships/{pk}/accept/")
    assert accepted.status_code == 200 and accepted.json()["status"] == "active"
    assert Partnership.objects.get(pk=pk).status == PartnershipStatus.ACTIVE
    again = inviter.post(
        "/api/v1/partnerships/", {"partner": "globex"}, content_type="application/json"
    )
    assert again.status_code == 400 and "already partner" in str(again.json())
    assert [c["slug"] for c in inviter.get("/api/v1/directory/?search=glob").json()["results"]] == [
        "globex"
    ]


@pytest.mark.django_db
def test_openapi_describes_the_resources(acme):
    schema = (
        client_on(acme.host, acme.member)
        .get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        .json()
    )
    for path in (
        "/api/v1/opportunities/",
        "/api/v1/shared/{id}/collaborate/",
        "/api/v1/partnerships/{id}/end/",
        "/api/v1/tokens/",
    ):
        assert path in schema["paths"], path
    assert schema["components"]["securitySchemes"]["personalAccessToken"]["scheme"] == "bearer"
    conflict = schema["paths"]["/api/v1/opportunities/{id}/"]["patch"]["responses"]
    assert "409" in conflict


@pytest.mark.django_db
def test_shared_record_ids_never_resolve_through_another_companys_pipeline(acme, globex):
    _, record = shared_opportunity_make(acme)
    assert api(globex).get(f"/api/v1/opportunities/{record.source_id}/").status_code == 404
    assert SharedRecord.objects.filter(pk=record.pk).exists()


@pytest.mark.django_db
def test_tokens_page_creates_shows_once_and_revokes(acme, globex):
    browser = client_on(acme.host, acme.member)
    page = browser.post(
        "/settings/tokens/",
        {"name": "Zapier", "expires_in_days": "30", "scopes": ["records:read", "partners:read"]},
    ).content.decode()
    plain = re.search(r'value="(eco_[^"]+)"', page).group(1)
    assert (
        Client(HTTP_HOST=acme.host, HTTP_AUTHORIZATION=f"Bearer {plain}")
        .get("/api/v1/me/")
        .status_code
        == 200
    )
    assert plain not in browser.get("/settings/tokens/").content.decode()
    token = PersonalAccessToken.objects.get(name="Zapier")
    assert (
        client_on(acme.host, acme.owner).post(f"/settings/tokens/{token.pk}/revoke/").status_code
        == 404
    )
    browser.post(f"/settings/tokens/{token.pk}/revoke/")
    assert (
        Client(HTTP_HOST=acme.host, HTTP_AUTHORIZATION=f"Bearer {plain}")
        .get("/api/v1/me/")
        .status_code
        == 401
    )
    assert b"This field is required" in browser.post("/settings/tokens/", {"name": " "}).content


@pytest.mark.django_db
def test_unshare_through_the_api(acme, globex):
    partners_make(acme, globex)
    client = api(acme)
    pk = client.post("/api/v1/opportunities/", OPPORTUNITY, content_type="application/json").json()[
        "id"
    ]
    assert (
        client.delete(f"/api/v1/opportunities/{pk}/share/globex/").status_code == 404
    )  # not shared yet
    client.post(
        f"/api/v1/opportunities/{pk}/share/",
        {"partner": "globex", "role": "viewer"},
        content_type="application/json",
    )
    assert api(globex).get("/api/v1/shared/?shared_with_me=true").json()["results"]
    assert client.delete(f"/api/v1/opportunities/{pk}/share/globex/").status_code == 204
    assert api(globex).get("/api/v1/shared/?shared_with_me=true").json()["results"] == []
    again = client.delete(f"/api/v1/opportunities/{pk}/share/globex/")
    assert again.status_code == 400 and "not on this record" in str(again.json())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["opportunities", "solutions", "marketing-plans", "partnerships", "shared"]
)
def test_malformed_ids_in_api_urls_are_404(acme, path):
    assert api(acme).get(f"/api/v1/{path}/not-a-uuid/").status_code == 404


@pytest.mark.django_db
def test_tokens_whose_secret_starts_with_an_underscore_authenticate(acme, monkeypatch):
    import identity.tokens as tokens

    monkeypatch.setattr(tokens.secrets, "token_urlsafe", lambda n: "_leading-underscore_and_more_")
    _, plain = token_create(actor=acme.member, company=acme.company, name="odd secret")
    assert (
        Client(HTTP_HOST=acme.host, HTTP_AUTHORIZATION=f"Bearer {plain}")
        .get("/api/v1/me/")
        .status_code
        == 200
    )
