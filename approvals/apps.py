from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    """The company's approval policy for sharing (its schema): rules, and the requests that
    wait for an approver before a record leaves the company."""

    name = "approvals"
