from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "liandong.outreach"
    label = "outreach"
    verbose_name = "联系走访与协议"
