from django.apps import AppConfig
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created


def _register_sqlite_functions(
    sender: object, connection: BaseDatabaseWrapper, **kwargs: object
) -> None:
    if connection.vendor == "sqlite":
        from liandong.core.audit import audit_purge_allowed

        connection.connection.create_function(
            "liandong_audit_purge_allowed",
            0,
            lambda: int(audit_purge_allowed.get()),
            deterministic=False,
        )


class CoreConfig(AppConfig):
    name = "liandong.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        connection_created.connect(
            _register_sqlite_functions, dispatch_uid="liandong_sqlite_functions"
        )
