from django.urls import include, path

urlpatterns = [
    path("", include("commissioning.web.urls")),
]
