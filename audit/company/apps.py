from django.apps import AppConfig


class CompanyAuditConfig(AppConfig):
    """The company's own audit log, in its schema; the network log is the `audit` app beside it.

    One domain, two schema kinds: the two apps sit in one package so the folder shows the domain.
    """

    name = "audit.company"
    label = "company_audit"
    verbose_name = "company audit log"
