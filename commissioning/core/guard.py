"""Every view names the permission rule it checks.

`Guarded` views check `permission` for the user before anything else; object views also
check `object_permission` against the object, and answer 404 (not 403) when it fails so a
guessed URL tells nobody that the object exists.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.views import View

from .permissions import check


class Guarded(View):
    permission: str = ""  # the rule every request must pass
    object_permission: str = ""  # the rule for the object, if the view shows one

    def dispatch(self, request, *args, **kwargs):
        if not self.permission:
            raise RuntimeError(f"{type(self).__name__} names no permission rule")
        ok, reason = check(request.user, self.permission)
        if not ok:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied(reason)
        return super().dispatch(request, *args, **kwargs)

    def check_object(self, obj: Any) -> Any:
        if self.object_permission:
            ok, _ = check(self.request.user, self.object_permission, obj)
            if not ok:
                raise Http404("Not found")
        return obj
