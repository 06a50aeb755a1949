from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    """The company's approval policy for sharing (its schema): rules, and the requests that
    wait for an approver before a record leaves the company."""

    name = "approvals"

    def ready(self) -> None:
        from approvals.configuration import SECTION
        from business.configuration.sections import configuration_section_register

        configuration_section_register(SECTION)
        from approvals.policy import approval_check
        from sharing.hooks import on_share_gate

        on_share_gate(
            lambda actor_membership, record, partner: approval_check(
                actor_membership=actor_membership, record=record, partner=partner
            )
        )
