from django.urls import path

from liandong.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.message_open, name="message-open"),
    path("<int:pk>/read/", views.message_read, name="message-read"),
    path("read-all/", views.read_all, name="read-all"),
    path("preferences/", views.preferences, name="preferences"),
    path("deliveries/", views.delivery_list, name="delivery-list"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry, name="delivery-retry"),
    path("webhooks/", views.webhook_list, name="webhook-list"),
    path("webhooks/<int:pk>/disable/", views.webhook_disable, name="webhook-disable"),
    path("webhooks/<int:pk>/enable/", views.webhook_enable, name="webhook-enable"),
]
