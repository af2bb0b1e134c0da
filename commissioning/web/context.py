"""Template context shared by every page: the site name and the navigation for this user."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from commissioning.core.permissions import allowed


def site(request) -> dict:
    user = request.user
    items = [
        ("Plan", reverse("plan"), "plans.view"),
        ("Funding", reverse("grant-rounds"), "public"),
        ("Public register", reverse("register-home"), "public"),
    ]
    if allowed(user, "decisions.view"):
        items.insert(0, ("Years", reverse("year-list"), "budgets.view"))
        items.append(("Needs-based allocation", reverse("formula-list"), "formula.view"))
        items.append(("Organisations", reverse("organisation-list"), "organisations.view"))
        items.append(("Decisions", reverse("decision-list"), "decisions.view"))
        items.append(("Agreements", reverse("monitoring"), "agreements.monitor"))
        items.append(("Outcomes by priority", reverse("scrutiny"), "scrutiny.read"))
        if allowed(user, "cohorts.view"):
            items.append(("Reoffending cohorts", reverse("cohort-list"), "cohorts.view"))
        if allowed(user, "spending.import"):
            items.append(("Spending", reverse("spending-import"), "spending.import"))
        items.append(("Audit log", reverse("audit-log"), "audit.view"))
    elif allowed(user, "scrutiny.read"):
        items.insert(0, ("Years", reverse("year-list"), "budgets.view"))
        items.append(("Outcomes by priority", reverse("scrutiny"), "scrutiny.read"))
    elif allowed(user, "allocations.list"):
        items.append(("Our allocations", reverse("my-allocations"), "allocations.list"))
        if allowed(user, "returns.submit"):
            items.append(("Our agreements", reverse("our-agreements"), "agreements.view"))
            items.append(("Our returns", reverse("our-returns"), "returns.submit"))
    if allowed(user, "grants.review"):
        items.append(("Reviews", reverse("review-queue"), "grants.review"))
    if allowed(user, "grants.apply"):
        items.append(("Our applications", reverse("my-applications"), "grants.apply"))
    path = request.path
    nav = [
        {"label": label, "href": href, "active": path.startswith(href) and href != "/"}
        for label, href, _ in items
    ]
    return {"SITE_ORGANISATION_NAME": settings.SITE_ORGANISATION_NAME, "nav_items": nav}
