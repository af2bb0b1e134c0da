"""Settings for `commissioning`.

Everything that differs between a laptop demo and production comes from the environment:
- DATABASE_URL: any database dj-database-url understands; by default SQLite at
  $COMMISSIONING_DATA_DIR/commissioning.sqlite3 (data dir default ./var/).
- COMMISSIONING_SECRET_KEY, COMMISSIONING_DEBUG, COMMISSIONING_ALLOWED_HOSTS.
- COMMISSIONING_HTTPS=1 in production behind TLS: the SSL redirect, HSTS and secure cookies;
  COMMISSIONING_BEHIND_PROXY=1 when a reverse proxy terminates TLS and sets X-Forwarded-Proto.
- COMMISSIONING_WORKERS, COMMISSIONING_THREADS: the production server's processes and threads.

Without COMMISSIONING_SECRET_KEY the product uses a demo key that is public, so it refuses to
serve (`commissioning serve`, the WSGI application) unless it is the demo, and
`check --deploy` says so.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("COMMISSIONING_DATA_DIR", "var")).resolve()

DEBUG = os.environ.get("COMMISSIONING_DEBUG", "") == "1"
DEMO = os.environ.get("COMMISSIONING_DEMO", "") == "1"  # set by `commissioning demo`
DEMO_SECRET_KEY = "demo-only-insecure-key-set-COMMISSIONING_SECRET_KEY"  # noqa: S105 (public on purpose)
SECRET_KEY = os.environ.get("COMMISSIONING_SECRET_KEY") or DEMO_SECRET_KEY
ALLOWED_HOSTS = os.environ.get("COMMISSIONING_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    # Background jobs (ADR 14): Django 6's tasks API, backported, with its database backend.
    "django_tasks",
    "django_tasks_db",
    "commissioning.core",
    "commissioning.accounts",
    "commissioning.notifications",
    "commissioning.organisations",
    "commissioning.plans",
    "commissioning.budgets",
    "commissioning.formula",
    "commissioning.grants",
    "commissioning.decisions",
    "commissioning.agreements",
    "commissioning.cohorts",
    "commissioning.yearend",
    "commissioning.mtfs",
    "commissioning.scrutiny",
    "commissioning.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Signed in but idle too long: signed out (see accounts/middleware.py).
    "commissioning.accounts.middleware.IdleTimeoutMiddleware",
    # Signed in with a password only: nothing but the second-factor pages until the code.
    "commissioning.accounts.middleware.SecondFactorMiddleware",
    # Last, so that it sees a lockout flagged by a failed sign-in (see ADR 13).
    "axes.middleware.AxesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "commissioning.config.urls"
WSGI_APPLICATION = "commissioning.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "commissioning.web.context.site",
            ],
        },
    }
]


# How long a worker's thread keeps its database connection between requests, on either
# database: opening one (on SQLite with the PRAGMAs below) cost a tenth of the server's time
# in the deadline spike bench (docs/benchmarks.md).
CONNECTION_SECONDS = 60


def _database() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL")
    config: dict[str, Any]
    if url:
        config = dict(dj_database_url.parse(url, conn_max_age=CONNECTION_SECONDS))
    else:
        config = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "commissioning.sqlite3"),
            "CONN_MAX_AGE": CONNECTION_SECONDS,
        }
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        # IMMEDIATE transactions take the write lock at BEGIN, so concurrent writers
        # queue (up to `timeout` seconds) instead of failing with "database is locked"
        # on lock upgrade. WAL lets readers carry on while a writer works.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            # recursive_triggers: a REPLACE's implicit delete fires the append-only tables'
            # DELETE triggers (see core/append_only.py).
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            " PRAGMA foreign_keys=ON; PRAGMA recursive_triggers=ON;",
        }
        # Tests use a file, not shared-cache memory, so that concurrency tests see real
        # SQLite locking between connections.
        config["TEST"] = {"NAME": str(DATA_DIR / "test-commissioning.sqlite3")}
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# Passwords as the NCSC advises: long enough, not on a list of common passwords; no rules
# about character classes and no forced expiry (ADR 13).
PASSWORD_MIN_LENGTH = int(os.environ.get("COMMISSIONING_PASSWORD_MIN_LENGTH", "12"))
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# The axes backend first: it refuses a locked-out account or address before any password
# is checked, and counts each failure (ADR 13).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Sign-in throttling (django-axes): after SIGNIN_FAILURES failures for one username, or
# SIGNIN_ADDRESS_FAILURES from one address (an office behind one address gets more room),
# signing in is locked for SIGNIN_LOCKOUT_MINUTES. Wrong second-factor codes count too.
SIGNIN_FAILURES = int(os.environ.get("COMMISSIONING_SIGNIN_FAILURES", "5"))
SIGNIN_ADDRESS_FAILURES = int(os.environ.get("COMMISSIONING_SIGNIN_ADDRESS_FAILURES", "20"))
SIGNIN_LOCKOUT_MINUTES = int(os.environ.get("COMMISSIONING_SIGNIN_LOCKOUT_MINUTES", "15"))
AXES_FAILURE_LIMIT = SIGNIN_FAILURES
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # the order accounts/lockout.py reads
AXES_COOLOFF_TIME = SIGNIN_LOCKOUT_MINUTES / 60  # hours
AXES_HANDLER = "commissioning.accounts.lockout.SignInAttempts"
AXES_LOCKOUT_CALLABLE = "commissioning.accounts.lockout.locked_out"
AXES_RESET_ON_SUCCESS = False  # a password alone must not clear wrong codes
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "commissioning.accounts.lockout.username_of"
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token", "new_password1", "new_password2"]
# The address is REMOTE_ADDR, or behind the reverse proxy the one it appended last to
# X-Forwarded-For (accounts/lockout.py).
AXES_CLIENT_IP_CALLABLE = "commissioning.accounts.lockout.client_address"
SIGNIN_TRUST_FORWARDED_FOR = os.environ.get("COMMISSIONING_BEHIND_PROXY", "") == "1"

# A second factor (django-otp): TOTP with recovery codes, required for OPCC staff.
OTP_TOTP_ISSUER = os.environ.get("COMMISSIONING_TOTP_ISSUER", "OPCC commissioning")
OTP_TOTP_SYNC = False  # codes are checked one step either side, with no learned drift

# Signed out after inactivity: staff after SESSION_IDLE_MINUTES_STAFF, others after
# SESSION_IDLE_MINUTES. The last-seen time is written at most once a SESSION_TOUCH_SECONDS.
SESSION_IDLE_MINUTES_STAFF = int(os.environ.get("COMMISSIONING_SESSION_IDLE_MINUTES_STAFF", "30"))
SESSION_IDLE_MINUTES = int(os.environ.get("COMMISSIONING_SESSION_IDLE_MINUTES", "120"))
SESSION_TOUCH_SECONDS = 60
PASSWORD_RESET_TIMEOUT = 60 * 60  # a reset link works for an hour

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"  # `commissioning collectstatic` writes here
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

WORKERS = int(os.environ.get("COMMISSIONING_WORKERS", "3"))
THREADS = int(os.environ.get("COMMISSIONING_THREADS", "1"))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Production behind TLS: redirect to HTTPS, HSTS for a year, cookies only over HTTPS.
HTTPS = os.environ.get("COMMISSIONING_HTTPS", "") == "1"
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("COMMISSIONING_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = os.environ.get("COMMISSIONING_HSTS_PRELOAD", "1") == "1"
if os.environ.get("COMMISSIONING_BEHIND_PROXY", "") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy on every page: our own scripts, styles, images and fonts only; no
# inline script or style, no plug-ins, no framing, forms post only to us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Background jobs (ADR 14): django-tasks with its database backend, a table in this database,
# run by `commissioning worker` (one beside the demo's server; a systemd unit in production).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# Finished task rows older than this are removed by `commissioning jobs daily`; a job that has
# not moved on (no progress) for JOBS_STALE_HOURS is marked failed (its worker was stopped).
TASKS_PRUNE_DAYS = int(os.environ.get("COMMISSIONING_TASKS_PRUNE_DAYS", "30"))
JOBS_STALE_HOURS = int(os.environ.get("COMMISSIONING_JOBS_STALE_HOURS", "6"))
# Notifications read more than this many days ago are removed by `commissioning jobs daily`
# (unread ones are kept however old).
NOTIFICATIONS_KEEP_DAYS = int(os.environ.get("COMMISSIONING_NOTIFICATIONS_KEEP_DAYS", "90"))

# Email: every message is queued as a background task (core.mail.QueuedEmailBackend) so no
# request waits for a mail server; the worker delivers it through EMAIL_DELIVERY_BACKEND:
# printed to the console unless COMMISSIONING_EMAIL_BACKEND is "smtp" (or a backend's dotted
# path), with the server from COMMISSIONING_EMAIL_HOST, _PORT, _USER, _PASSWORD, _TLS
# (STARTTLS, on by default), _SSL and _TIMEOUT.
EMAIL_BACKEND = "commissioning.core.mail.QueuedEmailBackend"
_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}
_email_backend = os.environ.get("COMMISSIONING_EMAIL_BACKEND", "console")
EMAIL_DELIVERY_BACKEND = _EMAIL_BACKENDS.get(_email_backend, _email_backend)
EMAIL_HOST = os.environ.get("COMMISSIONING_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("COMMISSIONING_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("COMMISSIONING_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("COMMISSIONING_EMAIL_PASSWORD", "")
EMAIL_USE_SSL = os.environ.get("COMMISSIONING_EMAIL_SSL", "") == "1"
EMAIL_USE_TLS = not EMAIL_USE_SSL and os.environ.get("COMMISSIONING_EMAIL_TLS", "1") == "1"
EMAIL_TIMEOUT = int(os.environ.get("COMMISSIONING_EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("COMMISSIONING_FROM_EMAIL", "commissioning@opcc.invalid")

# The crime store (DuckDB, ADR 6) in the data directory: files uploaded on the crime data page
# are loaded by a background job, up to this size each (larger loads: `commissioning crime
# ingest` on the server).
CRIME_UPLOAD_MAX_MB = int(os.environ.get("COMMISSIONING_CRIME_UPLOAD_MAX_MB", "100"))

# The register of spending publishes every payment over this many pounds (the 2011 Order
# asks for items over £500), showing this label instead of a private individual's name.
SPENDING_THRESHOLD = Decimal(os.environ.get("COMMISSIONING_SPENDING_THRESHOLD", "500"))
SPENDING_INDIVIDUAL_LABEL = os.environ.get("COMMISSIONING_INDIVIDUAL_LABEL", "Individual")

# A variation that raises an agreement's maximum sum by more than this must rest on a
# signed decision record.
VARIATION_DECISION_OVER = Decimal(os.environ.get("COMMISSIONING_VARIATION_DECISION_OVER", "10000"))

# The address people open the product at ("https://commissioning.example.gov.uk"), for the
# links in notification emails; without it the emails say to sign in and open Notifications.
SITE_URL = os.environ.get("COMMISSIONING_SITE_URL", "").rstrip("/")

SITE_ORGANISATION_NAME = os.environ.get(
    "COMMISSIONING_ORGANISATION_NAME",
    "Office of the Police and Crime Commissioner for Leicestershire",
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Reoffending cohorts (issue 11)
# A cohort's reduction is measured against COHORT_TARGET_PERCENT unless its upload says
# otherwise; anything shown outside the officers who may see cohort data withholds groups of
# fewer than COHORT_SUPPRESS_UNDER offenders; an upload is kept at most (and by default)
# COHORT_RETENTION_DAYS days, then deleted by `commissioning jobs daily`.
COHORT_TARGET_PERCENT = Decimal(os.environ.get("COMMISSIONING_COHORT_TARGET", "17"))
COHORT_SUPPRESS_UNDER = int(os.environ.get("COMMISSIONING_COHORT_SUPPRESS_UNDER", "10"))
COHORT_RETENTION_DAYS = int(os.environ.get("COMMISSIONING_COHORT_RETENTION_DAYS", "365"))
