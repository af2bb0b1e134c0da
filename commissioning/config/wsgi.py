"""The WSGI application, for `commissioning serve` or any WSGI server. It refuses to start on
the public demo key outside the demo."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commissioning.config.settings")
application = get_wsgi_application()

from commissioning.web.checks import refuse_demo_key  # noqa: E402  (needs the apps loaded)

refuse_demo_key()
