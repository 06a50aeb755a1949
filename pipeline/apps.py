from django.apps import AppConfig


class PipelineConfig(AppConfig):
    """A company's own opportunities, in its schema. Private unless shared."""

    name = "pipeline"

    def ready(self) -> None:
        from business.models import ObjectType
        from business.registry import register
        from pipeline.models import Opportunity
        from pipeline.services import EDITABLE

        register(
            ObjectType.OPPORTUNITY,
            Opportunity,
            # formulas read the editable built-in fields, never the private notes
            core_fields=tuple(f for f in EDITABLE if f not in ("private_notes", "custom")),
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
                publish=_publish,
                detail_url_name="opportunity_detail",
            ),
        )


def _publish(actor, company, source_id):  # type: ignore[no-untyped-def]
    from pipeline.selectors import opportunity_get
    from pipeline.services import opportunity_publish

    return opportunity_publish(
        actor=actor, company=company, opportunity=opportunity_get(pk=source_id)
    )
