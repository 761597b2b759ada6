from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "liandong.meetings"
    label = "meetings"
    verbose_name = "联席会议"
