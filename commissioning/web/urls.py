from django.urls import include, path

from commissioning.budgets import views as budgets
from commissioning.core import views as core
from commissioning.formula import views as formula
from commissioning.grants.views import applicant as grant_applicant
from commissioning.grants.views import review as grant_review
from commissioning.grants.views import setup as grant_setup
from commissioning.organisations import views as organisations
from commissioning.plans import views as plans

from . import pages, views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("glossary/", views.GlossaryView.as_view(), name="glossary"),
    path("about/", views.AboutView.as_view(), name="about"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    # The second factor, its set-up and password reset (accounts/urls.py).
    path("", include("commissioning.accounts.urls")),
    path("", include("commissioning.notifications.urls")),
    path("plan/", plans.PlanView.as_view(), name="plan"),
    path("years/", budgets.YearListView.as_view(), name="year-list"),
    path("years/new/", budgets.YearCreateView.as_view(), name="year-create"),
    path("years/<str:year>/", budgets.YearView.as_view(), name="year"),
    path("years/<str:year>/streams/new/", budgets.StreamCreateView.as_view(), name="stream-create"),
    path(
        "years/<str:year>/budget-lines/new/",
        budgets.BudgetLineCreateView.as_view(),
        name="budget-line-create",
    ),
    path(
        "years/<str:year>/allocations/",
        budgets.AllocationListView.as_view(),
        name="allocation-list",
    ),
    path(
        "years/<str:year>/allocations/new/",
        budgets.AllocationCreateView.as_view(),
        name="allocation-create",
    ),
    path("years/<str:year>/tables/<str:by>/", budgets.TableView.as_view(), name="table"),
    path(
        "years/<str:year>/tables/<str:by>.<str:fmt>",
        budgets.TableView.as_view(),
        name="table-download",
    ),
    path(
        "years/<str:year>/reconciliation/",
        budgets.ReconciliationView.as_view(),
        name="reconciliation",
    ),
    path(
        "years/<str:year>/reconciliation/explain/",
        budgets.ReconciliationExplainView.as_view(),
        name="reconciliation-explain",
    ),
    path("years/<str:year>/pools/new/", budgets.PoolCreateView.as_view(), name="pool-create"),
    path("years/<str:year>/pools/<slug:pool>/", budgets.PoolView.as_view(), name="pool"),
    path(
        "years/<str:year>/pools/<slug:pool>.<str:fmt>",
        budgets.PoolView.as_view(),
        name="pool-download",
    ),
    path(
        "years/<str:year>/pools/<slug:pool>/contributions/",
        budgets.PoolContributeView.as_view(),
        name="pool-contribute",
    ),
    path("years/<str:year>/import/", budgets.ImportView.as_view(), name="import"),
    path("years/<str:year>/transition/", budgets.TransitionView.as_view(), name="transition"),
    path("our-allocations/", pages.PartnerAllocationsView.as_view(), name="my-allocations"),
    path(
        "allocations/<uuid:uuid>/", pages.AllocationDetailView.as_view(), name="allocation-detail"
    ),
    path(
        "allocations/<uuid:uuid>/vary/",
        budgets.AllocationVaryView.as_view(),
        name="allocation-vary",
    ),
    path(
        "allocations/<uuid:uuid>/commit/",
        budgets.AllocationStatusView.as_view(action="commit"),
        name="allocation-commit",
    ),
    path(
        "allocations/<uuid:uuid>/cancel/",
        budgets.AllocationStatusView.as_view(action="cancel"),
        name="allocation-cancel",
    ),
    path("organisations/", organisations.OrganisationListView.as_view(), name="organisation-list"),
    path(
        "organisations/<slug:key>/",
        pages.OrganisationDetailView.as_view(),
        name="organisation-detail",
    ),
    path("formula/", formula.RunListView.as_view(), name="formula-list"),
    path("formula/new/", formula.RunCreateView.as_view(), name="formula-create"),
    path("formula/crime-data/", formula.CrimeDataView.as_view(), name="crime-data"),
    path("formula/crime-data/load/", formula.CrimeUploadView.as_view(), name="crime-upload"),
    path(
        "formula/harm-weights/new/", formula.UploadWeightsView.as_view(), name="harm-weights-upload"
    ),
    path("formula/indicators/new/", formula.UploadIndicatorView.as_view(), name="indicator-upload"),
    path("formula/indicators/vli/", formula.VliCreateView.as_view(), name="vli-create"),
    path("formula/runs/<uuid:uuid>/", formula.RunView.as_view(), name="formula-run"),
    path("formula/runs/<uuid:uuid>/adopt/", formula.RunAdoptView.as_view(), name="formula-adopt"),
    path(
        "formula/runs/<uuid:uuid>/explained/",
        formula.PartnerRunView.as_view(),
        name="formula-partner",
    ),
    path(
        "formula/runs/<uuid:uuid>/download.<str:fmt>",
        formula.RunDownloadView.as_view(),
        name="formula-download",
    ),
    path("funding/", grant_applicant.RoundListView.as_view(), name="grant-rounds"),
    path("funding/register/", grant_applicant.RegisterView.as_view(), name="register"),
    path(
        "funding/applications/",
        grant_applicant.MyApplicationsView.as_view(),
        name="my-applications",
    ),
    path("funding/new/", grant_setup.RoundCreateView.as_view(), name="round-create"),
    path(
        "funding/<slug:reference>/setup/", grant_setup.RoundSetupView.as_view(), name="round-setup"
    ),
    path(
        "funding/<slug:reference>/setup/details/",
        grant_setup.RoundEditView.as_view(),
        name="round-edit",
    ),
    path(
        "funding/<slug:reference>/setup/<str:kind>/new/",
        grant_setup.RoundItemView.as_view(),
        name="round-item-add",
    ),
    path(
        "funding/<slug:reference>/setup/<str:kind>/<int:pk>/",
        grant_setup.RoundItemView.as_view(),
        name="round-item-edit",
    ),
    path(
        "funding/<slug:reference>/setup/<str:kind>/<int:pk>/remove/",
        grant_setup.RoundItemRemoveView.as_view(),
        name="round-item-remove",
    ),
    path(
        "funding/<slug:reference>/setup/<str:kind>/<int:pk>/move/",
        grant_setup.RoundItemMoveView.as_view(),
        name="round-item-move",
    ),
    path(
        "funding/<slug:reference>/publish/",
        grant_setup.RoundPublishView.as_view(),
        name="round-publish",
    ),
    path(
        "funding/<slug:reference>/moderation/",
        grant_review.RoundModerationView.as_view(),
        name="round-moderation",
    ),
    path(
        "funding/<slug:reference>/", grant_applicant.RoundDetailView.as_view(), name="grant-round"
    ),
    path(
        "funding/<slug:reference>/assign/",
        grant_review.AssignReviewersView.as_view(),
        name="round-assign",
    ),
    path(
        "funding/<slug:reference>/applications.<str:fmt>",
        grant_setup.RoundExportView.as_view(),
        name="round-export",
    ),
    path("funding/<slug:reference>/panel/", grant_review.PanelView.as_view(), name="round-panel"),
    path(
        "funding/<slug:reference>/panel/declare/",
        grant_review.PanelDeclareView.as_view(),
        name="panel-declare",
    ),
    path(
        "funding/<slug:reference>/decision/",
        pages.RoundDecisionView.as_view(),
        name="round-decision",
    ),
    path("reviews/", grant_review.ReviewQueueView.as_view(), name="review-queue"),
    path("reviews/<uuid:uuid>/declare/", grant_review.DeclareView.as_view(), name="review-declare"),
    path("reviews/<uuid:uuid>/score/", grant_review.ScoreView.as_view(), name="review-score"),
    path(
        "applications/<uuid:uuid>/recommend/",
        grant_review.RecommendView.as_view(),
        name="application-recommend",
    ),
    path(
        "funding/<slug:reference>/apply/",
        grant_applicant.ApplicationStartView.as_view(),
        name="application-start",
    ),
    path(
        "funding/<slug:reference>/dashboard/",
        pages.RoundDashboardView.as_view(),
        name="round-dashboard",
    ),
    path(
        "applications/<uuid:uuid>/",
        grant_applicant.ApplicationDetailView.as_view(),
        name="application-detail",
    ),
    path(
        "applications/<uuid:uuid>/edit/",
        grant_applicant.ApplicationEditView.as_view(),
        name="application-edit",
    ),
    path(
        "applications/<uuid:uuid>/files/",
        grant_applicant.AttachmentUploadView.as_view(),
        name="attachment-upload",
    ),
    path(
        "applications/<uuid:uuid>/files/<uuid:attachment_uuid>/",
        grant_applicant.AttachmentDownloadView.as_view(),
        name="attachment-download",
    ),
    path(
        "applications/<uuid:uuid>/withdraw/",
        grant_applicant.ApplicationWithdrawView.as_view(),
        name="application-withdraw",
    ),
    path(
        "applications/<uuid:uuid>/screen/",
        grant_setup.ApplicationScreenView.as_view(),
        name="application-screen",
    ),
    path("jobs/", core.JobListView.as_view(), name="job-list"),
    path("jobs/<uuid:uuid>/", core.JobView.as_view(), name="job"),
    path("jobs/<uuid:uuid>/progress.json", core.JobProgressView.as_view(), name="job-progress"),
    path("history/", core.AuditLogView.as_view(), name="audit-log"),
    path("history/<str:object_type>/<uuid:uuid>/", core.HistoryView.as_view(), name="history"),
    path(
        "register/360giving.<str:fmt>",
        pages.GivingWithAgreementsView.as_view(),
        name="register-360giving",
    ),
    path("", include("commissioning.decisions.urls")),
    path("", include("commissioning.agreements.urls")),
    path("", include("commissioning.cohorts.urls")),
    path("", include("commissioning.yearend.urls")),
    path("", include("commissioning.mtfs.urls")),
    path("", include("commissioning.scrutiny.urls")),
]
