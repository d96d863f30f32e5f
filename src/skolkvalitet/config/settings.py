"""All settings, driven by the environment (one module, as in healthchecks).

Environment variables:
    DATABASE_URL                 PostgreSQL in production, e.g. postgres://user@host/db.
                                 Default: SQLite file ./var/skolkvalitet.sqlite3.
    SECRET_KEY                   Django's signing key. Default: the key in ./var/secret_key
                                 (fine for the embedded default only).
    SKOLKVALITET_PSEUDONYM_KEY   Key of the keyed hash that replaces personnummer.
                                 Default: the key in ./var/pseudonym_key.
                                 `skolkvalitet keys create` (and `demo`) write the two files,
                                 once; importing the settings writes nothing (config/keys.py).
    SKOLKVALITET_VAR_DIR         Where the embedded default keeps its files (./var).
    DEBUG                        "1"/"true" for development. Default off.
    ALLOWED_HOSTS                Comma-separated. Default: 127.0.0.1,localhost.
    CSRF_TRUSTED_ORIGINS         Comma-separated origins, for deployment behind a proxy.
    SECURE_SSL                   "1" behind TLS: secure cookies, HSTS, SSL redirect.
    SECURE_HSTS_SECONDS          With SECURE_SSL: HSTS lifetime. Default 31536000 (a year).
    SECURE_HSTS_INCLUDE_SUBDOMAINS  With SECURE_SSL: "0" leaves subdomains out. Default on.
    SECURE_HSTS_PRELOAD          "1" asks for the HSTS preload list. Default off (decided:
                                 the domain owner's choice, docs/operations.md).
    SECURE_PROXY_SSL_HEADER      The header a TLS-terminating proxy sets to "https", e.g.
                                 X-Forwarded-Proto. Default: none (no header trusted).
    SKOLKVALITET_LOGIN_FAILURE_LIMIT   Wrong passwords for one username from one address before
                                 the login is locked (django-axes). Default 5.
    SKOLKVALITET_LOGIN_COOLOFF_MINUTES  How long such a lockout lasts. Default 15.
    SKOLKVALITET_PROXY_COUNT     Reverse proxies in front that append to X-Forwarded-For; the
                                 client's address is read behind that many. Default 0 (none
                                 trusted: the connection's address).
    SKOLKVALITET_API_RATE        Requests one API token may make, e.g. "600/m" (the default).
    SKOLKVALITET_API_ANONYMOUS_RATE  API requests without a valid token one client address may
                                 make before it gets 429. Default "60/m".
    SKOLKVALITET_API_FAILED_TOKENS_PER_HOUR  Refused API tokens from one address in an hour
                                 before it gets 429 for the rest of the hour. Default 20.
    SKOLKVALITET_PAGE_CACHE      Where rendered result pages are cached: file (default, under
                                 SKOLKVALITET_VAR_DIR), database, redis://host:port/db, off.
    SKOLKVALITET_PAGE_CACHE_WARM_SECONDS  Time the materialisation spends rendering pages ahead
                                 of the users. Default 60; 0: none.
    SKOLKVALITET_API_TOKEN_DAYS  A new API token's lifetime unless --days says. Default 90.
    SKOLKVALITET_API_TOKEN_MAX_DAYS  The longest lifetime of an API token. Default 365.
    SKOLKVALITET_SESSION_IDLE_MINUTES  Logged out after this long without a request. Default 30.
    SKOLKVALITET_SESSION_MAX_HOURS     Logged out after this long in all. Default 8.
    SKOLKVALITET_IMPORT_IN_BACKGROUND  "0" runs web uploads within the request. Default on.
    SKOLKVALITET_DOCUMENTS_IN_BACKGROUND  "0" produces board documents within the request.
    SKOLKVALITET_IMPORT_MAX_BYTES      Largest file an import reads. Default 256 MiB.
    SKOLKVALITET_IMPORT_MAX_ROWS       Most rows an import reads. Default 5 000 000.
    EMAIL_HOST                   An SMTP server for the quality cycle's e-mail (reports
                                 submitted, returned, approved; deadline reminders). Without
                                 it, e-mail is written to the console (the demo).
    EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS  The SMTP server's port
                                 (587), login and STARTTLS ("1", the default).
    EMAIL_BACKEND                One of Django's e-mail backends by its path, instead (with
                                 EMAIL_FILE_PATH for the file backend). Default: SMTP with
                                 EMAIL_HOST, else the console.
    DEFAULT_FROM_EMAIL           The sender. Default: skolkvalitet@localhost.
    SKOLKVALITET_SITE_URL        The address users open the product at, for links in e-mail
                                 (e.g. https://skolkvalitet.kommun.se). Default: none (no links;
                                 a password reset link then names the host the request came to).
    SKOLKVALITET_PASSWORD_RESET  "0" turns password reset by e-mail off. Default on.
    SKOLKVALITET_PASSWORD_RESET_MINUTES  How long a reset link works. Default 60.
    SKOLKVALITET_PASSWORD_RESET_PER_ADDRESS  Reset requests one client address may make in an
                                 hour before it gets 429. Default 10.
    SKOLKVALITET_PASSWORD_RESET_PER_EMAIL  Reset links sent to one e-mail address in an hour.
                                 Default 3.
    SKOLKVALITET_LOGO            A PNG or SVG file: the organiser's logo on the documents.
    SKOLKVALITET_REMINDER_DAYS   Days before a report deadline that `skolkvalitet remind`
                                 reminds the writers, comma-separated. Default: 14,2.
    Single sign-on (web/sso/; docs/operations.md "Single sign-on"):
    SKOLKVALITET_PASSWORD_LOGIN  "0" refuses every password login; the login page shows only the
                                 single sign-on buttons. Default on.
    SKOLKVALITET_SSO_LINK_BY_EMAIL  "0": an identity not yet linked to a user is refused even
                                 when the provider vouches for an e-mail address one user has.
                                 Default on.
    SKOLKVALITET_OIDC_ISSUER     The OpenID provider's issuer, e.g.
                                 https://login.microsoftonline.com/TENANT/v2.0; its endpoints are
                                 discovered from it. With SKOLKVALITET_OIDC_CLIENT_ID: OIDC is on.
    SKOLKVALITET_OIDC_CLIENT_ID, SKOLKVALITET_OIDC_CLIENT_SECRET  The client registered there.
    SKOLKVALITET_OIDC_SCOPES     Default "openid email profile".
    SKOLKVALITET_OIDC_NAME       The provider's name, e.g. "Entra ID": the button then reads
                                 "Logga in med Entra ID". Default: "Logga in med gemensam
                                 inloggning".
    SKOLKVALITET_OIDC_EMAIL_VERIFIED_CLAIM  The claim that says the e-mail is verified.
                                 Default email_verified (Entra ID: xms_edov).
    SKOLKVALITET_OIDC_AUTHORIZATION_ENDPOINT, _TOKEN_ENDPOINT, _USERINFO_ENDPOINT, _JWKS_URI
                                 Explicit endpoints instead of discovery.
    SKOLKVALITET_SAML_IDP_METADATA_FILE or SKOLKVALITET_SAML_IDP_METADATA_URL  The SAML IdP's
                                 metadata. Either: SAML is on.
    SKOLKVALITET_SAML_ENTITY_ID  Our entity id. Default: the metadata URL (/sso/saml/metadata/).
    SKOLKVALITET_SAML_KEY_FILE, SKOLKVALITET_SAML_CERT_FILE  Our key and certificate (PEM):
                                 signed requests, encrypted assertions. Default: none.
    SKOLKVALITET_SAML_NAME       The IdP's name, e.g. "Skolfederation" (as for OIDC).
    SKOLKVALITET_SAML_EMAIL_ATTRIBUTE  Default mail.
    SKOLKVALITET_SAML_SUBJECT_ATTRIBUTE  An attribute naming the user instead of the NameID.
"""

from __future__ import annotations

import os
import re
import warnings
from datetime import timedelta as _timedelta
from pathlib import Path

import csp.constants as _csp
import dj_database_url

from skolkvalitet.config import keys as _keys


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent.parent  # src/skolkvalitet
VAR_DIR = Path(os.environ.get("SKOLKVALITET_VAR_DIR", Path.cwd() / "var")).resolve()

DEBUG = _env_bool("DEBUG")
# Empty when neither the environment nor a key file has one (run `skolkvalitet keys create`).
SECRET_KEY, _origin = _keys.key_read(_keys.SECRET_KEY, VAR_DIR)
SECRET_KEY_FROM_FILE = _origin == _keys.Origin.FILE
PSEUDONYM_KEY, _origin = _keys.key_read(_keys.PSEUDONYM_KEY, VAR_DIR)
PSEUDONYM_KEY_FROM_FILE = _origin == _keys.Origin.FILE
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "skolkvalitet.config",
    "skolkvalitet.organisation",
    "skolkvalitet.batches",
    "skolkvalitet.results",
    "skolkvalitet.ingest",
    "skolkvalitet.indicators",
    "skolkvalitet.reference",
    "skolkvalitet.quality",
    "skolkvalitet.publishing",
    "skolkvalitet.web",
    "skolkvalitet.api",
    "skolkvalitet.dashboards",
    "skolkvalitet.demo",
    "skolkvalitet.operations",
    "axes",
    # Two-factor login (web/two_factor/): TOTP authenticators and their recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # The job queue (imports, board documents) in the database; `skolkvalitet db_worker`
    # runs its jobs (docs/operations.md "The worker").
    "django_tasks",
    "django_tasks_db",
]
# Jobs run by the worker, on SQLite and PostgreSQL alike: one queue, taken in turn per
# organiser (skolkvalitet.organisation.job_turns).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Retention (gallring): `skolkvalitet retention` removes the pupil-level data of academic
# years that ended more than this many years ago; the organiser decides (docs/operations.md).
SKOLKVALITET_RETENTION_YEARS = int(os.environ.get("SKOLKVALITET_RETENTION_YEARS", "5"))

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # SAML's own session cookie (SameSite=None: the IdP posts its answer cross-site).
    "djangosaml2.middleware.SamlSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session has given a second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "skolkvalitet.web.middleware.SessionTimeoutMiddleware",
    # A code (or setting up an authenticator) before any page: web/two_factor/middleware.py.
    "skolkvalitet.web.two_factor.middleware.TwoFactorMiddleware",
    "skolkvalitet.web.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it answers a locked-out login with the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Login throttling and lockout (django-axes, docs/security.md "Logins"): after
# SKOLKVALITET_LOGIN_FAILURE_LIMIT wrong passwords for one username from one client address,
# that username is refused from that address for SKOLKVALITET_LOGIN_COOLOFF_MINUTES, even with
# the right password; a success before then starts the count again. `skolkvalitet axes_reset`
# (or axes_reset_username USERNAME) lifts lockouts.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Single sign-on (web/sso/): refuses passwords when SKOLKVALITET_PASSWORD_LOGIN=0, and
    # the OIDC and SAML logins, which answer only their own callbacks.
    "skolkvalitet.web.sso.passwords.PasswordLoginSwitch",
    "django.contrib.auth.backends.ModelBackend",
    "skolkvalitet.web.sso.oidc.OidcBackend",
    "skolkvalitet.web.sso.saml.SamlBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("SKOLKVALITET_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = _timedelta(
    minutes=int(os.environ.get("SKOLKVALITET_LOGIN_COOLOFF_MINUTES", "15"))
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "skolkvalitet.web.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "skolkvalitet.organisation.client_address.client_address"
# Single sign-on callbacks carry no username: not counted (web/sso/passwords.py).
AXES_WHITELIST_CALLABLE = "skolkvalitet.web.sso.passwords.is_single_sign_on_attempt"
AXES_VERBOSE = False  # the product logs failures itself (web/signals.py), without the password
SKOLKVALITET_PROXY_COUNT = int(os.environ.get("SKOLKVALITET_PROXY_COUNT", "0"))
# Two-factor login (django-otp, docs/security.md "Two-factor login"): the issuer authenticator
# apps show; after each wrong code the next try must wait 1, 2, 4, 8 ... seconds (the factor),
# counted on the device, for codes and recovery codes alike.
OTP_TOTP_ISSUER = "Skolkvalitet"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# API rate limits (api/throttling.py): requests per token, requests without a valid token per
# client address, and refused tokens per client address in an hour before the address gets
# 429 until the hour has passed.
SKOLKVALITET_API_RATE = os.environ.get("SKOLKVALITET_API_RATE", "600/m")
SKOLKVALITET_API_ANONYMOUS_RATE = os.environ.get("SKOLKVALITET_API_ANONYMOUS_RATE", "60/m")
# API tokens' lifetime: the default of a new token and the longest allowed (api/actions.py).
SKOLKVALITET_API_TOKEN_DAYS = int(os.environ.get("SKOLKVALITET_API_TOKEN_DAYS", "90"))
SKOLKVALITET_API_TOKEN_MAX_DAYS = int(os.environ.get("SKOLKVALITET_API_TOKEN_MAX_DAYS", "365"))
SKOLKVALITET_API_FAILED_TOKENS_PER_HOUR = int(
    os.environ.get("SKOLKVALITET_API_FAILED_TOKENS_PER_HOUR", "20")
)

# The page cache (dashboards/page_cache.py, docs/operations.md "Page cache"): rendered result
# pages, keyed by the data's version, so it is shared by every server process. "file" (the
# default: files 0600 in a 0700 directory under SKOLKVALITET_VAR_DIR), "database" (a table,
# after `skolkvalitet createcachetable`), a redis:// URL, or "off". The API's rate limits keep
# Django's default cache (per process). Cached pages hold figures of pupils: see
# docs/security.md.
SKOLKVALITET_PAGE_CACHE = os.environ.get("SKOLKVALITET_PAGE_CACHE", "file").strip()
# Seconds the materialisation spends rendering the pages ahead of the users (0: none).
SKOLKVALITET_PAGE_CACHE_WARM_SECONDS = float(
    os.environ.get("SKOLKVALITET_PAGE_CACHE_WARM_SECONDS", "60")
)
_PAGE_CACHE_DAYS = 7 * 24 * 3600  # a page ages out unread; a new data version replaces it
if SKOLKVALITET_PAGE_CACHE.startswith(("redis://", "rediss://", "unix://")):
    _page_cache: dict = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": SKOLKVALITET_PAGE_CACHE,
    }
elif SKOLKVALITET_PAGE_CACHE == "database":
    _page_cache = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "skolkvalitet_page_cache",
        "OPTIONS": {"MAX_ENTRIES": 40000},  # two per page: body, compressed
    }
elif SKOLKVALITET_PAGE_CACHE == "off":
    _page_cache = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
elif SKOLKVALITET_PAGE_CACHE == "file":
    _page_cache = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "page-cache"),
        "OPTIONS": {"MAX_ENTRIES": 40000},  # two per page: body, compressed
    }
else:
    raise ValueError(
        f"SKOLKVALITET_PAGE_CACHE={SKOLKVALITET_PAGE_CACHE!r}: file, database, off or redis://"
    )
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {"TIMEOUT": _PAGE_CACHE_DAYS, **_page_cache},
}

ROOT_URLCONF = "skolkvalitet.config.urls"
WSGI_APPLICATION = "skolkvalitet.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "skolkvalitet.web.context_processors.navigation",
            ],
            "libraries": {"sso": "skolkvalitet.web.sso.templatetags"},
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'skolkvalitet.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets readers work during imports; a 256 MiB page cache keeps index
            # maintenance of bulk fact writes in memory.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-262144;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    # Test database next to the real one, not in memory: the browser tests share it
    # with a live server thread. One per process, so that two test runs never share one.
    DATABASES["default"]["TEST"] = {
        "NAME": str(VAR_DIR / f"test_skolkvalitet_{os.getpid()}.sqlite3")
    }

elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # TCP keepalives (libpq's): the worker holds its jobs' turns as advisory locks on a
    # connection that stays idle while a job's process works, for minutes; without probes a
    # firewall or NAT between it and the server may drop the idle connection, and the turn
    # with it, unseen. A caller's own values in OPTIONS win.
    for name, value in {
        "keepalives": 1,
        "keepalives_idle": 60,
        "keepalives_interval": 10,
        "keepalives_count": 6,
    }.items():
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(name, value)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "login"

# The interface speaks Swedish whatever language the browser asks for (many Swedish users
# run English-language browsers); the English catalogue is the message ids themselves.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_THOUSAND_SEPARATOR = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"  # `collectstatic` (and `demo`) create and fill it
# Until then WhiteNoise serves through the finders; it need not warn that the folder is missing.
warnings.filterwarnings("ignore", message=re.escape(f"No directory at: {STATIC_ROOT}"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Security headers, cookies and sessions (docs/security.md "Web hardening"; the production
# settings: docs/operations.md "Production settings").
# Sessions: logged out after SKOLKVALITET_SESSION_IDLE_MINUTES without a request and after
# SKOLKVALITET_SESSION_MAX_HOURS in all (web/middleware.py), and when the browser closes (the
# session cookie has no expiry; a shared computer in a staff room is the case in mind).
SKOLKVALITET_SESSION_IDLE = int(os.environ.get("SKOLKVALITET_SESSION_IDLE_MINUTES", "30")) * 60
SKOLKVALITET_SESSION_MAX_AGE = int(os.environ.get("SKOLKVALITET_SESSION_MAX_HOURS", "8")) * 3600
SESSION_COOKIE_AGE = SKOLKVALITET_SESSION_MAX_AGE  # the stored session's expiry, as a backstop
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Only the app's own files: no inline script or handler (web/static/web/behaviours.js serves
# what templates declare with data- attributes), no eval (Vega runs its CSP-safe expression
# interpreter, web/static/web/charts.js), no inline style element (vega-embed's style is a
# file); style attributes are not used by the templates, and Vega and htmx set styles through
# the CSSOM, which style-src does not restrict. data: images for the empty favicon.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_csp.SELF],
        "script-src": [_csp.SELF],
        "style-src": [_csp.SELF],
        "img-src": [_csp.SELF, "data:"],
        "font-src": [_csp.SELF],
        "connect-src": [_csp.SELF],
        "object-src": [_csp.NONE],
        "base-uri": [_csp.SELF],
        "frame-ancestors": [_csp.NONE],
        "form-action": [_csp.SELF],
    }
}
# Behind TLS (SECURE_SSL=1): secure cookies, the HTTPS redirect and HSTS for
# SECURE_HSTS_SECONDS (a year) on the host and its subdomains. HSTS preload is off unless
# SECURE_HSTS_PRELOAD=1: entering the preload list binds the whole registered domain (often the
# municipality's, with other services under it) to HTTPS for browsers for months and is the
# domain owner's decision, so the app does not ask for it; check --deploy's reminder of it
# (security.W021) is silenced then. A TLS-terminating proxy is trusted to say the request came
# over HTTPS only when SECURE_PROXY_SSL_HEADER names its header (X-Forwarded-Proto), which the
# proxy must set on every request.
if _env_bool("SECURE_SSL"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = _env_bool("SECURE_HSTS_PRELOAD")
if not _env_bool("SECURE_HSTS_PRELOAD"):
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + os.environ["SECURE_PROXY_SSL_HEADER"].strip().upper().replace("-", "_"),
        "https",
    )

if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# EMAIL_BACKEND names another of Django's backends outright (e.g. the file backend with
# EMAIL_FILE_PATH for a test installation); without it, SMTP with EMAIL_HOST, else the console.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "").strip() or EMAIL_BACKEND
if os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "skolkvalitet@localhost")
SKOLKVALITET_SITE_URL = os.environ.get("SKOLKVALITET_SITE_URL", "").rstrip("/")
# Password reset by e-mail for users with a local password (web/users/password_reset.py,
# docs/security.md "Password reset"): off with SKOLKVALITET_PASSWORD_RESET=0 (single sign-on
# only); a link lasts SKOLKVALITET_PASSWORD_RESET_MINUTES; each client address may ask
# SKOLKVALITET_PASSWORD_RESET_PER_ADDRESS times an hour (then 429) and each e-mail address is
# sent at most SKOLKVALITET_PASSWORD_RESET_PER_EMAIL links an hour (then nothing is sent, the
# answer unchanged). The counts live in Django's cache, as the API's rate limits do.
SKOLKVALITET_PASSWORD_RESET = _env_bool("SKOLKVALITET_PASSWORD_RESET", True)
PASSWORD_RESET_TIMEOUT = int(os.environ.get("SKOLKVALITET_PASSWORD_RESET_MINUTES", "60")) * 60
SKOLKVALITET_PASSWORD_RESET_PER_ADDRESS = int(
    os.environ.get("SKOLKVALITET_PASSWORD_RESET_PER_ADDRESS", "10")
)
SKOLKVALITET_PASSWORD_RESET_PER_EMAIL = int(
    os.environ.get("SKOLKVALITET_PASSWORD_RESET_PER_EMAIL", "3")
)
# The organiser's logo on the board documents' title page: a PNG or SVG file (Word shows PNG).
SKOLKVALITET_LOGO = os.environ.get("SKOLKVALITET_LOGO", "")
SKOLKVALITET_REMINDER_DAYS = [
    int(days) for days in _env_list("SKOLKVALITET_REMINDER_DAYS", "14,2") if days.strip()
]

# Single sign-on (web/sso/, docs/security.md "Single sign-on", docs/operations.md "Single
# sign-on"): OpenID Connect through mozilla-django-oidc (OIDC_* are its settings) and SAML 2.0
# through djangosaml2; both map the provider's identity to an existing user (never create one).
SKOLKVALITET_PASSWORD_LOGIN = _env_bool("SKOLKVALITET_PASSWORD_LOGIN", True)
SKOLKVALITET_SSO_LINK_BY_EMAIL = _env_bool("SKOLKVALITET_SSO_LINK_BY_EMAIL", True)
SKOLKVALITET_OIDC_ISSUER = os.environ.get("SKOLKVALITET_OIDC_ISSUER", "").strip()
SKOLKVALITET_OIDC_NAME = os.environ.get("SKOLKVALITET_OIDC_NAME", "")
SKOLKVALITET_OIDC_EMAIL_VERIFIED_CLAIM = os.environ.get(
    "SKOLKVALITET_OIDC_EMAIL_VERIFIED_CLAIM", "email_verified"
)
OIDC_RP_CLIENT_ID = os.environ.get("SKOLKVALITET_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("SKOLKVALITET_OIDC_CLIENT_SECRET", "")
OIDC_RP_SCOPES = os.environ.get("SKOLKVALITET_OIDC_SCOPES", "openid email profile")
OIDC_RP_SIGN_ALGO = os.environ.get("SKOLKVALITET_OIDC_SIGN_ALGO", "RS256")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("SKOLKVALITET_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("SKOLKVALITET_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("SKOLKVALITET_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("SKOLKVALITET_OIDC_JWKS_URI", "")
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
OIDC_TIMEOUT = 10
OIDC_STORE_ID_TOKEN = False
OIDC_STORE_ACCESS_TOKEN = False
SKOLKVALITET_SAML_IDP_METADATA_FILE = os.environ.get("SKOLKVALITET_SAML_IDP_METADATA_FILE", "")
SKOLKVALITET_SAML_IDP_METADATA_URL = os.environ.get("SKOLKVALITET_SAML_IDP_METADATA_URL", "")
SKOLKVALITET_SAML_ENTITY_ID = os.environ.get("SKOLKVALITET_SAML_ENTITY_ID", "")
SKOLKVALITET_SAML_KEY_FILE = os.environ.get("SKOLKVALITET_SAML_KEY_FILE", "")
SKOLKVALITET_SAML_CERT_FILE = os.environ.get("SKOLKVALITET_SAML_CERT_FILE", "")
SKOLKVALITET_SAML_NAME = os.environ.get("SKOLKVALITET_SAML_NAME", "")
SKOLKVALITET_SAML_EMAIL_ATTRIBUTE = os.environ.get("SKOLKVALITET_SAML_EMAIL_ATTRIBUTE", "mail")
SKOLKVALITET_SAML_SUBJECT_ATTRIBUTE = os.environ.get("SKOLKVALITET_SAML_SUBJECT_ATTRIBUTE", "")
SAML_CONFIG_LOADER = "skolkvalitet.web.sso.saml.saml_config_loader"
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"  # no form to post
SAML_SESSION_COOKIE_NAME = "saml_session"
SAML_CREATE_UNKNOWN_USER = False

SKOLKVALITET_IMPORT_IN_BACKGROUND = _env_bool("SKOLKVALITET_IMPORT_IN_BACKGROUND", True)
SKOLKVALITET_DOCUMENTS_IN_BACKGROUND = _env_bool("SKOLKVALITET_DOCUMENTS_IN_BACKGROUND", True)
SKOLKVALITET_IMPORT_MAX_BYTES = int(os.environ.get("SKOLKVALITET_IMPORT_MAX_BYTES", 256 * 2**20))
SKOLKVALITET_IMPORT_MAX_ROWS = int(os.environ.get("SKOLKVALITET_IMPORT_MAX_ROWS", 5_000_000))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint reports each layout step at INFO and fontTools each subset: only problems.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "xmlschema": {"level": "WARNING"},  # pysaml2's schemas (single sign-on), at every start
    },
}

# --- Imports from the web UI in a process of their own (ingest/jobs.py, docs/operations.md
# "Imports in a separate process"). SKOLKVALITET_IMPORT_MEMORY_LIMIT_MB: the import process's
# resident memory, killed past it (its address space, RLIMIT_AS, is capped 1 GiB above), 0 for
# none; SKOLKVALITET_IMPORT_STALE_MINUTES: a job without progress for this long (or whose
# process is gone) ends failed and its upload is deleted.
SKOLKVALITET_IMPORT_MEMORY_LIMIT_MB = int(
    os.environ.get("SKOLKVALITET_IMPORT_MEMORY_LIMIT_MB", 4096)
)
SKOLKVALITET_IMPORT_STALE_MINUTES = int(os.environ.get("SKOLKVALITET_IMPORT_STALE_MINUTES", 60))
