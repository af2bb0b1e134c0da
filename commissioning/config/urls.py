from django.urls import include, path

from commissioning.api.views import api

urlpatterns = [
    path("api/", api.urls),
    path("", include("commissioning.web.urls")),
]
