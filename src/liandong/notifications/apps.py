from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "liandong.notifications"
    label = "notifications"
    verbose_name = "消息"
