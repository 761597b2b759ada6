from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "liandong.core"
    label = "core"
    verbose_name = "核心"
