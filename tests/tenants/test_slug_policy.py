"""Workspace addresses and names: reserved words, minimum length, no punycode, and no look-alike
of a real company's address or name (tenants.domains, company_slug_validate)."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from ecosystem.demo import DEMO_COMPANIES
from tenants.domains import SLUG_PATTERN, name_skeleton, slug_reserved_reason, slug_skeleton
from tenants.models import Company, CompanyStatus
from tenants.services.companies import (
    company_create,
    company_name_validate,
    company_profile_update,
    company_slug_validate,
)
from tests.builders import client_on, company_make, user_make


def _refusal(slug: str) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        company_slug_validate(slug)
    return exc.value


@pytest.fixture
def northwind(db):  # type: ignore[no-untyped-def]
    return company_make("northwind", "Northwind Cloud")


# --- the probe's examples ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "code", "says"),
    [
        ("admin-2", "reserved", "keep for the service itself"),
        ("login-1", "reserved", "sign-in page"),
        ("ecosystem-cloud", "reserved", "keep for the service itself"),
        ("pg-catalog", "reserved", "database"),
        ("localhost", "reserved", "keep for the service itself"),
        ("xn--nrthwind-xxx", "invalid", "two hyphens in a row"),
        ("a", "short", "at least 3 characters"),
        ("ab", "short", "at least 3 characters"),
    ],
)
def test_probe_addresses_are_refused_with_a_message_that_says_what_to_do(acme, slug, code, says):
    error = _refusal(slug)
    message = " ".join(error.messages)
    assert error.code == code
    assert says in message
    assert "acme-robotics" in message  # an example of what would do


@pytest.mark.django_db
@pytest.mark.parametrize(
    "slug",
    [
        "admin",
        "admin2",
        "2admin",
        "ad-min",
        "adm1n",
        "www1",
        "support-24",
        "status",
        "ecosystem",
        "ecosystemcloud",
        "public",
        "information-schema",
        "postgres",
        "pg-toast",
        "pg13",
        "template",
        "pool",
        "internal",
        "billing",
        "payments",
        "verify",
        "accounts",
        "acme-login",
        "sso-acme",
        "acme-signin-2",
        "acme-l0gin",
    ],
)
def test_reserved_words_with_digits_hyphens_or_look_alike_letters_are_reserved(acme, slug):
    error = _refusal(slug)
    assert error.code == "reserved"
    assert f"“{slug}” is reserved" in error.messages[0]


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["ab-", "-ab", "a--b", "Acme Robotics", "acme_robotics", "é-co"])
def test_badly_formed_addresses_are_refused(acme, slug):
    assert _refusal(slug).code in ("invalid", "short")


@pytest.mark.django_db
def test_the_base_domain_labels_are_reserved(acme):
    with override_settings(BASE_DOMAIN="ecosystem.cloud"):
        for slug in ("cloud", "cloud-1", "ecosystem-cloud"):
            assert _refusal(slug).code == "reserved"
        assert company_slug_validate("cloudy-skies") == "cloudy-skies"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "slug",
    [
        "zenith-robotics",
        "bluepeak",
        "abc",
        "k9-security",
        "associates",
        "my-admin-tools",
        "pgadmin-consulting",
        "cloudy",
        "northwest",
    ],
)
def test_ordinary_addresses_are_accepted(acme, northwind, slug):
    assert company_slug_validate(f"  {slug.upper()} ") == slug


# --- look-alikes of a real company ------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "slug",
    [
        "n0rthwind",
        "north-wind",
        "northwind-2",
        "northwind2",
        "northvvind",
        "northwlnd",
        "n0rth-vvlnd-77",
        # one letter added, dropped, changed or swapped; digits in front; noise at the end;
        # the company's name as an address (the outside probe's list)
        "nnorthwind",
        "nortwind",
        "northwnid",
        "2northwind",
        "northwind-co",
        "northwind-admin",
        "northwind-cloud",
    ],
)
def test_look_alikes_of_a_real_company_are_refused_without_naming_it(northwind, slug):
    error = _refusal(slug)
    message = error.messages[0]
    assert error.code == "look_alike"
    assert message == (
        f"“{slug}” is too close to the address of a workspace already on the network; "
        "choose one that is clearly yours."
    )


@pytest.mark.django_db
def test_the_exact_address_is_taken_not_a_look_alike(northwind):
    error = _refusal("northwind")
    assert error.code == "taken" and "already taken" in error.messages[0]


@pytest.mark.django_db
def test_a_suspended_company_still_counts_and_pool_rows_do_not(acme):
    initech = company_make("initech")
    Company.objects.filter(pk=initech.company.pk).update(status=CompanyStatus.SUSPENDED)
    assert _refusal("1nitech").code == "look_alike"

    # Pool and template rows are the service's own: even one carrying a skeleton blocks no one.
    pooled = Company.objects.filter(status=CompanyStatus.POOLED).first()
    Company.objects.filter(pk=pooled.pk).update(slug_skeleton=slug_skeleton("hooli"))
    assert company_slug_validate("h0oli") == "h0oli"
    assert company_create(actor=user_make(), name="Hooli", slug="hooli").slug_skeleton == "hooll"


@pytest.mark.django_db
def test_the_look_alike_check_is_one_query(northwind):
    with CaptureQueriesContext(connection) as ctx:
        company_slug_validate("fresh-start")
    assert len(ctx.captured_queries) == 1
    assert "look_alike_keys" in ctx.captured_queries[0]["sql"]
    assert any(
        index.fields == ["look_alike_keys"] and type(index).__name__ == "GinIndex"
        for index in Company._meta.indexes
    )


@pytest.mark.django_db
def test_company_create_refuses_a_look_alike_and_creates_nothing(northwind):
    before = Company.objects.filter(status=CompanyStatus.ACTIVE).count()
    with pytest.raises(ValidationError) as exc:
        company_create(actor=user_make(), name="Totally Different", slug="n0rthwind")
    assert exc.value.code == "look_alike"
    assert Company.objects.filter(status=CompanyStatus.ACTIVE).count() == before


@pytest.mark.django_db
def test_skeletons_are_kept_on_save_and_filled_by_the_migration(acme, northwind):
    company = northwind.company
    assert (company.slug_skeleton, company.name_skeleton) == (
        slug_skeleton("northwind"),
        name_skeleton("Northwind Cloud"),
    )
    Company.objects.update(slug_skeleton="", name_skeleton="")
    migration = importlib.import_module("tenants.migrations.0004_company_skeletons")
    migration.skeletons_fill(apps, None)
    company.refresh_from_db()
    assert company.slug_skeleton == slug_skeleton("northwind")
    assert company.name_skeleton == name_skeleton("Northwind Cloud")
    assert Company.objects.get(status=CompanyStatus.PUBLIC).slug_skeleton == ""


def test_demo_addresses_pass_the_policy_and_differ_in_skeleton():
    for demo in DEMO_COMPANIES:
        assert SLUG_PATTERN.match(demo.slug) and len(demo.slug) >= 3
        assert slug_reserved_reason(demo.slug) is None
    skeletons = {slug_skeleton(demo.slug) for demo in DEMO_COMPANIES}
    names = {name_skeleton(demo.name) for demo in DEMO_COMPANIES}
    assert len(skeletons) == len(names) == len(DEMO_COMPANIES)


# --- company names ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "Northwind Cloud",
        "Northwlnd Cloud",
        "NORTHWIND  cloud",
        "North-Wind Cloud",
        "N0rthwind Cloud",
        "Nоrthwind Cloud",  # Cyrillic о
        "Nörthwind Cloud",
        "Northwind",
        "Northwind Cloud Inc.",
        "Northwindd Cloud",
    ],
)
def test_look_alike_company_names_are_refused_without_naming_the_company(northwind, name):
    with pytest.raises(ValidationError) as exc:
        company_name_validate(name)
    assert exc.value.code == "look_alike"
    message = exc.value.messages[0]
    assert message.startswith(f"“{' '.join(name.split())}” is too close to the name of a company")
    assert "for example your city" in message


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["Northwind Cloud Berlin", "Southwind Cloud", "Ελληνική Εταιρεία", "Zoë & Søn"]
)
def test_names_that_differ_are_accepted(northwind, name):
    assert company_name_validate(name) == name


@pytest.mark.django_db
def test_a_company_may_keep_or_respell_its_own_name_but_not_take_another(acme, northwind):
    owner = northwind.owner
    company = company_profile_update(
        actor=owner, company=northwind.company, data={"name": "NorthWind Cloud"}
    )
    assert company.name == "NorthWind Cloud"
    with pytest.raises(ValidationError) as exc:
        company_profile_update(
            actor=acme.owner, company=acme.company, data={"name": "Northwlnd Cloud"}
        )
    assert exc.value.code == "look_alike"


@pytest.mark.django_db
def test_the_api_accepts_a_company_s_own_name_and_refuses_a_look_alike(acme, northwind):
    client = client_on(northwind.host, northwind.admin)
    same = client.patch(
        "/api/v1/company/", {"name": "Northwind Cloud"}, content_type="application/json"
    )
    assert same.status_code == 200, same.content
    other = client_on(acme.host, acme.admin).patch(
        "/api/v1/company/", {"name": "northwind cloud"}, content_type="application/json"
    )
    assert other.status_code == 400 and "too close" in str(other.json()["name"])


# --- the page: a signed-in person creates another company on the base domain -----------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "says"),
    [
        ("n0rthwind", "too close to the address of a workspace"),
        ("northwind-2", "too close to the address of a workspace"),
        ("admin-2", "looks like an address we keep for the service itself"),
        ("xn--nrthwind-xxx", "two hyphens in a row"),
        ("ab", "at least 3 characters"),
    ],
)
def test_create_company_page_refuses_bad_addresses_and_creates_nothing(acme, northwind, slug, says):
    client = client_on("localhost", acme.member)
    before = Company.objects.count()
    response = client.post("/companies/new/", {"company_name": "Side Gig", "company_slug": slug})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get("company_slug", []))
    assert says in errors
    assert Company.objects.count() == before


@pytest.mark.django_db
def test_create_company_page_refuses_a_look_alike_name(acme, northwind):
    client = client_on("localhost", acme.member)
    response = client.post(
        "/companies/new/", {"company_name": "Northwlnd Cloud", "company_slug": "side-gig"}
    )
    assert response.status_code == 200
    assert "too close to the name" in " ".join(response.context["form"].errors["company_name"])
    assert not Company.objects.filter(slug="side-gig").exists()


@pytest.mark.django_db
def test_create_company_page_accepts_an_ordinary_address(acme, northwind):
    client = client_on("localhost", acme.member)
    response = client.post(
        "/companies/new/", {"company_name": "Acme Labs", "company_slug": "acme-labs"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("http://acme-labs.localhost/auth/handoff/")


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["sign-in", "log-in", "sign-on", "pass-word", "acmelogin"])
def test_sign_in_words_split_or_run_together_are_reserved(acme, slug):
    assert _refusal(slug).code == "reserved"


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["pgcatalog", "pg-toast", "xn-nrthwind"])
def test_schema_and_punycode_look_alikes_are_reserved(acme, slug):
    assert _refusal(slug).code == "reserved"


@pytest.mark.django_db
def test_a_name_mixing_alphabets_in_one_word_is_refused(acme):
    with pytest.raises(ValidationError) as exc:
        company_name_validate("Nօrthwind Systems")  # an Armenian o
    assert exc.value.code == "mixed_scripts"


@pytest.mark.django_db
def test_one_letter_slips_of_a_longer_company_are_look_alikes_but_short_ones_only_when_equal(
    acme,
):
    company_make("harbor", "Harbor Security")
    for slug in ("harbour", "harbr", "hxrbor"):
        assert _refusal(slug).code == "look_alike", slug
    company_make("abcd", "Abcd Labs")
    assert company_slug_validate("abce") == "abce"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "slug",
    [
        "my-northwind",
        "thenorthwind",
        "northwind-partners",
        "partners-northwind",
        "northwind-secure",
        "northwind-eu",
        "northwindsecurity",
    ],
)
def test_noise_in_front_behind_or_run_together_still_looks_alike(northwind, slug):
    assert _refusal(slug).code == "look_alike"


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["account-verify", "support-billing", "xn-nrthwind"])
def test_addresses_made_of_our_own_words_are_reserved(acme, slug):
    error = _refusal(slug)
    assert error.code == "reserved"
    if slug.startswith("xn-"):
        assert "xn-" in error.messages[0] and "pg" not in error.messages[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("\u202eduolC dniwhtroN", "format_characters"),
        ("North\u200bwind Labs", "format_characters"),
        ("../../", "no_letters"),
        ("Ecosystem Cloud", "reserved"),
        ("Ecosystem Cloud Support", "reserved"),
        ("Ecosystem Security Team", "reserved"),
    ],
)
def test_names_that_hide_or_pose_as_something_else_are_refused(acme, name, code):
    with pytest.raises(ValidationError) as exc:
        company_name_validate(name)
    assert exc.value.code == code


@pytest.mark.django_db
@pytest.mark.parametrize(
    "slug", ["campus", "taco-bar", "gotham", "theater-group", "my-admin-tools"]
)
def test_words_that_merely_contain_noise_are_fine(acme, slug):
    assert company_slug_validate(slug) == slug
