from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("scrutiny/", views.PackListView.as_view(), name="scrutiny"),
    path("scrutiny/<str:year>/", views.PackView.as_view(), name="outcomes-pack"),
    path(
        "scrutiny/<str:year>/pack.<str:fmt>",
        views.PackDownloadView.as_view(),
        name="outcomes-pack-download",
    ),
]
