from django.shortcuts import render

from commissioning.core.guard import Guarded

from .permissions import VIEW
from .selectors import plan_current, plan_intentions


class PlanView(Guarded):
    permission = VIEW

    def get(self, request):
        plan = plan_current()
        intentions = plan_intentions(plan) if plan else []
        return render(request, "plans/plan.html", {"plan": plan, "intentions": intentions})
