"""The agreements' fixtures (an agreement drawn up, accepted, its partner), for the pages
that show agreement work (the home)."""

from tests.agreements.conftest import active, draft, partner  # noqa: F401
