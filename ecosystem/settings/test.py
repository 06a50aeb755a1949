"""Tests: real PostgreSQL and Redis; Celery eager unless a test starts a real worker."""

import tempfile

from .base import *  # noqa: F403
from .base import STORAGES, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")
# a worker the tests kill gets its unacknowledged task back after this many seconds
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
}
CELERY_TASK_ALWAYS_EAGER = True
# uploaded files (imports) of a test run: a temporary folder of its own
MEDIA_ROOT = env("MEDIA_ROOT", default=tempfile.mkdtemp(prefix="eco-media-"))
# retries wait milliseconds, not seconds
INTEGRATIONS_RETRY_BASE_SECONDS = 0.01
INTEGRATIONS_RETRY_MAX_SECONDS = 0.05
EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TENANT_POOL_SIZE = 2
ACCOUNT_RATE_LIMITS = False
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "KEY_FUNCTION": "tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "tenants.cache.reverse_key",
    }
}
# Live-server and worker threads must not keep connections open past a test.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# The tests' identity providers run on the loopback interface; their DNS server too.
SSO_ALLOW_PRIVATE_ADDRESSES = True
# the local Tryton CRM runs on this machine
INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES = True
# the webhook tests' receivers too
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
