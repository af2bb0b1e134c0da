from django.urls import path

from . import register_views as public
from . import views

urlpatterns = [
    path("decisions/", views.DecisionListView.as_view(), name="decision-list"),
    path("decisions/new/", views.DecisionCreateView.as_view(), name="decision-create"),
    path(
        "decisions/from-round/<slug:reference>/",
        views.FromRoundView.as_view(),
        name="decision-from-round",
    ),
    path("decisions/<slug:slug>/", views.DecisionDetailView.as_view(), name="decision"),
    path("decisions/<slug:slug>.pdf", views.DecisionPdfView.as_view(), name="decision-pdf"),
    path("decisions/<slug:slug>/edit/", views.DecisionEditView.as_view(), name="decision-edit"),
    path("decisions/<slug:slug>/links/", views.DecisionLinksView.as_view(), name="decision-links"),
    path(
        "decisions/<slug:slug>/assessment/",
        views.AssessmentView.as_view(),
        name="decision-assessment",
    ),
    path("decisions/<slug:slug>/approve/", views.ApproveView.as_view(), name="decision-approve"),
    path("decisions/<slug:slug>/sign/", views.SignView.as_view(), name="decision-sign"),
    path(
        "decisions/<slug:slug>/determine/",
        views.DetermineView.as_view(),
        name="decision-determine",
    ),
    path(
        "decisions/<slug:slug>/supersede/",
        views.SupersedeView.as_view(),
        name="decision-supersede",
    ),
    path(
        "decisions/<slug:slug>/attachments/",
        views.AttachmentUploadView.as_view(),
        name="decision-attach",
    ),
    path(
        "decisions/<slug:slug>/attachments/<int:n>/",
        views.AttachmentView.as_view(),
        name="decision-attachment",
    ),
    path(
        "register/decisions/<slug:slug>/attachments/<int:n>/",
        public.PublicAttachmentView.as_view(),
        name="register-attachment",
    ),
    # the public register
    path("register/", public.RegisterHomeView.as_view(), name="register-home"),
    path("register/decisions/", public.DecisionListView.as_view(), name="register-decisions"),
    path(
        "register/decisions.<str:fmt>",
        public.DecisionListView.as_view(),
        name="register-decisions-download",
    ),
    path("register/decisions/feed.json", public.FeedView.as_view(), name="register-feed"),
    path(
        "register/decisions/<slug:slug>/",
        public.DecisionView.as_view(),
        name="register-decision",
    ),
    path(
        "register/decisions/<slug:slug>.<str:fmt>",
        public.DecisionView.as_view(),
        name="register-decision-download",
    ),
    path("register/forward-plan/", public.ForwardPlanView.as_view(), name="register-forward-plan"),
    path("register/grants/", public.GrantsView.as_view(), name="register-grants"),
    path("register/grants.<str:fmt>", public.GrantsView.as_view(), name="register-grants-download"),
    path(
        "register/allocations/<str:year>/",
        public.YearTableView.as_view(kind="allocations"),
        name="register-allocations",
    ),
    path(
        "register/allocations/<str:year>.<str:fmt>",
        public.YearTableView.as_view(kind="allocations"),
        name="register-allocations-download",
    ),
    path(
        "register/contracts/<str:year>/",
        public.YearTableView.as_view(kind="contracts"),
        name="register-contracts",
    ),
    path(
        "register/contracts/<str:year>.<str:fmt>",
        public.YearTableView.as_view(kind="contracts"),
        name="register-contracts-download",
    ),
    # register/360giving.<fmt> is routed by web (the grants with their agreements' facts).
    path(
        "register/needs-based-allocation/",
        public.FormulaRunsView.as_view(),
        name="register-formula",
    ),
]
