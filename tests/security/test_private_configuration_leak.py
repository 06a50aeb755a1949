"""The configuration and private-data leak matrix (invariants 1, 2 and 8).

tests/test_url_coverage.py proves that another company's records answer 404. This proves the
other half: where a company legitimately sees another company's data — a shared record, the
"Shared with me" inbox and its CSV, a partner's profile and the directory, "view as",
notifications, activity, comments, the API and its OpenAPI document — nothing of the other
company's PRIVATE configuration (stage/motion/role labels, vocabularies, field definitions,
mappings, policies, rules, metrics, partner notes and types, saved views, tokens) or private
fields (private notes, internal notes, non-shareable and withheld values) comes along.

Three companies (tests/security/leak_world.py) plant unique markers in every kind of private
configuration and data and share records in several directions. Then every person crawls
every GET route of their company's host — each id placeholder filled with every object of
the right kind they may see — and the base domain, and no response (HTML, JSON, CSV) may hold
a marker of a company that is not in its audience. E-mails sent during the scenario are read
the same way for their recipients. Each marker must also show somewhere on its own company's
host: a marker that never renders anywhere would prove nothing."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core import mail
from django.urls import get_resolver

from identity.models import ColleagueInvitation, User
from tenants.middleware import OPEN_PREFIXES
from tests.security.leak_world import (
    ALPHA,
    AMOUNTS,
    BETA,
    GAMMA,
    MARKER_PATTERN,
    PARTNERS,
    SLUGS,
    LeakWorld,
    amount_pattern,
    client_for,
    world_build,
    world_companies,
)
from tests.test_url_coverage import _patterns

# <uuid:pk> and <int:pk> on a company host: which of the company's objects fill them.
UUID_FILL = (
    "customers/",
    "partners/",
    "pipeline/",
    "shared/",
    "solutions/",
    "marketing/",
    "approvals/",
    "settings/invitations/",
    "settings/sessions/",
    "settings/sso/domains/",
    "settings/sso/",
    "settings/service-accounts/",
    "settings/provisioning/groups/",
    "settings/integrations/",
    "integrations/hooks/",
    "settings/webhooks/",
    "imports/",
)
INT_FILL = {
    "settings/members/": "membership",
    "settings/tokens/": "token",
    "settings/fields/": "field",
    "views/": "view",
    "settings/rules/": "rule",
    "settings/approvals/": "approval_rule",
    "settings/metrics/": "metric",
}
API_PK_FILL = {
    "opportunities": "pipeline/",
    "accounts": "customers/",
    "solutions": "solutions/",
    "marketing-plans": "marketing/",
    "shared": "shared/",
    "partnerships": "partners/",
    "tokens": "token",
    "approvals": "approvals/",
    "metrics": "metric",
    "webhooks": "settings/webhooks/",
}
# The vocabularies whose pages are crawled: those holding markers (the rest are the same
# template over the standard terms).
CRAWLED_VOCABULARIES = ("stages", "motions", "deal_roles", "partner_types")
# Where the company's people see other companies' data: also crawled in the browsable API.
BROWSABLE_API = re.compile(r"^/api/v1/(shared|partnerships|directory)/$")
# What can differ between two people of one company: the shared records each may read (a
# share with named people), their notifications and approvals. The company's owner reads every
# page of every route; its member reads every page of these routes and the first page of every
# other route (the company's own records, settings, "view as" and partner profiles are the same
# for each of its people — or a 403 for a member); account pages are the owner's to read.
PER_PERSON = (
    "shared/",
    "notifications/",
    "approvals/",
    "api/v1/me/",
    "api/v1/^shared",
    "api/v1/^approvals",
    "(filtered lists)",
)
OWNER_ONLY = ("accounts/", "api/v1/schema/", "api/v1/docs/")


def _slug_values(route: str, slug: str) -> list[str]:
    if "/preview/" in route:
        return [s for s in SLUGS if s != slug]  # (the 404 for any other slug: test_url_coverage)
    if route.startswith("partners/directory/"):
        return list(SLUGS)
    if "/share/" in route:
        return PARTNERS[slug][:1]  # (remove, deal-role: POST only)
    if route.startswith("switch/"):
        return [slug]
    raise AssertionError(f"no values for <slug:slug> in {route}: add them to _slug_values")


def _company_route_paths(route: str, ids: dict, slug: str) -> list[str]:
    """Every concrete path of one route of `slug`'s host."""
    if "(?P<format>" in route:
        return []
    if route.startswith("api/v1/^"):
        rest = route.removeprefix("api/v1/^").rstrip("$")
        resource = rest.split("/")[0]
        options: list[list[tuple[str, str]]] = []
        for group in re.findall(r"\(\?P<(\w+)>[^)]*\)", rest):
            if group == "pk":
                assert resource in API_PK_FILL, f"no ids for API route {rest}: add to API_PK_FILL"
                values = [str(v) for v in ids[API_PK_FILL[resource]]]
            elif group == "slug" and resource in ("directory", "partner-relationships"):
                values = list(SLUGS)
            elif group == "slug":
                values = PARTNERS[slug]
            elif group == "delivery_pk":
                values = [str(v) for v in ids["delivery"]]
            else:
                raise AssertionError(f"unfilled group {group} in API route {rest}")
            options.append([(group, v) for v in values])
        paths = []
        for combination in itertools.product(*options):
            path = rest
            for group, value in combination:
                path = re.sub(rf"\(\?P<{group}>[^)]*\)", value, path, count=1)
            paths.append("/api/v1/" + path)
        return paths
    if "^" in route or "(?P" in route:
        return []  # allauth's key-based links: covered by their own flow tests
    if "<slug:key>" in route and "<int:pk>" in route:  # a vocabulary's terms: renamed ones
        return [
            "/" + route.replace("<slug:key>", key).replace("<int:pk>", str(pk))
            for key, pk in ids["renamed_terms"]
        ]
    options = []
    for placeholder in re.findall(r"<[^>]+>", route):
        if placeholder == "<uuid:pk>":
            prefix = next((p for p in UUID_FILL if route.startswith(p)), None)
            assert prefix is not None, f"no ids for {route}: add its prefix to UUID_FILL"
            values = [str(v) for v in ids[prefix]]
        elif placeholder == "<int:pk>":
            prefix = next((p for p in INT_FILL if route.startswith(p)), None)
            assert prefix is not None, f"no ids for {route}: add its prefix to INT_FILL"
            values = [str(v) for v in ids[INT_FILL[prefix]]]
        elif placeholder == "<uuid:task_pk>":
            values = [str(v) for v in ids["task"]]
        elif placeholder in (
            "<uuid:run_pk>",
            "<uuid:conflict_pk>",
            "<uuid:letter_pk>",
            "<int:mapping_pk>",
            "<uuid:delivery_pk>",
        ):
            # a connection's parts: every one of the company's (the route's connection is
            # filled by <uuid:pk>; another connection's part is a 404 like another company's)
            values = [str(v) for v in ids[placeholder.split(":")[1].removesuffix("_pk>")]]
        elif placeholder == "<slug:connector>":
            values = ["tryton"]
        elif placeholder == "<slug:kind>":  # exports of the company's own lists
            values = ["account", "opportunity", "solution", "partner"]
        elif placeholder == "<slug:fmt>":
            values = ["csv"]
        elif placeholder == "<slug:slug>":
            values = _slug_values(route, slug)
        elif placeholder == "<slug:protocol>":
            values = ["oidc", "saml"]
        elif placeholder in ("<slug:provider_id>", "<organization_slug>"):
            values = list(ids["provider_id"])
        elif placeholder == "<str:secret>":
            # an invitation link's secret is kept only as a digest: no real one to fill in
            values = ["not-a-secret"]
        elif placeholder == "<slug:key>":
            values = [v for v in ids["vocabulary"] if v in CRAWLED_VOCABULARIES or "priv_" in v]
        elif placeholder in ("<str:key>", "<str:pk>", "<path:rest>"):
            # /scim/v2/ (open prefix: its own token, tests/identity/test_scim.py)
            values = ["User"]
        else:
            raise AssertionError(f"unfilled placeholder {placeholder} in {route}")
        options.append([(placeholder, v) for v in values])
    paths = []
    for combination in itertools.product(*options):
        path = route
        for placeholder, value in combination:
            path = path.replace(placeholder, value, 1)
        if path.endswith("/share/people/"):
            path += f"?partner={PARTNERS[slug][0]}"
        paths.append("/" + path)
    return paths


def company_crawl_plan(w: LeakWorld, slug: str) -> list[tuple[str, list[str]]]:
    """(route, its concrete paths) for every GET-able route of `slug`'s host, plus the list
    pages again with the filters that narrow them to one partner's records."""
    ids = w.ids[slug]
    plan = []
    for route, _ in _patterns(get_resolver("ecosystem.urls_company")):
        paths = [
            p for p in _company_route_paths(route, ids, slug) if not p.startswith(OPEN_PREFIXES)
        ]
        if paths:
            plan.append((route, paths))
    tier = f"priv_{slug.replace('-', '_')}_tier"
    extras = [
        "/shared/?kind=opportunity",
        "/shared/?stage=propose",
        "/shared/?needs_action=1",
        "/api/v1/shared/?shared_with_me=true",
        "/api/v1/shared/?shared_with_me=true&format=api",
        f"/partners/?type={tier}",
        "/partners/directory/?q=leak",
        "/api/v1/directory/?search=leak",
        "/pipeline/?stage=qualify",
    ]
    for partner in PARTNERS[slug]:
        extras += [f"/shared/?partner={partner}", f"/api/v1/shared/?partner={partner}"]
    for route, paths in list(plan):
        if BROWSABLE_API.match(paths[0]):
            plan.append((route + " (browsable)", [f"{p}?format=api" for p in paths]))
    shared_detail = [f"/api/v1/shared/{pk}/?format=api" for pk in ids["shared/"][:2]]
    plan.append(("api/v1/^shared/(?P<pk>[^/.]+)/$ (browsable)", shared_detail))
    plan.append(("(filtered lists)", extras))
    return plan


def network_crawl_plan(w: LeakWorld) -> list[tuple[str, list[str]]]:
    plan = []
    for route, _ in _patterns(get_resolver(settings.PUBLIC_SCHEMA_URLCONF)):
        if route.startswith("admin/") or "^" in route or "(?P" in route:
            continue  # the platform admin is for staff only
        if route.startswith("accounts/logout/"):
            continue
        if "<uuid:token>" in route:
            paths = ["/" + route.replace("<uuid:token>", str(t)) for t in w.invitation_ids]
        elif "<slug:slug>" in route:
            paths = ["/" + route.replace("<slug:slug>", s) for s in SLUGS]
        elif "<slug:provider_id>" in route or "<organization_slug>" in route:
            # every company's SSO connections
            placeholder = (
                "<slug:provider_id>" if "<slug:provider_id>" in route else "<organization_slug>"
            )
            paths = [
                "/" + route.replace(placeholder, pid)
                for s in SLUGS
                for pid in w.ids[s]["provider_id"]
            ]
        else:
            assert "<" not in route, f"unfilled placeholder in {route}"
            paths = ["/" + route]
        plan.append((route, paths))
    return plan


@dataclass
class Finding:
    reader: str  # "<slug> <email>" or an e-mail recipient
    where: str  # URL (with host) or e-mail subject
    status: int | str
    leaked: str  # the marker (or amount)
    whose: str
    what: str

    def __str__(self) -> str:
        return (
            f"{self.reader} read {self.whose}'s {self.what!r} ({self.leaked}) "
            f"at {self.where} [{self.status}]"
        )


class Reader:
    """Reads responses and e-mails: finds markers outside their audience and remembers which
    markers showed on their own company's host."""

    def __init__(self, w: LeakWorld):
        self.w = w
        self.findings: list[Finding] = []
        self.shown: set[tuple[str, str]] = set()  # (marker or amount, company slug)

    def read(
        self, text: str, *, companies: list[str], user: User | None, where: str, status: int | str
    ) -> None:
        reader = f"{'/'.join(companies) or 'nobody'} {user.email if user else ''}".strip()
        candidates = set(MARKER_PATTERN.findall(text))  # owners' slugs of what is in there
        for found in {m.group(0) for m in MARKER_PATTERN.finditer(text)}:
            if found not in self.w.markers and not any(m in found for m in self.w.markers):
                owner = MARKER_PATTERN.fullmatch(found).group(1)
                if owner not in companies:
                    self.findings.append(
                        Finding(reader, where, status, found, owner, "unregistered marker")
                    )
        if candidates:
            for marker in self.w.markers.values():
                if marker.owner not in candidates or marker.text not in text:
                    continue
                readable = [c for c in companies if marker.readable_by(c, user and user.pk)]
                if readable:
                    self.shown.update((marker.text, c) for c in readable)
                else:
                    self.findings.append(
                        Finding(reader, where, status, marker.text, marker.owner, marker.what)
                    )
        for marker_id, marker in self.w.private_ids.items():
            if marker_id in text and not any(
                marker.readable_by(c, user and user.pk) for c in companies
            ):
                self.findings.append(
                    Finding(reader, where, status, marker_id, marker.owner, marker.what)
                )
        for owner, amount in AMOUNTS.items():
            if amount_pattern(amount).search(text):
                if owner in companies:
                    self.shown.add((str(amount), owner))
                else:
                    self.findings.append(
                        Finding(reader, where, status, str(amount), owner, "withheld amount")
                    )


def _body(response) -> str:  # type: ignore[no-untyped-def]
    content = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode("utf-8", errors="replace")
    headers = " ".join(f"{k}: {v}" for k, v in response.items())
    return f"{headers}\n{content}"


def test_the_reader_flags_what_is_read_outside_its_audience_and_only_that():
    """The crawl's eyes, on their own: a test that passes because its reader is blind would
    prove nothing."""
    from tests.security.leak_world import Marker

    w = LeakWorld(worlds={})
    label = w.private(ALPHA, "stage-label")
    named = w.mark(
        f"RESTRICTED-{ALPHA}-named", owner=ALPHA, what="named", audience=(BETA,), people=()
    )
    w.private_ids["0f0e0d0c-0000-4000-8000-000000000001"] = Marker(
        text="0f0e0d0c-0000-4000-8000-000000000001",
        owner=BETA,
        what="approval request id",
        audience=frozenset({BETA}),
    )
    reader = Reader(w)
    page = (
        f"<td>{label}</td> {named} PRIVATE-{GAMMA}-never-registered "
        f"0f0e0d0c-0000-4000-8000-000000000001 <td>{AMOUNTS[ALPHA]:,} USD</td>"
    )
    reader.read(page, companies=[ALPHA], user=None, where="alpha page", status=200)
    assert {f.leaked for f in reader.findings} == {
        f"PRIVATE-{GAMMA}-never-registered",
        "0f0e0d0c-0000-4000-8000-000000000001",
    }
    assert {(label, ALPHA), (named, ALPHA), (str(AMOUNTS[ALPHA]), ALPHA)} <= reader.shown
    reader = Reader(w)
    reader.read(page, companies=[BETA], user=None, where="beta page", status=200)
    assert {f.leaked for f in reader.findings} == {
        label,
        named,  # B may read it, but only its people named on the share
        f"PRIVATE-{GAMMA}-never-registered",
        str(AMOUNTS[ALPHA]),
    }
    # an id that merely contains the digits of an amount is not the amount
    reader = Reader(w)
    reader.read(
        f"/shared/0e{AMOUNTS[ALPHA]}a-1111/ ab{AMOUNTS[GAMMA]}",
        companies=[BETA],
        user=None,
        where="ids",
        status=200,
    )
    assert not reader.findings


@pytest.mark.django_db
def test_no_page_api_export_or_email_shows_another_companys_private_configuration(
    django_capture_on_commit_callbacks,
):
    w = world_companies()
    with django_capture_on_commit_callbacks(execute=True):
        world_build(w)
    reader = Reader(w)
    server_errors: list[str] = []
    fetches = 0
    statuses: dict[tuple[str, str, str], int] = {}

    # -- every page and endpoint of each company's host, as each of its people -------------
    for slug in SLUGS:
        world = w.worlds[slug]
        plan = company_crawl_plan(w, slug)
        actions: set[str] = set()
        for user in (world.owner, world.member):
            client = client_for(world.host, user)
            for _route, paths in plan:
                if user == world.member and not (_route == "" or _route.startswith(PER_PERSON)):
                    if _route in actions or _route.startswith(OWNER_ONLY):
                        continue
                    paths = paths[:1]
                for index, path in enumerate(paths):
                    response = client.get(path)
                    fetches += 1
                    statuses[(slug, user.email, path)] = response.status_code
                    if index == 0 and (
                        response.status_code == 405
                        or (response.status_code in (301, 302) and not response.content)
                    ):
                        # an action (POST only, or a GET that just redirects) answers every
                        # id and person alike, with nothing to read
                        actions.add(_route)
                        break
                    if response.status_code >= 500:
                        server_errors.append(f"{world.host}{path} as {user.email}")
                    reader.read(
                        _body(response),
                        companies=[slug],
                        user=user,
                        where=f"{world.host}{path}",
                        status=response.status_code,
                    )

    # -- the network's own host, signed in (its pages are about the person, not a company) ---
    network_statuses: dict[int, int] = defaultdict(int)
    for slug in SLUGS:
        world = w.worlds[slug]
        for user in (world.member,):
            client = client_for(settings.BASE_DOMAIN, user)
            for _route, paths in network_crawl_plan(w):
                for path in paths:
                    response = client.get(path)
                    fetches += 1
                    network_statuses[response.status_code] += 1
                    if response.status_code >= 500:
                        server_errors.append(f"{settings.BASE_DOMAIN}{path} as {user.email}")
                    reader.read(
                        _body(response),
                        companies=[slug],
                        user=user,
                        where=f"{settings.BASE_DOMAIN}{path}",
                        status=response.status_code,
                    )

    # -- what partners were told while they worked (e.g. a refused edit) ---------------------
    for slug, user, what, body in w.scenario_responses:
        reader.read(body, companies=[slug], user=user, where=what, status="scenario")

    # -- e-mails, read by their recipients ----------------------------------------------------
    slug_of_company = {w.company(s).pk: s for s in SLUGS}
    assert len(mail.outbox) >= 10, [m.subject for m in mail.outbox]
    for message in mail.outbox:
        text = "\n".join(
            [message.subject, message.body]
            + [str(content) for content, _ in getattr(message, "alternatives", [])]
        )
        for address in [*message.to, *message.cc, *message.bcc]:
            user = User.objects.filter(email__iexact=address).first()
            companies = (
                sorted(
                    slug_of_company[pk]
                    for pk in user.memberships.values_list("company_id", flat=True)
                    if pk in slug_of_company
                )
                if user
                # someone invited to join a company reads what that company wrote to them
                else sorted(
                    slug_of_company[pk]
                    for pk in ColleagueInvitation.objects.filter(email=address).values_list(
                        "company_id", flat=True
                    )
                )
            )
            reader.read(
                text,
                companies=companies,
                user=user,
                where=f"e-mail to {address}: {message.subject!r}",
                status="mail",
            )

    # -- the verdict: nothing read outside its audience ---------------------------------------
    assert not reader.findings, _report(reader.findings)
    assert not server_errors, "pages that fail can't be checked:\n" + "\n".join(server_errors)

    # -- ... on a crawl that reached what it is about ---------------------------------------------
    a, b, c = (w.worlds[s] for s in SLUGS)
    a_shared = [pk for pk in w.ids[ALPHA]["shared/"] if pk in w.ids[BETA]["shared/"]]
    must_answer = [
        (BETA, b.member, f"/shared/{a_shared[0]}/"),
        (BETA, b.member, "/shared/"),
        (BETA, b.member, "/shared/export.csv"),
        (BETA, b.member, "/notifications/"),
        (BETA, b.member, f"/api/v1/shared/{a_shared[0]}/"),
        (BETA, b.member, f"/api/v1/shared/{a_shared[0]}/comments/"),
        (BETA, b.member, f"/partners/directory/{ALPHA}/"),
        (GAMMA, c.owner, f"/partners/directory/{ALPHA}/"),
        (BETA, b.member, "/api/v1/partnerships/"),
        (BETA, b.member, "/api/v1/directory/"),
        (BETA, b.owner, "/api/v1/schema/"),
        (ALPHA, a.owner, f"/partners/directory/{GAMMA}/"),
        (GAMMA, c.member, "/shared/"),
    ]
    # "view as": A's owner saw A's records as B (and as C, on the record B re-shared with C)
    previews = [
        (ALPHA, a.owner, path)
        for (slug, email, path), status in statuses.items()
        if slug == ALPHA
        and email == a.owner.email
        and "/preview/" in path
        and not path.startswith("/settings/integrations/")  # a CRM mapping's preview
        and status == 200
    ]
    assert {p.rsplit("/", 2)[-2] for _, _, p in previews} == {BETA, GAMMA}, previews
    for slug, user, path in must_answer:
        status = statuses.get((slug, user.email, path))
        assert status == 200, (slug, user.email, path, status)

    # -- ... and markers that show where they belong (one that never shows proves nothing) ----
    never_shown = sorted(
        f"{marker.text} ({marker.what}) never showed on {company}'s host"
        for marker in w.markers.values()
        for company in marker.must_show_at
        if (marker.text, company) not in reader.shown
    ) + sorted(
        f"{owner}'s amount {amount} never showed on its own host"
        for owner, amount in AMOUNTS.items()
        if (str(amount), owner) not in reader.shown
    )
    assert not never_shown, "markers that prove nothing:\n" + "\n".join(never_shown)


def _report(findings: list[Finding]) -> str:
    """Leaks grouped by who read whose what, with one place each was read; then the first
    few in full."""
    groups: dict[tuple[str, str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        groups[(f.reader.split(" ")[0], f.whose, f.what)].append(f)
    lines = [f"{len(findings)} leaks of private data, in {len(groups)} kinds:"]
    for (reader, whose, what), found in sorted(groups.items()):
        lines.append(
            f"  {reader} reads {whose}'s {what}: {len(found)}x, e.g. {found[0].where} "
            f"[{found[0].status}] ({found[0].leaked})"
        )
    lines.append("first ones in full:")
    lines += [f"  {f}" for f in sorted(findings, key=str)[:20]]
    return "\n".join(lines)
