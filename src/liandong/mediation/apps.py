from django.apps import AppConfig


class MediationConfig(AppConfig):
    name = "liandong.mediation"
    label = "mediation"
    verbose_name = "劳动争议调解"
