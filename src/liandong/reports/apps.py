from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "liandong.reports"
    label = "reports"
    verbose_name = "数据看板"
