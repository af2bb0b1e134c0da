from django.contrib.auth import views as auth_views
from django.shortcuts import render

from commissioning.budgets.selectors import year_list
from commissioning.core.guard import Guarded
from commissioning.core.permissions import allowed


class HomeView(Guarded):
    permission = "public"

    def get(self, request):
        years = list(year_list()) if allowed(request.user, "budgets.view") else []
        return render(request, "home.html", {"years": years})


class AboutView(Guarded):
    permission = "public"

    def get(self, request):
        return render(request, "about.html")


class SignInView(auth_views.LoginView):
    permission = "public"
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET), so a link cannot sign anyone out."""

    permission = "public"
