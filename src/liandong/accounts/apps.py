from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "liandong.accounts"
    label = "accounts"
    verbose_name = "账号"
