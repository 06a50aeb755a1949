"""Settings shared by every environment; values come from the environment (django-environ).

The split between SHARED_APPS (public schema: the network) and TENANT_APPS (one schema per
company) is the frame of the whole product; see docs/architecture.md before moving an app.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
# The local demo (ecosystem.settings.dev): e-mails are printed, not sent.
DEMO = False

# Companies live at <slug>.BASE_DOMAIN; the base domain itself serves sign-up and login discovery.
BASE_DOMAIN = env("BASE_DOMAIN", default="localhost")
# Port shown in links we build ourselves (e-mails, workspace switcher); empty behind a proxy.
PUBLIC_PORT = env("PUBLIC_PORT", default="")
PUBLIC_SCHEME = env("PUBLIC_SCHEME", default="http")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[BASE_DOMAIN, f".{BASE_DOMAIN}"])

SHARED_APPS = [
    "django_tenants",
    "tenants",
    "identity",
    "audit",
    "sharing",
    "ui",
    "vault",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    # each company's own identity providers (identity.sso builds their apps at runtime)
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "guardian",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]
TENANT_APPS = [
    "audit.company",
    "workspace",
    "business",
    "pipeline",
    "solutions",
    "marketing",
    # after the kinds above: the registry lists kinds in this order (pickers start with deals)
    "accounts",
    "sharing.lens",
    "partners.relationships",
    "approvals",
    "reports",
    "integrations",
    "webhooks",
]
INSTALLED_APPS = [
    *SHARED_APPS,
    *(app for app in TENANT_APPS if app not in SHARED_APPS),
    # The project package: no models, in no schema; installed for its management commands
    # (demo_network) and tasks.
    "ecosystem",
]

TENANT_MODEL = "tenants.Company"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "ecosystem.urls_public"
ROOT_URLCONF = "ecosystem.urls_company"
TENANT_LIMIT_SET_CALLS = True
# Migrations over many schemas run in parallel (see docs/architecture.md, "Scale").
TENANT_MIGRATION_EXECUTOR = env("TENANT_MIGRATION_EXECUTOR", default="standard")
TENANT_MULTIPROCESSING_MAX_PROCESSES = env.int("TENANT_MULTIPROCESSING_MAX_PROCESSES", default=2)

# How many ready-made company schemas provisioning keeps in reserve.
TENANT_POOL_SIZE = env.int("TENANT_POOL_SIZE", default=3)

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # before anything reads the request: NUL, control characters, deep JSON, huge bodies
    "edge.middleware.HostileInputMiddleware",
    "tenants.middleware.CompanyDomainMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "identity.middleware.SessionRecordMiddleware",
    "identity.middleware.SsoEnforcementMiddleware",
    "tenants.middleware.MembershipRequiredMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenants.context_processors.workspace",
                "sharing.records.context_processors.notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "ecosystem.wsgi.application"
ASGI_APPLICATION = "ecosystem.asgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/ecosystem")
}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
# Postgres caches catalog data per connection and schema: recycle connections.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A persistent connection is checked before reuse, so processes survive a PostgreSQL restart.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The largest request body any endpoint takes (the configuration import's file, 5 MB, is the
# largest); the edge answers 413 before reading more (edge/middleware.py).
EDGE_MAX_BODY_BYTES = env.int("EDGE_MAX_BODY_BYTES", default=6 * 1024 * 1024)

REDIS_URL = env("REDIS_URL", default="")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_FUNCTION": "tenants.cache.make_key",
            "REVERSE_KEY_FUNCTION": "tenants.cache.reverse_key",
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_FUNCTION": "tenants.cache.make_key",
            "REVERSE_KEY_FUNCTION": "tenants.cache.reverse_key",
        }
    )
}

AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# allauth: e-mail is the login. Sign-up answers "enter the code we e-mailed you" for a new
# address and for one that already has an account alike (the mail to an existing one says so),
# so it tells nobody who is registered; the workspace opens once the code is entered
# (identity.signup). Verification is by a code typed in the same browser, not a link.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Ecosystem Cloud: "
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_ADAPTER = "identity.adapters.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "identity.forms.CompanySignupForm"
ACCOUNT_FORMS = {"reset_password": "identity.reset_forms.ResetPasswordForm"}
ACCOUNT_SESSION_REMEMBER = None
# Attempt limits (identity/throttles.py): counted network-wide, per client (IP) and per account
# (key) or person (user). allauth's defaults stand for the rest (reset_password 20/m/ip,5/m/key;
# signup 20/m/ip; login 30/m/ip; MFA codes).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "find_company": "20/h/ip,3/h/key",
    "api_token_failed": "30/m/ip,50/5m/key",
    "token_create": "20/h/user",
    "partner_invitation": "20/h/user,3/d/key",
    # each request may invite up to 50 addresses
    "colleague_invitation": "30/h/user",
    "partnership_invite": "30/h/user,3/d/key",
    # redirects to a company's IdP (each one costs the IdP a login page), per client and IdP
    "sso_start": "60/m/key",
    # SCIM (identity.scim): wrong tokens per client and company; requests per token
    "scim_failed": "30/m/key",
    "scim_request": env("SCIM_RATE_PER_TOKEN", default="1200/m/key"),
}
# Behind a load balancer, the client's address is the last hop it adds to X-Forwarded-For:
# set how many proxies to trust, or every client shares the balancer's address (and its limit).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Ecosystem Cloud"
# A company's IdP is never trusted for other companies' users (see ARCHITECTURE.md, traps):
# no sign-in by a matching e-mail alone; identity.sso links an account only for an address on
# one of the company's verified domains.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_ADAPTER = "identity.sso.adapter.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
# The address comes from a verified domain of the company whose IdP asserted it.
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_REQUIRED = True
# Apps are built per request from our own SsoConnection rows, never saved: no tokens to keep.
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
# Identity providers and metadata URLs an admin types are fetched by our servers: only public
# addresses, unless this is on (development, the demo's local IdPs, tests).
SSO_ALLOW_PRIVATE_ADDRESSES = env.bool("SSO_ALLOW_PRIVATE_ADDRESSES", default=False)
# Where domain verification asks for TXT records: "host:port" of a resolver, or empty for the
# system's resolvers (the tests and the demo point it at a local DNS server).
DNS_RESOLVER = env("DNS_RESOLVER", default="")
# the demo's local OpenID provider (./run starts it; ecosystem.demo.identity)
DEMO_IDP_PORT = env.int("DEMO_IDP_PORT", default=9400)

# Secrets at rest (vault): Fernet keys, newest first; production requires them.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

# guardian: no anonymous user row (it breaks tenant migrations).
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "identity.authentication.PersonalAccessTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "EXCEPTION_HANDLER": "ecosystem.api_errors.exception_handler",
    # JSON only: the browsable HTML renderer needs inline styles (the CSP allows none), and
    # people explore the API in Swagger UI at /api/v1/docs/.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "business.filter_backend.CustomFieldsFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["identity.api_throttles.PerTokenRateThrottle"],
}
# CRM sync (integrations): retries with exponential backoff and full jitter, capped; page size
INTEGRATIONS_RETRY_ATTEMPTS = env.int("INTEGRATIONS_RETRY_ATTEMPTS", default=5)
INTEGRATIONS_RETRY_BASE_SECONDS = env.float("INTEGRATIONS_RETRY_BASE_SECONDS", default=1.0)
INTEGRATIONS_RETRY_MAX_SECONDS = env.float("INTEGRATIONS_RETRY_MAX_SECONDS", default=60.0)
INTEGRATIONS_PAGE_SIZE = env.int("INTEGRATIONS_PAGE_SIZE", default=500)
# a CRM on loopback or a private network (the demo's and the tests' local Tryton); production
# refuses such addresses (integrations.addresses)
INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES = env.bool(
    "INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES", default=False
)
# e.g. http://smokescreen:4750: every CRM request goes through it (an egress proxy that refuses
# private networks closes the DNS-rebinding window our own check leaves)
INTEGRATIONS_EGRESS_PROXY = env("INTEGRATIONS_EGRESS_PROXY", default="")
# a private CA bundle for the CRMs' TLS (the tests' local stand-ins); the system's otherwise
INTEGRATIONS_CA_BUNDLE = env("INTEGRATIONS_CA_BUNDLE", default="")
# an initial import of more records than this reads through the CRM's bulk API when it has one
# (Salesforce Bulk API 2.0): one job, CSV pages, instead of a query per page
INTEGRATIONS_BULK_THRESHOLD = env.int("INTEGRATIONS_BULK_THRESHOLD", default=10_000)
# rows per page of a Bulk API job's results (one transaction each in the initial import)
INTEGRATIONS_BULK_PAGE_SIZE = env.int("INTEGRATIONS_BULK_PAGE_SIZE", default=2_000)
# The OAuth apps this deployment registered with the CRMs (a Salesforce connected app, a
# HubSpot public app): each company connects its own org through them. Without a client id
# the CRM is offered only with a token (HubSpot's private apps). Their one callback address
# is on the network's host (integrations.connectors.oauth): /integrations/oauth/callback/
INTEGRATIONS_OAUTH = {
    "salesforce": {
        "client_id": env("SALESFORCE_CLIENT_ID", default=""),
        "client_secret": env("SALESFORCE_CLIENT_SECRET", default=""),
        "scope": "api refresh_token",
        # where the admin signs in: a production org or a sandbox
        "logins": {
            "production": env("SALESFORCE_LOGIN_URL", default="https://login.salesforce.com"),
            "sandbox": env("SALESFORCE_SANDBOX_LOGIN_URL", default="https://test.salesforce.com"),
        },
    },
    "hubspot": {
        "client_id": env("HUBSPOT_CLIENT_ID", default=""),
        "client_secret": env("HUBSPOT_CLIENT_SECRET", default=""),
        "scope": (
            "oauth crm.objects.companies.read crm.objects.companies.write "
            "crm.objects.deals.read crm.objects.deals.write "
            "crm.schemas.companies.read crm.schemas.deals.read"
        ),
        "authorize_url": env(
            "HUBSPOT_AUTHORIZE_URL", default="https://app.hubspot.com/oauth/authorize"
        ),
    },
}
# HubSpot's API host (one for every portal; a stand-in in the tests)
INTEGRATIONS_HUBSPOT_API = env("HUBSPOT_API_URL", default="https://api.hubapi.com")
# HubSpot's search pages through at most this many results (its documented limit)
INTEGRATIONS_HUBSPOT_SEARCH_CAP = 10_000
# Outgoing webhooks (webhooks): endpoints on loopback or a private network are refused (and
# http:// too) unless this is on (development, the tests' local receivers)
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", default=False)
# e.g. http://smokescreen:4750: every webhook goes through it (closes the DNS-rebinding window)
WEBHOOKS_EGRESS_PROXY = env("WEBHOOKS_EGRESS_PROXY", default="")
WEBHOOKS_CONNECT_TIMEOUT = env.float("WEBHOOKS_CONNECT_TIMEOUT", default=3.0)
WEBHOOKS_READ_TIMEOUT = env.float("WEBHOOKS_READ_TIMEOUT", default=10.0)
# seconds to wait after each failed attempt (±20% jitter); one attempt more than waits, then
# the delivery fails: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — about 27 hours in all
WEBHOOKS_RETRY_SCHEDULE = [
    float(s)
    for s in env.list(
        "WEBHOOKS_RETRY_SCHEDULE", default=["5", "300", "1800", "7200", "18000", "36000", "36000"]
    )
]
# an endpoint's Retry-After is honoured up to this
WEBHOOKS_RETRY_AFTER_MAX_SECONDS = env.float("WEBHOOKS_RETRY_AFTER_MAX_SECONDS", default=86400.0)
# an endpoint failing this long, with at least this many failed attempts in a row, is switched
# off and its company's admins are told
WEBHOOKS_DISABLE_AFTER_HOURS = env.float("WEBHOOKS_DISABLE_AFTER_HOURS", default=120.0)
WEBHOOKS_DISABLE_MIN_FAILURES = env.int("WEBHOOKS_DISABLE_MIN_FAILURES", default=10)
# delivery logs are kept this long
WEBHOOKS_RETENTION_DAYS = env.int("WEBHOOKS_RETENTION_DAYS", default=30)
# requests per token (or per signed-in person) on /api/v1/; past it, 429 with Retry-After
API_RATE_PER_TOKEN = env("API_RATE_PER_TOKEN", default="1200/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "Ecosystem Cloud API",
    "DESCRIPTION": "The API of one company's workspace, served at /api/v1/ on the company's domain.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's assets come from the drf-spectacular-sidecar package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # object_type and reference_type share one choice set: one name for it in the schema.
    "ENUM_NAME_OVERRIDES": {"RecordTypeEnum": "kinds.registry.record_type_choices"},
    # each company's custom fields, typed, in its own document
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "business.openapi.custom_fields_schema",
    ],
}

# Every e-mail goes through Celery; the worker hands it to EMAIL_DELIVERY_BACKEND.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="ecosystem.mail.CeleryEmailBackend")
EMAIL_DELIVERY_BACKEND = env(
    "EMAIL_DELIVERY_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Ecosystem Cloud <no-reply@ecosystem.localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis when REDIS_URL (or CELERY_BROKER_URL) is set, else a broker that needs no server.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_FOLDER = Path(
    env("CELERY_BROKER_FOLDER", default=str(BASE_DIR / ".local" / "broker"))
)
# Every folder the filesystem transport uses, absolute: kombu's default for the exchange tables
# (control_folder) is "control" relative to the working directory, which put them in the repo.
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem://")
    else {}
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE = {
    "refill-company-schema-pool": {"task": "tenants.tasks.schema_pool_refill", "schedule": 300.0},
    "expire-login-handoffs": {"task": "tenants.tasks.handoff_tickets_expire", "schedule": 600.0},
    "purge-session-records": {
        "task": "identity.tasks.session_records_purge",
        "schedule": 86400.0,
    },
    "warn-expiring-service-accounts": {
        "task": "identity.tasks.service_accounts_expiry_notify",
        "schedule": 86400.0,
    },
    # every switched-on CRM connection syncs at least this often (incremental, from cursors)
    "sync-crm-connections": {
        "task": "integrations.tasks.syncs_schedule",
        "schedule": 300.0,
    },
    # webhook retries that wait longer than a queued countdown, and anything a lost worker left
    "send-due-webhooks": {"task": "webhooks.tasks.webhook_deliveries_due", "schedule": 60.0},
    "purge-webhook-logs": {"task": "webhooks.tasks.webhook_logs_purge", "schedule": 86400.0},
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# uploaded files (imports; later attachments): private, never served as static files. A
# deployment with several machines sets a shared storage backend in STORAGES["default"].
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / ".local" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
# Sessions read from the cache (Redis in production), written through to the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Content-Security-Policy and Permissions-Policy (django-csp, django-permissions-policy) ---
# Every script and stylesheet is a file of ours under /static/: templates hold no inline
# <script>, <style>, style="" or on*= handler (behaviour lives in static/js/app.js, driven by
# data attributes), so neither script-src nor style-src needs 'unsafe-inline' or a nonce.
# Forms post across our own hosts (the base domain's login hands off to <slug>.BASE_DOMAIN,
# the company switcher, sign-up), and Chromium checks form-action against the redirects that
# follow a POST. The sources carry no scheme on purpose: a scheme-less source takes the page's
# own, so http pages in development may post to http(s) and https pages only to https, whatever
# PUBLIC_SCHEME says at this point (production sets it after this file).
_CSP_OUR_HOSTS = [f"{BASE_DOMAIN}:*", f"*.{BASE_DOMAIN}:*"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Bootstrap's CSS draws icons with data: SVGs; allauth's TOTP page shows a data: QR code.
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'", *_CSP_OUR_HOSTS],
        "frame-ancestors": ["'none'"],
    },
}
# Powerful browser features are off for every page and frame, except what a page of ours uses:
# the Copy button of a new access token writes to the clipboard.
# Only features Chromium knows: it logs an error for each name it doesn't (ambient-light-sensor,
# bluetooth and web-share on Linux), and the browser tests read the console.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "browsing-topics": [],
    "camera": [],
    "clipboard-read": [],
    "clipboard-write": ["self"],
    "display-capture": [],
    "encrypted-media": [],
    "fullscreen": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "idle-detection": [],
    "local-fonts": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "picture-in-picture": [],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "window-management": [],
    "xr-spatial-tracking": [],
}
# Django's default, stated: our pages share no browsing context group with other sites' windows.
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# --- end of Content-Security-Policy and Permissions-Policy ---

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
