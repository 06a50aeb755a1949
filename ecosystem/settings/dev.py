"""Local development and the demo (`./run`): plain static files, mail printed by the worker.

DEBUG stays off unless asked for (`DEBUG=1 ./run`): the demo is what newcomers and outside
testers see, and Django's debug pages show settings, tracebacks and the URL map to anyone."""

from .base import *  # noqa: F403
from .base import DATABASES, STORAGES, env

DEBUG = env.bool("DEBUG", default=False)
# Pages may say where the demo's e-mails go (printed in the ./run terminal).
DEMO = True
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The demo runs under gunicorn (ecosystem/devstack.py), not runserver: whitenoise serves static
# files straight from the app and static/ folders, with no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The demo's web server has a fixed pool of threads: a thread stuck connecting to an unreachable
# PostgreSQL stalls a slot for the OS's TCP timeout (minutes); fail the request after 5 s.
# A connect_timeout in DATABASE_URL (?connect_timeout=N) still wins.
DATABASES = {
    "default": {
        **DATABASES["default"],
        "OPTIONS": {"connect_timeout": 5, **DATABASES["default"].get("OPTIONS", {})},
        # Persistent connections are checked before reuse: the demo survives a PostgreSQL restart.
        "CONN_HEALTH_CHECKS": True,
    }
}

# The demo's identity providers run on this machine.
SSO_ALLOW_PRIVATE_ADDRESSES = env.bool("SSO_ALLOW_PRIVATE_ADDRESSES", default=True)
# the local Tryton CRM runs on this machine
INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES = True
# a webhook receiver on this machine (e.g. `python -m http.server`) for trying webhooks out
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", default=True)
