from django.apps import AppConfig


class LiandongBenchConfig(AppConfig):
    name = "liandong_bench"
    label = "liandong_bench"
    verbose_name = "基准测试"
