from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "liandong.activities"
    label = "activities"
    verbose_name = "服务活动"
