from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils import timezone

from commissioning.budgets.selectors import year_list
from commissioning.core.guard import Guarded
from commissioning.core.permissions import allowed

from .glossary import TERMS
from .home import home_for


class HomeView(Guarded):
    permission = "public"

    def get(self, request):
        years = list(year_list()) if allowed(request.user, "budgets.view") else []
        home = home_for(request.user, timezone.localdate())
        return render(request, "home.html", {"years": years, "home": home})


class GlossaryView(Guarded):
    permission = "public"

    def get(self, request):
        return render(request, "glossary.html", {"terms": TERMS})


class AboutView(Guarded):
    permission = "public"

    def get(self, request):
        return render(request, "about.html")


class SignInView(auth_views.LoginView):
    """The password. Failures are counted by django-axes (accounts/lockout.py): a locked-out
    account or address sees the sign-in page saying so. Staff, and anyone who has set one
    up, then give a code (accounts/views.py: the middleware sends them there)."""

    permission = "public"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["idle_staff"] = settings.SESSION_IDLE_MINUTES_STAFF
        return context


class SignOutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET), so a link cannot sign anyone out."""

    permission = "public"
