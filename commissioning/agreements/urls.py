from __future__ import annotations

from .views import agreements, returns, spending

urlpatterns = [*agreements.urlpatterns, *returns.urlpatterns, *spending.urlpatterns]
