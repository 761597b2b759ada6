from django.apps import AppConfig


class DemandsConfig(AppConfig):
    name = "liandong.demands"
    label = "demands"
    verbose_name = "职工诉求"
