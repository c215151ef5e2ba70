"""Clarion's settings, read from environment variables only.

Every variable has a safe embedded default so a fresh clone runs on SQLite with no set-up;
production sets DATABASE_URL, REDIS_URL, EMAIL_URL, SECRET_KEY, SITE_URL and ALLOWED_HOSTS.
"""

import ipaddress
import json
import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("CLARION_DATA_DIR", BASE_DIR.parent / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def embedded_secret_key() -> str:
    """A random key kept in the data folder, so sessions survive restarts without set-up."""
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("CLARION_DEBUG")
TESTING = env_bool("CLARION_TESTING")
SECRET_KEY = os.environ.get("SECRET_KEY") or embedded_secret_key()
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = [SITE_URL]
SECURE_SSL = SITE_URL.startswith("https://")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "ninja",
    "channels",
    "clarion.core",
    "clarion.accounts",
    "clarion.crm",
    "clarion.segments",
    "clarion.notifications",
    "clarion.collab",
    "clarion.tasks",
    "clarion.chat",
    "clarion.emails",
    "clarion.subscriptions",
    "clarion.sending",
    "clarion.tracking",
    "clarion.campaigns",
    "clarion.integrations",
    "clarion.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "clarion.api.errors.APIErrorMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "clarion.notifications.guest_middleware.GuestAccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "clarion.urls"
WSGI_APPLICATION = "clarion.wsgi.application"
ASGI_APPLICATION = "clarion.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clarion.core.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'clarion.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE transactions and WAL let the web server and the worker write side by side.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not TESTING:
    # A shared pool keeps ASGI request threads from exhausting PostgreSQL's connections.
    DATABASES["default"]["OPTIONS"] = {"pool": {"min_size": 2, "max_size": 20, "timeout": 10}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE columns) are a PostgreSQL speed-up; SQLite builds them without the
# extra columns, which is all this warning says.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- Cache, sessions, realtime --------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Short socket timeouts: an unreachable Redis must fail fast (and /healthz answer fast).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL, "KEY_PREFIX": "clarion",
                          "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5}}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                                  "CONFIG": {"hosts": [REDIS_URL]}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Background work ------------------------------------------------------------------------
CLARION_TASKS = os.environ.get("CLARION_TASKS", "db")
TASK_BACKENDS = {
    "db": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
    "celery": {"BACKEND": "clarion.celery.CeleryBackend", "QUEUES": [],
               "OPTIONS": {"CELERY_APP": "clarion.celery.app"}},
    "immediate": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"},
}
TASKS = {"default": TASK_BACKENDS[CLARION_TASKS]}
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "redis://127.0.0.1:6379/0")
# Results let callers follow a task; kept in Redis when the broker is Redis.
CELERY_RESULT_BACKEND = os.environ.get(
    "CELERY_RESULT_BACKEND", CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "")
CELERY_RESULT_EXTENDED = True
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "clarion")

# --- REST API -------------------------------------------------------------------------------
# A new contact joins the company whose domain matches its email address.
CLARION_LINK_CONTACTS_BY_DOMAIN = env_bool("CLARION_LINK_CONTACTS_BY_DOMAIN", True)
CLARION_API_RATE_LIMIT = int(os.environ.get("CLARION_API_RATE_LIMIT", "600"))  # per key, minute

# --- Email ----------------------------------------------------------------------------------


def mailer_from_url(url: str) -> dict:
    """Turn EMAIL_URL (smtp://user:pass@host:587?tls=1, console://, file:///dir, locmem://)
    into a MAILERS entry."""
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "file": "django.core.mail.backends.filebased.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
    }
    if parts.scheme in backends:
        options = {"file_path": parts.path} if parts.scheme == "file" else {}
        return {"BACKEND": backends[parts.scheme], "OPTIONS": options}
    # Email services through their HTTP APIs (django-anymail); SES goes through its SMTP.
    esps = {"mailgun": ("anymail.backends.mailgun.EmailBackend", "api_key"),
            "postmark": ("anymail.backends.postmark.EmailBackend", "server_token"),
            "sendgrid": ("anymail.backends.sendgrid.EmailBackend", "api_key")}
    if parts.scheme in esps:
        backend, key_option = esps[parts.scheme]
        options = {**query, key_option: unquote(parts.username or "")}
        if parts.scheme == "mailgun" and parts.hostname:
            options["api_url"] = f"https://{parts.hostname}/v3/"
        return {"BACKEND": backend, "OPTIONS": options}
    if parts.scheme not in {"smtp", "smtps"}:
        raise ValueError(f"EMAIL_URL scheme {parts.scheme!r} is not one of smtp, smtps, "
                         f"{', '.join([*backends, *esps])}")
    options = {
        "host": parts.hostname or "localhost",
        "port": parts.port or (465 if parts.scheme == "smtps" else 25),
        "username": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "use_ssl": parts.scheme == "smtps",
        "use_tls": query.get("tls", "0") in {"1", "true"},
        "timeout": int(query.get("timeout", "30")),
    }
    return {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}


EMAIL_URL = os.environ.get("EMAIL_URL", "console://")
MAILERS = {"default": mailer_from_url(EMAIL_URL)}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Clarion <clarion@localhost>")

# --- Send engine (clarion/sending/conf.py documents each) -----------------------------------
CLARION_SEND_DOMAIN_LIMITS = json.loads(os.environ.get("CLARION_SEND_DOMAIN_LIMITS") or "{}")
CLARION_SEND_BATCH = int(os.environ.get("CLARION_SEND_BATCH", "200"))
CLARION_SEND_LEASE_SECONDS = int(os.environ.get("CLARION_SEND_LEASE_SECONDS", "300"))
CLARION_SEND_MAX_ATTEMPTS = int(os.environ.get("CLARION_SEND_MAX_ATTEMPTS", "8"))
CLARION_SEND_RETRY_BASE = float(os.environ.get("CLARION_SEND_RETRY_BASE", "60"))
CLARION_SEND_RETRY_MAX = float(os.environ.get("CLARION_SEND_RETRY_MAX", str(6 * 3600)))
CLARION_BOUNCE_ADDRESS = os.environ.get("CLARION_BOUNCE_ADDRESS", "")
CLARION_MAX_IMAGE_MB = int(os.environ.get("CLARION_MAX_IMAGE_MB", "5"))

# --- Consent pages --------------------------------------------------------------------------
# The mailto half of List-Unsubscribe; empty: unsubscribe@<the domain of DEFAULT_FROM_EMAIL>.
CLARION_UNSUBSCRIBE_MAILTO = os.environ.get("CLARION_UNSUBSCRIBE_MAILTO", "")
CLARION_EMAIL_LINK_RATE_LIMIT = int(os.environ.get("CLARION_EMAIL_LINK_RATE_LIMIT", "60"))
CLARION_EMAIL_LINK_BAD_TOKEN_LIMIT = int(os.environ.get("CLARION_EMAIL_LINK_BAD_TOKEN_LIMIT",
                                                        "20"))
CLARION_ONE_CLICK_PER_MESSAGE_LIMIT = int(os.environ.get("CLARION_ONE_CLICK_PER_MESSAGE_LIMIT",
                                                         "10"))

# --- Email tracking -------------------------------------------------------------------------
CLARION_INBOUND_SECRET = os.environ.get("CLARION_INBOUND_SECRET", "")  # empty: /email/inbound/ off
CLARION_BOUNCE_IMAP_URL = os.environ.get("CLARION_BOUNCE_IMAP_URL", "")  # imaps://u:p@host/INBOX
CLARION_BOUNCE_POLL_SECONDS = int(os.environ.get("CLARION_BOUNCE_POLL_SECONDS", "60"))
CLARION_SOFT_BOUNCE_LIMIT = int(os.environ.get("CLARION_SOFT_BOUNCE_LIMIT", "3"))
CLARION_TRACKING_RATE_LIMIT = int(os.environ.get("CLARION_TRACKING_RATE_LIMIT", "1200"))  # IP/min
CLARION_MACHINE_OPEN_SECONDS = float(os.environ.get("CLARION_MACHINE_OPEN_SECONDS", "5"))
CLARION_SCANNER_CLICK_SECONDS = float(os.environ.get("CLARION_SCANNER_CLICK_SECONDS", "2"))
CLARION_TRACKING_NOTICE_DAYS = int(os.environ.get("CLARION_TRACKING_NOTICE_DAYS", "30"))
ANYMAIL = {key: value for key, value in {
    "WEBHOOK_SECRET": os.environ.get("ANYMAIL_WEBHOOK_SECRET", ""),  # "user:password"
    "MAILGUN_WEBHOOK_SIGNING_KEY": os.environ.get("ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY", ""),
    "SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY":
        os.environ.get("ANYMAIL_SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY", ""),
    "AMAZON_SES_AUTO_CONFIRM_SNS_SUBSCRIPTIONS": False,  # would need boto3
}.items() if value != ""}
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Internationalization -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
# Attachments larger than this are refused before they are stored.
CLARION_MAX_UPLOAD_MB = int(os.environ.get("CLARION_MAX_UPLOAD_MB", "25"))
# Chat messages one person may post per minute.
CLARION_CHAT_MESSAGES_PER_MINUTE = int(os.environ.get("CLARION_CHAT_MESSAGES_PER_MINUTE", "30"))
# The country of phone numbers written without a country code (imports).
CLARION_PHONE_REGION = os.environ.get("CLARION_PHONE_REGION", "US")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_SSL_REDIRECT = SECURE_SSL and env_bool("CLARION_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_SSL else None
SECURE_HSTS_SECONDS = 31536000 if SECURE_SSL else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_SSL
SECURE_HSTS_PRELOAD = SECURE_SSL
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Reverse proxies whose X-Forwarded-For is believed (IPs or CIDRs): see core.http.client_ip.
# Parsed here so a typo stops start-up (ValueError naming the entry) instead of every request.
CLARION_TRUSTED_PROXIES = [str(ipaddress.ip_network(entry.strip(), strict=False)) for entry in
                           os.environ.get("CLARION_TRUSTED_PROXIES", "").split(",")
                           if entry.strip()]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CLARION_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
