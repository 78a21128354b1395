"""Settings for rrp, read top to bottom; every deploy-specific value comes from the environment."""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Core
DEBUG = env_bool("DEBUG", False)
# Set by `make test`: relaxes only what a test server on http needs (no HTTPS redirect or secure cookies).
TESTING = env_bool("RRP_TESTING", "pytest" in sys.modules)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not TESTING:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "simple_history",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "rrp",
    "incidents",
    "incidents.reviews",
    "safety_plans",
    "blanket_rules",
    "ward_rounds",
    "trends",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "rrp.middleware.SessionRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "rrp.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rrp.urls"
WSGI_APPLICATION = "rrp.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "rrp.context_processors.navigation",
            ],
        },
    },
]

# Django's form renderer, writing the commonest widgets without templates (rrp/renderers.py).
FORM_RENDERER = "rrp.renderers.FormRenderer"

# Database: SQLite in the project folder by default, so a fresh clone runs as it is;
# production sets DATABASE_URL (for example postgres://user@host:5432/rrp).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=env_int("DB_CONN_MAX_AGE", 60)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool("DB_JIT", False):
    # PostgreSQL's JIT compiles any query the planner costs highly, which took 85 ms to save a
    # few on a 10,000-row count of the incident list (benchmarks/README.md): pages are short.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

# Authentication and sessions
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rrp.backends.UserBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Sessions end after 30 minutes without a request (a shared ward PC must not stay signed in).
# rrp.middleware.SessionRefreshMiddleware moves the expiry on, writing the session at most once a
# minute rather than on every request: a session idle for 30 minutes is always ended.
# Django's database sessions, read with a statement built once (rrp.sessions).
SESSION_ENGINE = "rrp.sessions"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 30 * 60)
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Lockout after repeated failed sign-ins, per username and address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# django-guardian: no anonymous access to anything.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# Internationalisation and time
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"

# Static files: our own, plus the NHS.UK frontend and plotly.js shipped by their packages.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("nhsuk", BASE_DIR / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"),
]
try:
    import plotly

    STATICFILES_DIRS.append(("plotly", Path(plotly.__file__).parent / "package_data"))
except ImportError:  # pragma: no cover - plotly is a hard dependency
    pass
WHITENOISE_USE_FINDERS = DEBUG or TESTING
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# E-mail (reminders); the demo prints messages to the console.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "rrp@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)

# Security: on whenever DEBUG is off, so `manage.py check --deploy` is clean in production.
SECURE = not DEBUG and not TESTING
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SECURE)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000) if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# No inline scripts and no third-party hosts. Plotly.js writes its own <style> elements,
# so styles allow 'unsafe-inline'; scripts never do.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rrp.api_support.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["rrp.api_support.StrictFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "rrp.api_support.exception_handler",
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "rrp API",
    "DESCRIPTION": "Restrictive practice records, reviews, plans and trends. "
    "Every call sees only what the person behind it may see in the browser.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One schema name per shared choice set; add an entry when a new one is shared.
    "ENUM_NAME_OVERRIDES": {
        "YesNoUnknownEnum": "rrp.models.ServiceUser.YesNoUnknown",
        "HarmEnum": "incidents.codes.Harm",
        "IncidentYesNoUnknownEnum": "incidents.codes.YesNoUnknown",
        "ReviewStatusEnum": "incidents.reviews.models.Review.Status",
        "ReviewSectionStatusEnum": "incidents.reviews.models.Account.Status",
        "ReviewSectionKindEnum": "incidents.reviews.models.Account.Kind",
        "ReviewActionStatusEnum": "incidents.reviews.models.ReviewAction.Status",
        "ReviewActionKindEnum": "incidents.reviews.models.ReviewAction.Kind",
        "SafetyPlanPartEnum": "safety_plans.models.Kind",
        "SafetyPlanProposalStatusEnum": "safety_plans.models.Proposal.Status",
        "BlanketRuleOutcomeEnum": "blanket_rules.models.Outcome",
        "AppointmentStatusEnum": "ward_rounds.models.Appointment.Status",
        "AgendaItemKindEnum": "ward_rounds.models.AgendaItem.Kind",
        "AgendaItemAuthorRoleEnum": "ward_rounds.models.AgendaItem.AuthorRole",
        "OutcomePersonAgreesEnum": "ward_rounds.models.Outcome.View",
    },
}

# Domain settings
RRP_DEMO_PASSWORD = os.environ.get("RRP_DEMO_PASSWORD", "rrp-demo-2026")
RRP_REVIEW_DUE_HOURS = env_int("RRP_REVIEW_DUE_HOURS", 72)
RRP_CHALLENGE_RESPONSE_DAYS = env_int("RRP_CHALLENGE_RESPONSE_DAYS", 14)
RRP_RECORD_RETENTION_YEARS = 3  # Mental Health Units (Use of Force) Act 2018 s.6(6)
RRP_SITE_URL = os.environ.get("RRP_SITE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
