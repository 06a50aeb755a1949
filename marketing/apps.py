from django.apps import AppConfig


class MarketingConfig(AppConfig):
    """A company's marketing plans (its schema): objectives, budget, campaigns and tasks."""

    name = "marketing"

    def ready(self) -> None:
        from business.models import ObjectType
        from business.registry import register
        from marketing.models import MarketingPlan

        register(
            ObjectType.MARKETING_PLAN,
            MarketingPlan,
            core_fields=("name", "objective", "period_start", "period_end", "budget", "currency"),
        )
        from sharing.kinds import KindHandlers, kind_register
        from sharing.models import RecordKind

        kind_register(
            RecordKind.MARKETING_PLAN,
            KindHandlers(
                sync_back=lambda record, changes: None,
                publish=_publish,
                detail_url_name="plan_detail",
            ),
        )


def _publish(actor, company, source_id):  # type: ignore[no-untyped-def]
    from marketing.selectors import plan_get
    from marketing.services import plan_publish

    return plan_publish(actor=actor, company=company, plan=plan_get(pk=source_id))
