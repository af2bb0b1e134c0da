from __future__ import annotations

from .views import urlpatterns

__all__ = ["urlpatterns"]
