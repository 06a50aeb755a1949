"""SCIM 2.0 provisioning on a company's host: people arrive and leave with the IdP, groups the
admin mapped set roles, and nothing reaches or comes from another company."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from identity.models import DirectoryGroup, DirectoryUser, EmailDomain, User
from identity.scim.setup import scim_token_issue
from identity.tokens import token_create
from tenants.models import Membership
from tests.builders import client_on

SCIM_JSON = "application/scim+json"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class Scim:
    """A SCIM client of one company, as an IdP would be."""

    def __init__(self, world, token: str | None = None, verify: str | None = "acme-robotics.test"):  # type: ignore[no-untyped-def]
        self.world = world
        if verify and not EmailDomain.objects.filter(domain=verify).exists():
            _verify(world, verify)
        self.token = token or scim_token_issue(
            actor=world.owner,
            actor_membership=Membership.objects.get(company=world.company, user=world.owner),
            company=world.company,
        )
        self.client = client_on(world.host)

    def call(self, method: str, path: str, body=None, **extra):  # type: ignore[no-untyped-def]
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {self.token}", **extra}
        fn = getattr(self.client, method.lower())
        if body is None:
            return fn(f"/scim/v2/{path}", **kwargs)
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return fn(f"/scim/v2/{path}", data=data, content_type=SCIM_JSON, **kwargs)

    def create_user(self, email: str, **attrs):  # type: ignore[no-untyped-def]
        body = {
            "schemas": [USER_SCHEMA],
            "userName": email,
            "emails": [{"value": email, "primary": True, "type": "work"}],
            "name": {"givenName": "Nina", "familyName": "Okafor"},
            "active": True,
            **attrs,
        }
        return self.call("POST", "Users", body)


def _verify(world, domain: str) -> None:  # type: ignore[no-untyped-def]
    EmailDomain.objects.create(company=world.company, domain=domain, verified_at=timezone.now())


@pytest.mark.django_db
def test_a_provisioned_person_joins_the_company_and_signs_in_nowhere_else(acme, globex):
    scim = Scim(acme)
    response = scim.create_user("nina@acme-robotics.test", externalId="00u1")
    assert response.status_code == 201, response.content
    assert response["Content-Type"].startswith(SCIM_JSON)
    body = response.json()
    assert response["Location"] == body["meta"]["location"]
    assert body["userName"] == "nina@acme-robotics.test" and body["active"] is True
    nina = User.objects.get(email="nina@acme-robotics.test")
    assert not nina.has_usable_password()
    assert Membership.objects.get(company=acme.company, user=nina).role == "member"
    assert not Membership.objects.filter(company=globex.company, user=nina).exists()
    event = AuditEvent.objects.get(company=acme.company, action="scim.user_created")
    assert event.after["userName"] == "nina@acme-robotics.test"

    again = scim.create_user("NINA@acme-robotics.test")
    assert again.status_code == 409 and again.json()["scimType"] == "uniqueness"


@pytest.mark.django_db
def test_deactivating_ends_membership_sessions_and_tokens_and_keeps_the_person(acme, globex):
    from tenants.services.memberships import membership_add

    scim = Scim(acme)
    entry_id = scim.create_user("ben@acme-robotics.test").json()["id"]
    ben = User.objects.get(email="ben@acme-robotics.test")
    membership_add(actor=None, company=globex.company, user=ben, role="member")
    _, acme_token = token_create(actor=ben, company=acme.company, name="mine")
    _, globex_token = token_create(actor=ben, company=globex.company, name="mine")
    session = client_on(acme.host, ben)
    assert session.get("/").status_code == 200

    patch = {
        "schemas": [PATCH_SCHEMA],
        "Operations": [{"op": "replace", "value": {"active": False}}],
    }
    response = scim.call("PATCH", f"Users/{entry_id}", patch)
    assert response.status_code == 200 and response.json()["active"] is False

    assert not Membership.objects.filter(company=acme.company, user=ben).exists()
    assert session.get("/").status_code == 302
    api = client_on(acme.host)
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {acme_token}").status_code == 401
    other = client_on(globex.host).get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {globex_token}")
    assert other.status_code == 200
    assert User.objects.filter(pk=ben.pk, is_active=True).exists()
    assert scim.call("GET", f"Users/{entry_id}").json()["active"] is False
    listed = scim.call("GET", "Users?filter=active eq false").json()
    assert [r["id"] for r in listed["Resources"]] == [entry_id]

    # back again: the membership returns
    patch["Operations"][0]["value"]["active"] = True
    assert scim.call("PATCH", f"Users/{entry_id}", patch).status_code == 200
    assert Membership.objects.filter(company=acme.company, user=ben).exists()

    # deleted: the directory forgets the entry, the person and their history stay
    assert scim.call("DELETE", f"Users/{entry_id}").status_code == 204
    assert scim.call("GET", f"Users/{entry_id}").status_code == 404
    assert not Membership.objects.filter(company=acme.company, user=ben).exists()
    assert User.objects.filter(pk=ben.pk).exists()
    assert AuditEvent.objects.filter(company=acme.company, action="scim.user_deleted").exists()


@pytest.mark.django_db
def test_groups_the_admin_maps_to_a_role_set_members_roles(acme):
    from identity.scim.directory import group_role_set

    scim = Scim(acme)
    ada = scim.create_user("ada@acme-robotics.test").json()["id"]
    response = scim.call(
        "POST",
        "Groups",
        {"schemas": [GROUP_SCHEMA], "displayName": "Partner Admins", "members": [{"value": ada}]},
    )
    assert response.status_code == 201
    group_id = response.json()["id"]
    ada_user = User.objects.get(email="ada@acme-robotics.test")
    # the IdP names groups; only the admin says what a group means
    assert Membership.objects.get(company=acme.company, user=ada_user).role == "member"
    group_role_set(
        actor=acme.admin,
        actor_membership=Membership.objects.get(company=acme.company, user=acme.admin),
        group=DirectoryGroup.objects.get(pk=group_id),
        role="admin",
    )
    assert Membership.objects.get(company=acme.company, user=ada_user).role == "admin"

    remove = {
        "schemas": [PATCH_SCHEMA],
        "Operations": [{"op": "remove", "path": f'members[value eq "{ada}"]'}],
    }
    assert scim.call("PATCH", f"Groups/{group_id}", remove).status_code == 200
    assert Membership.objects.get(company=acme.company, user=ada_user).role == "member"
    add = {
        "schemas": [PATCH_SCHEMA],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": ada}]}],
    }
    assert scim.call("PATCH", f"Groups/{group_id}", add).status_code == 200
    assert Membership.objects.get(company=acme.company, user=ada_user).role == "admin"
    assert scim.call("GET", f"Users/{ada}").json()["groups"][0]["value"] == group_id


@pytest.mark.django_db
def test_filters_and_paging(acme):
    scim = Scim(acme)
    for i in range(5):
        assert scim.create_user(f"p{i}@acme-robotics.test").status_code == 201
    page = scim.call("GET", "Users?startIndex=2&count=2").json()
    assert page["totalResults"] == 5 and page["startIndex"] == 2 and page["itemsPerPage"] == 2
    assert [r["userName"] for r in page["Resources"]] == [
        "p1@acme-robotics.test",
        "p2@acme-robotics.test",
    ]
    found = scim.call("GET", 'Users?filter=userName eq "P3@ACME-robotics.test"').json()
    assert [r["userName"] for r in found["Resources"]] == ["p3@acme-robotics.test"]
    starts = scim.call("GET", 'Users?filter=userName sw "p" and not (userName sw "P4")')
    assert starts.json()["totalResults"] == 4
    only = scim.call("GET", "Users?attributes=userName").json()["Resources"][0]
    assert set(only) <= {"id", "schemas", "userName", "meta"} and "emails" not in only
    bad = scim.call("GET", 'Users?filter=phoneNumbers eq "1"')
    assert bad.status_code == 400 and bad.json()["scimType"] == "invalidFilter"
    broken = scim.call("GET", "Users?filter=userName eq")
    assert broken.status_code == 400
    many = " or ".join(f'userName eq "u{i}"' for i in range(400))
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": many}
    too_long = scim.call("POST", "Users/.search", body)
    assert too_long.status_code == 400 and too_long.json()["scimType"] == "invalidFilter"
    body["filter"] = "not (" * 40 + "userName pr" + ")" * 40
    deep = scim.call("POST", "Users/.search", body)
    assert deep.status_code == 400 and deep.json()["scimType"] == "invalidFilter"


@pytest.mark.django_db
def test_the_directory_vouches_only_for_its_verified_domains_and_tells_nobody_who_exists(
    acme, globex
):
    scim = Scim(acme, verify=None)
    # globex's owner has an account and is not on a domain acme proved it owns; a stranger
    # has none: the same answer, nobody linked or created, nobody added
    known = scim.create_user(globex.owner.email)
    unknown = scim.create_user("stranger@elsewhere.test")
    assert known.status_code == unknown.status_code == 201
    assert set(known.json()) == set(unknown.json())
    assert not User.objects.filter(email="stranger@elsewhere.test").exists()
    assert not Membership.objects.filter(company=acme.company, user=globex.owner).exists()
    assert DirectoryUser.objects.filter(company=acme.company, user__isnull=True).count() == 2
    page = client_on(acme.host, acme.owner).get("/settings/provisioning/").content.decode()
    assert "2 waiting, not members" in page

    # someone already in acme is linked; a verified domain lets acme's IdP claim its people
    assert scim.create_user(acme.member.email).status_code == 201
    assert DirectoryUser.objects.get(company=acme.company, user=acme.member)
    _verify(acme, "acme-robotics.test")
    newcomer = User.objects.create_user("sam@acme-robotics.test", full_name="Old name")
    response = scim.create_user("sam@acme-robotics.test", displayName="Sam Sato")
    assert response.status_code == 201
    newcomer.refresh_from_db()
    assert newcomer.full_name == "Sam Sato"
    assert Membership.objects.filter(company=acme.company, user=newcomer).exists()
    # the stranger's entry links once their domain is verified and the IdP sends it again
    _verify(acme, "elsewhere.test")
    entry = unknown.json()
    put = {
        "schemas": [USER_SCHEMA],
        "userName": entry["userName"],
        "emails": entry["emails"],
        "active": True,
    }
    assert scim.call("PUT", f"Users/{entry['id']}", put).status_code == 200
    stranger = User.objects.get(email="stranger@elsewhere.test")
    assert Membership.objects.filter(company=acme.company, user=stranger).exists()


@pytest.mark.django_db
def test_an_inactive_push_for_a_current_member_ends_their_membership(acme):
    from tenants.services.memberships import membership_add

    scim = Scim(acme)
    lee = User.objects.create_user("lee@acme-robotics.test")
    membership_add(actor=None, company=acme.company, user=lee, role="member")
    response = scim.create_user("lee@acme-robotics.test", active=False)
    assert response.status_code == 201 and response.json()["active"] is False
    assert not Membership.objects.filter(company=acme.company, user=lee).exists()
    # re-added by an admin while the directory says inactive: the next push ends it again
    membership_add(actor=None, company=acme.company, user=lee, role="member")
    patch = {
        "schemas": [PATCH_SCHEMA],
        "Operations": [{"op": "replace", "value": {"active": False}}],
    }
    assert scim.call("PATCH", f"Users/{response.json()['id']}", patch).status_code == 200
    assert not Membership.objects.filter(company=acme.company, user=lee).exists()


@pytest.mark.django_db
def test_only_owners_hand_out_the_scim_token(acme):
    admin = client_on(acme.host, acme.admin)
    page = admin.get("/settings/provisioning/").content.decode()
    assert "Only owners make or rotate the SCIM token" in page
    response = admin.post("/settings/provisioning/token/", follow=True)
    assert "Only owners" in response.content.decode()
    from identity.scim.setup import scim_account_of

    assert scim_account_of(acme.company) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email",
    ["owner@acme.test\u200b", "not an email@x", "x\u202e@acme-robotics.test", "@acme.test"],
)
def test_addresses_that_are_not_e_mail_addresses_are_refused(acme, email):
    scim = Scim(acme)
    body = json.dumps(
        {"schemas": [USER_SCHEMA], "userName": "someone", "emails": [{"value": "EMAIL"}]}
    ).replace("EMAIL", email)
    response = scim.call("POST", "Users", body)
    assert response.status_code == 400, response.content
    assert not DirectoryUser.objects.filter(company=acme.company).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "body", "content_type"),
    [
        ("GET", "Users?startIndex=99999999999999999999", None, None),
        ("GET", "Users?filter=meta.created gt 5", None, None),
        ("GET", 'Users?filter=meta.created gt "yesterday"', None, None),
        ("POST", "Users", "userName=x", "application/x-www-form-urlencoded"),
        ("POST", "Users", "--x--", "multipart/form-data; boundary=x"),
        ("POST", "Users", '{"userName": "x"}', "text/plain"),
    ],
)
def test_odd_requests_are_scim_errors_never_500(acme, method, path, body, content_type):
    scim = Scim(acme)
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {scim.token}"}
    fn = getattr(scim.client, method.lower())
    if body is None:
        response = fn(f"/scim/v2/{path}", **kwargs)
    else:
        response = fn(f"/scim/v2/{path}", data=body, content_type=content_type, **kwargs)
    assert response.status_code in (200, 400), (response.status_code, response.content)
    if response.status_code == 200:
        assert response.json()["totalResults"] == 0
    assert not DirectoryUser.objects.filter(company=acme.company).exists()


@pytest.mark.django_db
def test_the_login_address_is_not_the_idps_to_change(acme):
    scim = Scim(acme)
    entry = scim.create_user("kim@acme-robotics.test").json()
    put = {
        "schemas": [USER_SCHEMA],
        "userName": "kim.new@acme-robotics.test",
        "emails": [{"value": "kim.new@acme-robotics.test", "primary": True}],
        "active": True,
    }
    response = scim.call("PUT", f"Users/{entry['id']}", put)
    assert response.status_code == 200
    assert response.json()["userName"] == "kim.new@acme-robotics.test"
    assert User.objects.filter(email="kim@acme-robotics.test").exists()
    assert not User.objects.filter(email="kim.new@acme-robotics.test").exists()


@pytest.mark.django_db
def test_another_companys_token_a_personal_token_or_none_gets_nothing(acme, globex):
    Scim(acme).create_user("nina@acme-robotics.test")
    globex_scim = Scim(globex)
    # globex's token on acme's host
    theirs = client_on(acme.host).get(
        "/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {globex_scim.token}"
    )
    assert theirs.status_code == 401 and "nina" not in theirs.content.decode()
    _, personal = token_create(actor=acme.owner, company=acme.company, name="mine")
    for header in (f"Bearer {personal}", "", "Basic abc", "Bearer eco_nope_nope"):
        response = client_on(acme.host).get("/scim/v2/Users", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
        assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    # a signed-in admin's browser session is not a SCIM credential either
    assert client_on(acme.host, acme.owner).get("/scim/v2/Users").status_code == 401
    # and globex's directory stays empty, whatever acme's token tries
    created = globex_scim.call("GET", "Users").json()
    assert created["totalResults"] == 0


@pytest.mark.django_db
def test_the_scim_token_rotates_with_an_overlap_and_is_a_digest(acme):
    from identity.models import PersonalAccessToken

    first = Scim(acme)
    assert first.call("GET", "Users").status_code == 200
    second_token = scim_token_issue(
        actor=acme.owner,
        actor_membership=Membership.objects.get(company=acme.company, user=acme.owner),
        company=acme.company,
        overlap_hours=0,
    )
    assert first.call("GET", "Users").status_code == 401
    assert Scim(acme, second_token).call("GET", "Users").status_code == 200
    assert not PersonalAccessToken.objects.filter(digest__contains=second_token[-20:]).exists()
    # a SCIM token is no API token
    api = client_on(acme.host).get(
        "/api/v1/opportunities/", HTTP_AUTHORIZATION=f"Bearer {second_token}"
    )
    assert api.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        '{"userName": "a\\u0000b@acme-robotics.test", "schemas": ["' + USER_SCHEMA + '"]}',
        "[" * 100 + "]" * 100,
        '{"userName": "' + "x" * 300 + '@acme-robotics.test", "schemas": ["' + USER_SCHEMA + '"]}',
        "not json",
        '{"schemas": ["' + USER_SCHEMA + '"]}',
        '{"schemas": ["' + USER_SCHEMA + '"], "userName": "no-at-sign", "emails": [{"value": 5}]}',
        "[]",
    ],
)
def test_hostile_bodies_are_a_scim_400_and_change_nothing(acme, body):
    scim = Scim(acme)
    response = scim.call("POST", "Users", body)
    assert response.status_code == 400, response.content
    assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert not DirectoryUser.objects.filter(company=acme.company).exists()


@pytest.mark.django_db
def test_patching_garbage_is_refused_whole(acme):
    scim = Scim(acme)
    entry = scim.create_user("lee@acme-robotics.test").json()
    patch = {
        "schemas": [PATCH_SCHEMA],
        "Operations": [
            {"op": "replace", "path": "displayName", "value": "Lee"},
            {"op": "explode", "path": "userName", "value": "x"},
        ],
    }
    response = scim.call("PATCH", f"Users/{entry['id']}", patch)
    assert response.status_code == 400
    assert DirectoryUser.objects.get(pk=entry["id"]).display_name == ""


@pytest.mark.django_db
def test_discovery_describes_what_we_keep(acme):
    scim = Scim(acme)
    config = scim.call("GET", "ServiceProviderConfig").json()
    assert config["patch"]["supported"] is True and config["bulk"]["supported"] is False
    schemas = scim.call("GET", "Schemas").json()["Resources"]
    user_schema = next(s for s in schemas if s["id"] == USER_SCHEMA)
    names = {a["name"] for a in user_schema["attributes"]}
    assert "userName" in names and "phoneNumbers" not in names and "password" not in names
    types = scim.call("GET", "ResourceTypes").json()["Resources"]
    assert {t["endpoint"] for t in types} == {"/Users", "/Groups"}
    assert scim.call("GET", "Nope").status_code == 404


@pytest.mark.django_db
def test_scim_requests_are_limited_per_token(acme, globex, settings, rate_limits):
    settings.ACCOUNT_RATE_LIMITS = {**rate_limits, "scim_request": "3/m/key"}
    scim = Scim(acme)
    codes = [scim.call("GET", "Users").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    # wrong tokens are counted per client, and past the limit even the right one waits
    for _ in range(30):
        client_on(acme.host).get("/scim/v2/Users", HTTP_AUTHORIZATION="Bearer eco_x_y")
    assert Scim(acme, scim.token).call("GET", "Users").status_code == 429
    # … at that company only: another company's IdP on the same address goes on
    assert Scim(globex).call("GET", "Users").status_code == 200


@pytest.mark.django_db
def test_listing_the_directory_costs_the_same_for_10_or_60_people(
    acme, django_assert_max_num_queries
):
    scim = Scim(acme)
    ids = [scim.create_user(f"q{i}@acme-robotics.test").json()["id"] for i in range(60)]
    scim.call(
        "POST",
        "Groups",
        {"schemas": [GROUP_SCHEMA], "displayName": "All", "members": [{"value": i} for i in ids]},
    )
    for count in (10, 60):
        with django_assert_max_num_queries(8):
            page = scim.call("GET", f"Users?count={count}")
        assert len(page.json()["Resources"]) == count
    with django_assert_max_num_queries(8):
        assert scim.call("GET", "Groups").status_code == 200
    browser = client_on(acme.host, acme.admin)
    with django_assert_max_num_queries(16):
        assert browser.get("/settings/provisioning/").status_code == 200


@pytest.mark.django_db
def test_leaving_active_out_never_brings_a_deactivated_person_back(acme):
    scim = Scim(acme)
    entry = scim.create_user("gone@acme-robotics.test", active=False).json()
    gone = User.objects.get(email="gone@acme-robotics.test")
    put = {"schemas": [USER_SCHEMA], "userName": entry["userName"], "emails": entry["emails"]}
    assert scim.call("PUT", f"Users/{entry['id']}", put).status_code == 200
    assert not Membership.objects.filter(company=acme.company, user=gone).exists()
    remove = {"schemas": [PATCH_SCHEMA], "Operations": [{"op": "remove", "path": "active"}]}
    assert scim.call("PATCH", f"Users/{entry['id']}", remove).status_code == 200
    assert not Membership.objects.filter(company=acme.company, user=gone).exists()


@pytest.mark.django_db
def test_the_idp_cannot_remove_a_break_glass_owner(acme):
    from identity.models import SsoPolicy

    policy = SsoPolicy.objects.create(company=acme.company)
    policy.break_glass.add(acme.owner)
    scim = Scim(acme)
    _verify(acme, "acme.test")
    entry = scim.create_user(acme.owner.email).json()
    patch = {
        "schemas": [PATCH_SCHEMA],
        "Operations": [{"op": "replace", "value": {"active": False}}],
    }
    refused = scim.call("PATCH", f"Users/{entry['id']}", patch)
    assert refused.status_code == 400 and "break-glass" in refused.json()["detail"]
    assert scim.call("DELETE", f"Users/{entry['id']}").status_code == 400
    assert Membership.objects.filter(company=acme.company, user=acme.owner).exists()


@pytest.mark.django_db
def test_mapping_a_group_to_a_role_costs_the_same_for_5_or_40_people(
    acme, django_assert_max_num_queries
):
    from identity.scim.directory import group_role_set

    scim = Scim(acme)
    owner = Membership.objects.get(company=acme.company, user=acme.owner)
    for size, name in ((5, "Small"), (40, "Large")):
        ids = [
            scim.create_user(f"{name.lower()}{i}@acme-robotics.test").json()["id"]
            for i in range(size)
        ]
        body = {
            "schemas": [GROUP_SCHEMA],
            "displayName": name,
            "members": [{"value": i} for i in ids],
        }
        group = DirectoryGroup.objects.get(pk=scim.call("POST", "Groups", body).json()["id"])
        # one update and one audit entry per changed member, the rest constant
        with django_assert_max_num_queries(12 + 2 * size):
            group_role_set(actor=acme.owner, actor_membership=owner, group=group, role="admin")
    admins = Membership.objects.filter(
        company=acme.company, role="admin", user__email__endswith="@acme-robotics.test"
    )
    assert admins.count() == 45


@pytest.mark.django_db
def test_another_companys_directory_ids_are_404_and_change_nothing(acme, globex):
    acme_scim = Scim(acme)
    user_id = acme_scim.create_user("nina@acme-robotics.test").json()["id"]
    body = {"schemas": [GROUP_SCHEMA], "displayName": "Acme only", "members": [{"value": user_id}]}
    group_id = acme_scim.call("POST", "Groups", body).json()["id"]
    theirs = Scim(globex, verify=None)
    patch = {
        "schemas": [PATCH_SCHEMA],
        "Operations": [{"op": "replace", "value": {"active": False}}],
    }
    put = {"schemas": [USER_SCHEMA], "userName": "taken@globex.test"}
    for method, path, payload in (
        ("GET", f"Users/{user_id}", None),
        ("PATCH", f"Users/{user_id}", patch),
        ("PUT", f"Users/{user_id}", put),
        ("DELETE", f"Users/{user_id}", None),
        ("GET", f"Groups/{group_id}", None),
        (
            "PATCH",
            f"Groups/{group_id}",
            {
                "schemas": [PATCH_SCHEMA],
                "Operations": [{"op": "replace", "path": "displayName", "value": "x"}],
            },
        ),
        ("DELETE", f"Groups/{group_id}", None),
    ):
        response = theirs.call(method, path, payload)
        assert response.status_code == 404, (method, path, response.status_code)
        assert "nina" not in response.content.decode()
    # nor can globex's group take acme's person as a member
    stolen = {"schemas": [GROUP_SCHEMA], "displayName": "Stolen", "members": [{"value": user_id}]}
    assert theirs.call("POST", "Groups", stolen).status_code == 400
    entry = DirectoryUser.objects.get(pk=user_id)
    assert entry.active is True and entry.user_name == "nina@acme-robotics.test"
    assert DirectoryGroup.objects.get(pk=group_id).display_name == "Acme only"
    assert not DirectoryGroup.objects.filter(company=globex.company).exists()
