"""Local development: DEBUG on, plain static files, mail printed by the worker."""

from .base import *  # noqa: F403
from .base import STORAGES

DEBUG = True
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
