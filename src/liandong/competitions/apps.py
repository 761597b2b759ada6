from django.apps import AppConfig


class CompetitionsConfig(AppConfig):
    name = "liandong.competitions"
    label = "competitions"
    verbose_name = "技能竞赛"
