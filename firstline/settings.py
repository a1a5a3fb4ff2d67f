"""Firstline settings: one module, driven by environment variables.

With no configuration at all it runs on SQLite (WAL) under ``var/`` with DEBUG
off-by-default-safe values for local use. Variables come from the environment,
then from a ``.env`` file; see ``.env.example`` for every knob.
Production misconfiguration is caught by the system checks in ``firstline/checks.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from firstline.lib.env import env_bool, env_choice, env_file_load, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
# A .env beside manage.py (or FIRSTLINE_ENV_FILE) fills in what the
# environment does not set; see .env.example for every variable.
ENV_FILE = env_file_load(BASE_DIR / ".env")
VAR_DIR = Path(env_str("FIRSTLINE_VAR_DIR", str(BASE_DIR / "var")))
DATA_DIR = BASE_DIR / "data"

DEBUG = env_bool("DEBUG", False)
# An empty SECRET_KEY is refused by the checks when DEBUG is off and
# FIRSTLINE_ENV=production; the local default only keeps `make demo` zero-config.
SECRET_KEY = env_str("SECRET_KEY", "")
FIRSTLINE_ENV = env_choice("FIRSTLINE_ENV", ("development", "production", "test"), "development")
if not SECRET_KEY and FIRSTLINE_ENV != "production":
    SECRET_KEY = "insecure-local-only-key-do-not-use-in-production"  # noqa: S105
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS",
    [] if FIRSTLINE_ENV == "production" else ["localhost", "127.0.0.1", "[::1]", "testserver"],
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    # core before django_tasks_db: its db_worker (the library's, surviving
    # lock timeouts) must win over the library's command of the same name.
    "firstline.core",
    "django_tasks_db",
    "firstline.geo",
    "firstline.officials",
    "firstline.policies",
    "firstline.mail",
    "firstline.campaigns",
    "firstline.delivery",
    "firstline.workspace",
    "firstline.residents",
    "firstline.api",
    "firstline.opendata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "firstline.core.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "firstline.core.middleware.PrivacyHeadersMiddleware",
    # Last, as django-axes requires: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "firstline.urls"
WSGI_APPLICATION = "firstline.wsgi.application"

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
                "django.template.context_processors.i18n",
                "firstline.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60))
    }
    # One test database per test process, so several runs (a developer's and
    # CI's, or parallel sessions) can share one PostgreSQL server.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env_str("TEST_DATABASE_NAME", "") or (
        f"test_{DATABASES['default']['NAME']}_{os.getpid()}" if FIRSTLINE_ENV == "test" else None
    )
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(Path(env_str("SQLITE_PATH", str(VAR_DIR / "firstline.sqlite3")))),
            "OPTIONS": {
                # WAL lets the web process read while the worker writes;
                # IMMEDIATE avoids "database is locked" upgrades mid-transaction.
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=10000;"
                    "PRAGMA foreign_keys=ON;"
                    # Deleted private rows (residents' messages, purged
                    # signers) are overwritten, not just marked free.
                    "PRAGMA secure_delete=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Tasks --------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "delivery", "scores", "opendata"],
    }
}

# --- Cache (rate limits, rendered map) -------------------------------------------
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "firstline_cache",
        # Score entries, rendered maps and rate-limit keys share this table;
        # the default of 300 entries would cull them at random.
        "OPTIONS": {"MAX_ENTRIES": 50000},
    }
}

# --- Auth ---------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "admin:login"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out login is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Staff sign-in: password, then a TOTP code (django-otp), required for every
# staff account in production; STAFF_REQUIRE_2FA=1 turns it on elsewhere.
STAFF_REQUIRE_2FA = env_bool("STAFF_REQUIRE_2FA", FIRSTLINE_ENV == "production")
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Firstline")
# Sessions are staff sessions (the public site keeps none worth keeping): 12 hours.
SESSION_COOKIE_AGE = 12 * 60 * 60
# django-axes: five wrong passwords in a row for one username from one client
# are allowed; the sixth locks that pair out for an hour. The "address" it stores is a daily keyed
# hash written in the private fd00::/8 range (firstline.lib.clients), never the
# visitor's address; no access log of successful logins is kept.
AXES_FAILURE_LIMIT = 6
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "firstline.lib.clients.axes_client_key"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_LOCKOUT_TEMPLATE = "core/login_locked.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False

# --- i18n ---------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]

# Officials' contacts older than this many days are flagged stale (roster drive, docs/officials.md).
ROSTER_STALE_DAYS = env_int("ROSTER_STALE_DAYS", 365)
# How long a partner's roster invitation link stays valid.
ROSTER_INVITE_DAYS = env_int("ROSTER_INVITE_DAYS", 21)
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "America/New_York"
USE_TZ = True

# --- Static files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", FIRSTLINE_ENV == "production")
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production, serve static files straight from the app folders so a
# fresh checkout (and the test servers) need no collectstatic.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", FIRSTLINE_ENV != "production")
if WHITENOISE_USE_FINDERS:
    # WhiteNoise also scans STATIC_ROOT and warns on every start if it is missing.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
# Bulk downloads (firstline/opendata): generated files and their provenance sidecars.
OPENDATA_DIR = VAR_DIR / "opendata"
# Regenerate the downloads after data changes. Off under tests, whose fixtures
# change data constantly and whose browser tests share one worker; the
# opendata tests switch it on.
OPENDATA_AUTOGENERATE = FIRSTLINE_ENV != "test"
# Officials' replies attached to responses: PDF, PNG, JPEG or text, up to this size.
RESPONSE_ATTACHMENT_MAX_MB = env_int("RESPONSE_ATTACHMENT_MAX_MB", 10)

# --- Security -----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", FIRSTLINE_ENV == "production")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HTTPS only in production: redirect plain HTTP and tell browsers to remember
# it (HSTS). The TLS proxy sets X-Forwarded-Proto (BEHIND_PROXY=1) so Django
# sees the original scheme. Set SECURE_SSL_REDIRECT=0 where the proxy already
# redirects; set SECURE_HSTS_SECONDS=0 to stage HSTS on a new domain first.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", FIRSTLINE_ENV == "production")
# Load balancers probe /healthz over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int(
    "SECURE_HSTS_SECONDS", 31_536_000 if FIRSTLINE_ENV == "production" else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", FIRSTLINE_ENV == "production"
)
# The header only allows the domain onto browsers' preload lists; nothing is
# preloaded until someone submits the domain.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", FIRSTLINE_ENV == "production")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
)
# How many proxies of ours append to X-Forwarded-For: the rate limits take the
# visitor's address from there (firstline.lib.clients). 0 = REMOTE_ADDR.
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 1 if env_bool("BEHIND_PROXY", False) else 0)

# --- Email and delivery ----------------------------------------------------------
# outbox: stored only, viewable by staff (default). smtp: a configured server.
# redirect: real SMTP, but every message goes to DELIVERY_REDIRECT_TO.
DELIVERY_MODE = env_choice("DELIVERY_MODE", ("outbox", "smtp", "redirect"), "outbox")
DELIVERY_REDIRECT_TO = env_str("DELIVERY_REDIRECT_TO")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Firstline <noreply@firstline.localhost>")
# Django 6.1 mailers: `from django.core.mail import mailers; mailers.default`.
# Which mailer a message uses is decided by firstline.mail.transport from
# DELIVERY_MODE, so "outbox" never opens a network connection.
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": env_str("EMAIL_HOST", "127.0.0.1"),
            "port": env_int("EMAIL_PORT", 1025),
            "username": env_str("EMAIL_HOST_USER"),
            "password": env_str("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "timeout": env_int("EMAIL_TIMEOUT", 20),
        },
    },
}
# Residents' messages written from the lookup page (outside any campaign) leave
# the outbox only when this second key is on as well as DELIVERY_MODE.
RESIDENTS_EXTERNAL_DELIVERY = env_bool("RESIDENTS_EXTERNAL_DELIVERY", False)
DELIVERY_MAX_ATTEMPTS = env_int("DELIVERY_MAX_ATTEMPTS", 6)
DELIVERY_PER_DOMAIN_PER_MINUTE = env_int("DELIVERY_PER_DOMAIN_PER_MINUTE", 600)

# --- Privacy ------------------------------------------------------------------
# Fernet keys (urlsafe base64, 32 bytes), newest first; older keys still decrypt.
# See docs/privacy.md for rotation.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
# Key for the email lookup hash (uniqueness without decrypting). Kept apart from
# the encryption keys so rotating those needs no re-hash; derived from
# SECRET_KEY when empty (then rotating SECRET_KEY needs `rotate_field_keys --rehash`).
FIELD_HASH_KEY = env_str("FIELD_HASH_KEY")
SIGNATURE_PURGE_DAYS = env_int("SIGNATURE_PURGE_DAYS", 14)
SIGNATURE_VERIFY_MAX_AGE_HOURS = env_int("SIGNATURE_VERIFY_MAX_AGE_HOURS", 72)
# Sensitive outbox rows (a private address, a live link) are deleted after this
# long; it must be at least the life of the links they carry (checked: E007).
OUTBOX_SENSITIVE_KEEP_HOURS = env_int("OUTBOX_SENSITIVE_KEEP_HOURS", SIGNATURE_VERIFY_MAX_AGE_HOURS)

# --- Logging: never log client IP addresses ----------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Libraries can put a peer address into a message; none reaches the log.
    "filters": {"no_addresses": {"()": "firstline.lib.logfilters.RedactAddresses"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_addresses"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # django.server and django.request include request lines; keep them at
        # WARNING and never add the remote address (see core.middleware).
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        # WeasyPrint narrates every layout step at INFO; keep the worker log readable.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
