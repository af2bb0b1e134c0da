"""Template context shared by every page: the site name and the navigation for this user."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from commissioning.core.permissions import allowed
from commissioning.notifications.selectors import unread_count


def site(request) -> dict:
    user = request.user
    staff = allowed(user, "decisions.view")
    funding = ("Funding", reverse("grant-rounds"), "public")
    items = (
        [funding]
        if staff
        else [
            ("Plan", reverse("plan"), "plans.view"),
            funding,
            ("Public register", reverse("register-home"), "public"),
        ]
    )
    if staff:
        # Staff have many places to go: the plan and the public register are in the footer
        # (and on the home page), the audit log and the finance system's spending beside
        # their name, reoffending cohorts on the outcomes page, so that the menu fits one
        # row at 1280 px.
        items.insert(0, ("Years", reverse("year-list"), "budgets.view"))
        items.append(("Formula", reverse("formula-list"), "formula.view"))
        items.append(("Organisations", reverse("organisation-list"), "organisations.view"))
        items.append(("Decisions", reverse("decision-list"), "decisions.view"))
        items.append(("Agreements", reverse("monitoring"), "agreements.monitor"))
        items.append(("Outcomes", reverse("scrutiny"), "scrutiny.read"))
    elif allowed(user, "scrutiny.read"):
        items.insert(0, ("Years", reverse("year-list"), "budgets.view"))
        items.append(("Outcomes", reverse("scrutiny"), "scrutiny.read"))
    elif allowed(user, "allocations.list"):
        # A partner's own places first: the plan and the public register are in the footer,
        # as for staff, so that the menu fits one row at 1280 px.
        items = [funding, ("Our allocations", reverse("my-allocations"), "allocations.list")]
        if allowed(user, "returns.submit"):
            items.append(("Our agreements", reverse("our-agreements"), "agreements.view"))
            items.append(("Our returns", reverse("our-returns"), "returns.submit"))
    if allowed(user, "grants.review"):
        items.append(("Reviews", reverse("review-queue"), "grants.review"))
    if allowed(user, "grants.apply"):
        items.append(("Our applications", reverse("my-applications"), "grants.apply"))
    path = request.path
    # One tab is active: the one whose address is the longest start of this page's (so
    # "Our applications" under /funding/ is not lit together with "Funding").
    matching = [href for _, href, _ in items if href != "/" and path.startswith(href)]
    current = max(matching, key=len, default=None)
    nav = [{"label": label, "href": href, "active": href == current} for label, href, _ in items]
    return {
        "SITE_ORGANISATION_NAME": settings.SITE_ORGANISATION_NAME,
        "nav_items": nav,
        "can_audit": allowed(user, "audit.view"),
        "can_import_spending": allowed(user, "spending.import"),
        "can_cohorts": allowed(user, "cohorts.view"),
        "can_mtfs": allowed(user, "mtfs.view"),
        "unread_notifications": unread_count(user),
    }
