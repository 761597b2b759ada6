from django.urls import path

from liandong.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.mechanism_list, name="mechanism-list"),
    path("new/", views.mechanism_create, name="mechanism-create"),
    path("<int:pk>/", views.mechanism_detail, name="mechanism-detail"),
    path("<int:pk>/edit/", views.mechanism_edit, name="mechanism-edit"),
    path("<int:pk>/members/", views.mechanism_members, name="mechanism-members"),
    path(
        "<int:pk>/members/<int:member_id>/remove/",
        views.mechanism_member_remove,
        name="mechanism-member-remove",
    ),
    path("<int:pk>/plan/<int:year>/", views.plan_detail, name="plan-detail"),
    path("<int:pk>/plan/<int:year>/approve/", views.plan_approve, name="plan-approve"),
    path("<int:pk>/review/<int:year>/", views.midyear_review, name="review"),
    path("<int:pk>/summary/<int:year>/", views.summary_page, name="summary"),
    path("<int:pk>/summary/<int:year>/summary.docx", views.summary_docx, name="summary-docx"),
    path("<int:pk>/summary/<int:year>/summary.pdf", views.summary_pdf, name="summary-pdf"),
    path("<int:pk>/meetings/new/", views.meeting_create, name="meeting-create"),
    path("targets/<int:pk>/record/", views.target_record, name="target-record"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/notify/", views.meeting_notify, name="meeting-notify"),
    path("meetings/<int:pk>/invite.ics", views.meeting_ics, name="meeting-ics"),
    path("meetings/<int:pk>/agenda/", views.meeting_agenda_add, name="meeting-agenda"),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting-attendance"),
    path("meetings/<int:pk>/hold/", views.meeting_hold, name="meeting-hold"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting-minutes"),
    path("meetings/<int:pk>/publish/", views.meeting_publish, name="meeting-publish"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting-cancel"),
    path("meetings/<int:pk>/resolutions/", views.meeting_resolution, name="meeting-resolution"),
    path("meetings/<int:pk>/minutes.docx", views.minutes_docx, name="minutes-docx"),
    path("items/", views.item_list, name="item-list"),
    path("items/<int:pk>/", views.item_detail, name="item-detail"),
    path("items/<int:pk>/cancel/", views.item_cancel, name="item-cancel"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    # 补录
    path("<int:pk>/meetings/back-entry/", views.meeting_back_entry, name="meeting-back-entry"),
]
