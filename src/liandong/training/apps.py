from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "liandong.training"
    label = "training"
    verbose_name = "讲师团与培训"
