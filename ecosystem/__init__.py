"""Ecosystem Cloud: the Django project (settings, urls, Celery app)."""

from ecosystem.celery import app as celery_app

__all__ = ["celery_app"]
