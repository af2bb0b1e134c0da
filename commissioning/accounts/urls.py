from django.urls import path

from . import views

urlpatterns = [
    path("sign-in/code/", views.CodeView.as_view(), name="two-factor-code"),
    path("sign-in/set-up/", views.SetupView.as_view(), name="two-factor-setup"),
    path("account/sign-in/", views.SecurityView.as_view(), name="account-security"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
