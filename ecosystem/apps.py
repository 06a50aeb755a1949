from django.apps import AppConfig


class EcosystemConfig(AppConfig):
    """The project package as an app, so Django finds the commands that compose the whole
    product (`manage.py demo_network`) and Celery's autodiscovery finds ecosystem.tasks. It has
    no models, so no schema holds tables of it."""

    name = "ecosystem"
    verbose_name = "Ecosystem Cloud"
