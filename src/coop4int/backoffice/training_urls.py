"""Addresses of this part of the training feature (included by the app's urls.py): courses and
their sessions, attendance, enrolments and certificates, enrolling a person, the staff
catalogue, one's own training, the training records of a colleague and of a unit, and the
sessions a trainer gives — all under ``training/``."""

from django.urls import URLPattern, path

from coop4int.backoffice import training_views as views

urlpatterns: list[URLPattern] = [
    path("training/", views.CourseListView.as_view(), name="training_courses"),
    path("training/courses/new/", views.NewCourseView.as_view(), name="training_course_new"),
    path(
        "training/courses/<int:course_id>/",
        views.CourseView.as_view(),
        name="training_course",
    ),
    path(
        "training/courses/<int:course_id>/sessions/new/",
        views.NewSessionView.as_view(),
        name="training_session_new",
    ),
    path(
        "training/sessions/<int:session_id>/",
        views.SessionView.as_view(),
        name="training_session",
    ),
    path(
        "training/sessions/<int:session_id>/days/<int:day_id>/",
        views.AttendanceView.as_view(),
        name="training_attendance",
    ),
    path(
        "training/enrolments/<int:enrolment_id>/",
        views.EnrolmentView.as_view(),
        name="training_enrolment",
    ),
    path(
        "training/enrolments/<int:enrolment_id>/certificate.pdf",
        views.CertificatePDFView.as_view(),
        name="training_certificate_pdf",
    ),
    path("training/enrol/", views.EnrolPersonView.as_view(), name="training_enrol_person"),
    path("training/catalogue/", views.CatalogueView.as_view(), name="training_catalogue"),
    path("training/mine/", views.MyTrainingView.as_view(), name="training_mine"),
    path("training/teaching/", views.MySessionsView.as_view(), name="training_my_sessions"),
    path(
        "training/team/<str:username>/",
        views.StaffRecordView.as_view(),
        name="training_staff_record",
    ),
    path(
        "training/units/<slug:slug>/",
        views.UnitRecordView.as_view(),
        name="training_unit_record",
    ),
]
