from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "liandong.organizations"
    label = "organizations"
    verbose_name = "组织"
