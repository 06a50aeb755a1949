from django.apps import AppConfig


class PipelineConfig(AppConfig):
    """A company's own opportunities, in its schema. Private unless shared."""

    name = "pipeline"

    def ready(self) -> None:
        from business.models import ObjectType
        from business.registry import register
        from pipeline.models import Opportunity

        register(
            ObjectType.OPPORTUNITY,
            Opportunity,
            core_fields=(
                "customer_name",
                "customer_domain",
                "amount",
                "currency",
                "close_date",
                "stage",
                "motion",
                "next_step",
            ),
        )
        from pipeline.sharing_handlers import (
            opportunity_adopt,
            opportunity_is_adopted,
            opportunity_sync_back,
        )
        from sharing.kinds import KindHandlers, kind_register
        from sharing.models import RecordKind

        kind_register(
            RecordKind.OPPORTUNITY,
            KindHandlers(
                sync_back=opportunity_sync_back,
                adopt=opportunity_adopt,
                is_adopted=opportunity_is_adopted,
                collaborative_fields=("stage", "close_date", "next_step"),
            ),
        )
