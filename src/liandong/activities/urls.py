from django.urls import path

from liandong.activities import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list_view, name="activity-list"),
    path("new/", views.activity_create_view, name="activity-create"),
    path("<int:pk>/", views.activity_detail_view, name="activity-detail"),
    path("<int:pk>/edit/", views.activity_edit_view, name="activity-edit"),
    path("<int:pk>/publish/", views.activity_publish_view, name="activity-publish"),
    path("<int:pk>/apply/", views.activity_apply_view, name="activity-apply"),
    path("<int:pk>/nominate/", views.activity_nominate_view, name="activity-nominate"),
    path("<int:pk>/draw/", views.activity_draw_view, name="activity-draw"),
    path("<int:pk>/notice/", views.activity_notice_view, name="activity-notice"),
    path("<int:pk>/confirm/", views.activity_confirm_view, name="activity-confirm"),
    path("<int:pk>/served/", views.activity_served_view, name="activity-served"),
    path(
        "applications/<int:pk>/withdraw/",
        views.application_withdraw_view,
        name="application-withdraw",
    ),
    path(
        "applications/<int:pk>/feedback/",
        views.application_feedback_view,
        name="application-feedback",
    ),
    path("applications/<int:pk>/qr.svg", views.application_qr_view, name="application-qr"),
    path("checkin/<str:token>/", views.checkin_view, name="checkin"),
    path("public/<int:pk>/", views.public_notice_view, name="public-notice"),
    path("homes/", views.home_list_view, name="home-list"),
    path("homes/new/", views.home_create_view, name="home-create"),
    path("homes/<int:pk>/", views.home_detail_view, name="home-detail"),
    path("homes/<int:pk>/edit/", views.home_edit_view, name="home-edit"),
    path("homes/bookings/<int:pk>/cancel/", views.booking_cancel_view, name="booking-cancel"),
    path("funds/", views.funds_view, name="funds"),
    path("funds/lines/new/", views.budget_line_create_view, name="budget-line-create"),
    path("funds/lines/<int:pk>/", views.budget_line_detail_view, name="budget-line-detail"),
    path("funds/lines/<int:pk>/edit/", views.budget_line_edit_view, name="budget-line-edit"),
    path("funds/expenses/<int:pk>/", views.expense_detail_view, name="expense-detail"),
    path("funds/expenses/<int:pk>/decide/", views.expense_decide_view, name="expense-decide"),
    path("partners/", views.partner_unit_list_view, name="partner-unit-list"),
    path("partners/<int:pk>/", views.partner_unit_detail_view, name="partner-unit-detail"),
    path("partners/<int:pk>/edit/", views.partner_unit_edit_view, name="partner-unit-edit"),
    path("merchants/", views.merchant_list_view, name="merchant-list"),
    path("merchants/<int:pk>/edit/", views.merchant_edit_view, name="merchant-edit"),
    path("merchants/<int:pk>/active/", views.merchant_active_view, name="merchant-active"),
    path("figures/", views.figures_view, name="figures"),
    path("figures.xlsx", views.figures_export_view, name="figures-export"),
    # 补录
    path("back-entry/", views.activity_back_entry_view, name="activity-back-entry"),
]
