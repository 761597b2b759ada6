from django.urls import path

from liandong.organizations import views

app_name = "organizations"
urlpatterns = [
    path("", views.organization_list, name="organization-list"),
    path("<int:pk>/", views.organization_detail, name="organization-detail"),
    path("<int:pk>/edit/", views.organization_edit_view, name="organization-edit"),
    path("<int:pk>/children/new/", views.organization_create_view, name="organization-create"),
    path("imports/", views.tree_import_view, name="tree-import"),
    path("imports/template.xlsx", views.tree_template_view, name="tree-template"),
    path("imports/<int:pk>/", views.tree_import_detail_view, name="tree-import-detail"),
    path("export.xlsx", views.tree_export_view, name="tree-export"),
]
