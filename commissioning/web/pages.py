"""Pages that bring apps together. An app's page shows only what its app and the apps
beneath it know; where a page also shows something from an app above (a round's dashboard
with the decision record citing its awards; an allocation with the decisions citing it; a
partner's allocations beside their adopted formula runs), the site composes it here, on top
of every app, so no app reaches up for it."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import render

from commissioning.agreements import permissions as agreement_rules
from commissioning.agreements.exports import giving_facts
from commissioning.agreements.rules import funds_a_partner
from commissioning.agreements.selectors import agreement_of_allocation
from commissioning.budgets import permissions as budget_rules
from commissioning.budgets import selectors as budget_selectors
from commissioning.budgets.models import Status as AllocationStatus
from commissioning.budgets.periods import PERIODS
from commissioning.budgets.workflow import ALLOCATION
from commissioning.core.guard import Guarded
from commissioning.core.permissions import AUDIT_VIEW, allowed
from commissioning.decisions import permissions as decision_rules
from commissioning.decisions.register_views import GivingView
from commissioning.decisions.selectors import decisions_citing_allocation, record_for_round
from commissioning.formula.selectors import adopted_runs_for
from commissioning.grants.models import Round
from commissioning.grants.views import review as grant_review
from commissioning.grants.views import setup as grant_setup
from commissioning.organisations import permissions as organisation_rules
from commissioning.organisations.selectors import organisation_get


class WithRoundRecord(grant_setup.RoundRecordSlot):
    """Fills a round page's slot with the decision record citing the round's awards, or the
    button that drafts one once the PCC has approved them."""

    request: HttpRequest

    def record_context(self, rnd: Round) -> dict:
        return {
            "record_template": "decisions/_round_record.html",
            "record": record_for_round(rnd),
            "can_draft_record": allowed(self.request.user, decision_rules.DRAFT),
        }


class RoundDashboardView(WithRoundRecord, grant_setup.RoundDashboardView):
    pass


class RoundDecisionView(WithRoundRecord, grant_review.DecisionView):
    pass


class PartnerAllocationsView(Guarded):
    """A partner's allocations, year by year, beside the adopted formula runs for its area."""

    permission = budget_rules.ALLOCATIONS_LIST

    def get(self, request):
        return render(
            request,
            "budgets/my_allocations.html",
            {
                "sections": budget_selectors.organisation_years(request.user.organisation_id),
                "runs": adopted_runs_for(request.user.organisation),
            },
        )


class AllocationDetailView(Guarded):
    """An allocation: its current state, history, source rows and the decisions citing it."""

    permission = budget_rules.ALLOCATIONS_LIST
    object_permission = budget_rules.ALLOCATION_VIEW

    def get(self, request, uuid):
        allocation = budget_selectors.allocation_get(uuid)
        version = budget_selectors.current_version(allocation)
        self.check_object(version)
        user = request.user
        staff = allowed(user, decision_rules.VIEW)
        agreement = agreement_of_allocation(allocation)
        return render(
            request,
            "budgets/allocation_detail.html",
            {
                "agreement": (
                    agreement
                    if agreement is not None and allowed(user, agreement_rules.VIEW, agreement)
                    else None
                ),
                "can_draw_up": agreement is None
                and funds_a_partner(version)
                and allowed(user, agreement_rules.MANAGE),
                "paid": budget_selectors.paid_total(allocation),
                "allocation": allocation,
                "decisions": decisions_citing_allocation(allocation, staff=staff),
                "staff": staff,
                "version": version,
                "amounts": budget_selectors.current_amounts(version),
                "history": budget_selectors.allocation_history(allocation),
                "sources": budget_selectors.allocation_sources(allocation),
                "can_change": allowed(user, budget_rules.ALLOCATIONS_CHANGE)
                and bool(ALLOCATION.moves_from(version.status)),
                "can_commit": ALLOCATION.can(user, version, AllocationStatus.COMMITTED),
                "can_audit": allowed(user, AUDIT_VIEW),
                "period_labels": {c: s.label for c, s in PERIODS.items()},
            },
        )


class OrganisationDetailView(Guarded):
    """An organisation with its current allocations: staff, or a partner for their own."""

    permission = budget_rules.ALLOCATIONS_LIST
    object_permission = organisation_rules.VIEW

    def get(self, request, key):
        org = self.check_object(organisation_get(key))
        return render(
            request,
            "organisations/detail.html",
            {
                "org": org,
                "versions": budget_selectors.organisation_versions(org),
                "perms_audit": allowed(request.user, AUDIT_VIEW),
            },
        )


class GivingWithAgreementsView(GivingView):
    """The 360Giving download, its grants with what their agreements add: the amount
    disbursed so far and the planned dates."""

    def grant_facts(self):
        return giving_facts()
