from django.urls import path

from coop4int.portal import (
    booking_urls,
    case_views,
    content_views,
    directory_views,
    feedback_views,
    observatory_urls,
    plan_urls,
    queue_urls,
    search_views,
    study_urls,
    training_urls,
    verify_urls,
    views,
)

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("offline/", views.offline, name="offline"),
    path("feedback/", feedback_views.feedback, name="feedback"),
    path("ask/", case_views.ask, name="ask"),
    path("ask/sent/", case_views.request_sent, name="request_sent"),
    path("ask/sent/card/", case_views.request_sent_card, name="request_sent_card"),
    path("follow/<str:reference>/<str:secret>/", case_views.follow, name="follow"),
    path("follow/<str:reference>/<str:secret>/card/", case_views.follow_card, name="follow_card"),
    path("search/", search_views.search_page, name="search"),
    path("info/", content_views.info_list, name="info"),
    path("info/<slug:slug>/", content_views.info_detail, name="info_detail"),
    path(
        "info/<slug:slug>/files/<int:attachment_id>/",
        content_views.download,
        name="info_download",
    ),
    path(
        "info/<slug:slug>/<str:content_language>/",
        content_views.info_detail,
        name="info_in_language",
    ),
    path("directory/", directory_views.directory_list, name="directory"),
    path("directory/<uuid:sal_id>/", directory_views.directory_detail, name="directory_detail"),
    path("directory/leaflet/<slug:unit_slug>/", directory_views.leaflet, name="leaflet"),
    *booking_urls.urlpatterns,
    *queue_urls.urlpatterns,
    *training_urls.urlpatterns,
    *verify_urls.urlpatterns,
    *observatory_urls.urlpatterns,
    *study_urls.urlpatterns,
    *plan_urls.urlpatterns,
]
