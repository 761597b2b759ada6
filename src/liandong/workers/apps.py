from django.apps import AppConfig


class WorkersConfig(AppConfig):
    name = "liandong.workers"
    label = "workers"
    verbose_name = "职工"
