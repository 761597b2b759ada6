from django.apps import AppConfig


class DemandsConfig(AppConfig):
    name = "liandong.demands"
    label = "demands"
    verbose_name = "职工诉求"

    def ready(self) -> None:
        # Clear the per-process copy of the configuration when a change commits (config.py).
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from liandong.demands import config
        from liandong.demands.models import CalendarDay, CalendarYear, RoutingRule, TimeLimit

        for model in (RoutingRule, TimeLimit, CalendarDay, CalendarYear):
            post_save.connect(
                config.invalidate,
                sender=model,
                dispatch_uid=f"demands-config-{model.__name__}-save",
            )
            post_delete.connect(
                config.invalidate,
                sender=model,
                dispatch_uid=f"demands-config-{model.__name__}-delete",
            )
        m2m_changed.connect(
            config.invalidate,
            sender=RoutingRule.co_bodies.through,
            dispatch_uid="demands-config-rule-co-bodies",
        )
        # The shipped category model, read once per process now rather than inside the first
        # intake's transaction (a few milliseconds; no database, no network).
        from liandong.demands import classify

        classify.model_at(classify.SHIPPED_MODEL)
