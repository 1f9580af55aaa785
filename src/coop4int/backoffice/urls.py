from django.urls import path

from coop4int.backoffice import (
    call_views,
    canned_views,
    case_language_views,
    case_stats_views,
    case_tracking_views,
    case_views,
    content_file_views,
    content_views,
    directory_views,
    feedback_views,
    person_rights_views,
    person_views,
    privacy_views,
    referral_views,
    views,
)

app_name = "backoffice"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("audit/", views.AuditLogView.as_view(), name="audit_log"),
    path("cases/", case_views.InboxPageView.as_view(), name="case_inbox"),
    path("cases/new/", case_views.NewCaseView.as_view(), name="case_new"),
    path(
        "cases/statistics/",
        case_stats_views.CaseStatisticsView.as_view(),
        name="case_statistics",
    ),
    path("cases/phone/", call_views.PhoneLineView.as_view(), name="phone_line"),
    path("cases/answers/", canned_views.CannedAnswersView.as_view(), name="canned_answers"),
    path("referrals/", referral_views.ReferralListView.as_view(), name="referral_list"),
    path(
        "referrals/<int:referral_id>/",
        referral_views.ReferralDetailView.as_view(),
        name="referral_detail",
    ),
    path("cases/<str:reference>/", case_views.CaseDetailView.as_view(), name="case_detail"),
    path(
        "cases/<str:reference>/identity/",
        case_views.CaseIdentityView.as_view(),
        name="case_identity",
    ),
    path(
        "cases/<str:reference>/language/",
        case_language_views.CaseLanguageView.as_view(),
        name="case_language",
    ),
    path(
        "cases/<str:reference>/tracking/",
        case_tracking_views.CaseTrackingView.as_view(),
        name="case_tracking",
    ),
    path(
        "cases/<str:reference>/files/<int:file_id>/",
        case_views.CaseFileView.as_view(),
        name="case_file",
    ),
    path(
        "people/<uuid:person_id>/",
        person_views.PersonDetailView.as_view(),
        name="person_detail",
    ),
    path(
        "people/<uuid:person_id>/erasure/",
        person_rights_views.PersonErasureView.as_view(),
        name="person_erasure",
    ),
    path("people/retention/", person_rights_views.RetentionView.as_view(), name="retention"),
    path(
        "people/<uuid:person_id>/access/",
        privacy_views.PersonAccessView.as_view(),
        name="privacy_access",
    ),
    path(
        "people/<uuid:person_id>/access.json",
        privacy_views.PersonAccessJSONView.as_view(),
        name="privacy_access_json",
    ),
    path(
        "people/<uuid:person_id>/access.zip",
        privacy_views.PersonAccessZipView.as_view(),
        name="privacy_access_zip",
    ),
    path(
        "privacy/register/",
        privacy_views.ProcessingRegisterView.as_view(),
        name="privacy_register",
    ),
    path(
        "privacy/register.csv",
        privacy_views.ProcessingRegisterCSVView.as_view(),
        name="privacy_register_csv",
    ),
    path("privacy/breaches/", privacy_views.BreachLogView.as_view(), name="privacy_breaches"),
    path(
        "privacy/breaches/<int:breach_id>/",
        privacy_views.BreachView.as_view(),
        name="privacy_breach",
    ),
    path("units/", views.UnitListView.as_view(), name="unit_list"),
    path("units/<slug:slug>/", views.UnitDetailView.as_view(), name="unit_detail"),
    path("units/<slug:slug>/staff/new/", views.StaffCreateView.as_view(), name="staff_create"),
    path("team/<str:username>/", views.StaffDetailView.as_view(), name="staff_detail"),
    path("content/", content_views.ContentListView.as_view(), name="content"),
    path("content/coverage/", content_views.CoverageView.as_view(), name="content_coverage"),
    path("content/health/", content_views.ContentHealthView.as_view(), name="content_health"),
    path("feedback/", feedback_views.FeedbackQueueView.as_view(), name="feedback_queue"),
    path(
        "feedback/<int:feedback_id>/",
        feedback_views.FeedbackView.as_view(),
        name="feedback_detail",
    ),
    path(
        "content/<slug:slug>/<str:language>/",
        content_views.ContentTextView.as_view(),
        name="content_text",
    ),
    path(
        "content/<slug:slug>/files/<int:attachment_id>/",
        content_file_views.ContentFileView.as_view(),
        name="content_file",
    ),
    path("directory/", directory_views.DirectoryServicesView.as_view(), name="directory"),
    path("directory/new/", directory_views.NewServiceView.as_view(), name="directory_new"),
    path(
        "directory/services/<uuid:service_id>/",
        directory_views.DirectoryServiceView.as_view(),
        name="directory_service",
    ),
    path(
        "directory/proposals/",
        directory_views.ProposalListView.as_view(),
        name="directory_proposals",
    ),
    path(
        "directory/proposals/<int:proposal_id>/",
        directory_views.ProposalView.as_view(),
        name="directory_proposal",
    ),
]
