"""Settings, read from the environment (prefix ``LIFELINE_``) and an optional ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LIFELINE_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("data")
    # Trained models (the intent classifier); defaults to <data_dir>/models.
    model_dir: Path | None = None
    # Plain URLs are accepted (sqlite:///x.db, postgresql://u@h/db); the async driver is chosen
    # by ``async_database_url``. Empty means a SQLite file inside ``data_dir``.
    database_url: str = ""
    redis_url: str = ""
    secret_key: str = Field(default="dev-insecure-secret-key-change-me", min_length=32)
    # HMAC secret the exchange uses to sign customer identity tokens (HS256 JWT).
    customer_token_secret: str = Field(default="dev-customer-token-secret-change-me", min_length=32)
    customer_token_issuer: str = "exchange"  # noqa: S105 - an issuer name, not a secret
    exchange_backend: Literal["demo", "http"] = "demo"
    exchange_api_url: str = ""
    exchange_api_token: str = ""
    exchange_name: str = "DemoExchange"
    exchange_website: str = "https://www.demoexchange.com"
    support_email: str = "support@demoexchange.com"
    official_channels_file: Path | None = None
    public_base_url: str = "http://127.0.0.1:8000"
    languages: list[str] = ["en", "zh"]
    default_language: str = "en"
    session_max_age_seconds: int = 8 * 3600
    login_max_failures: int = 5
    login_lockout_seconds: int = 15 * 60
    outbox_in_process: bool = True
    outbox_poll_seconds: float = 0.5
    outbox_max_attempts: int = 8
    log_json: bool = False
    max_request_bytes: int = 1_000_000
    max_upload_bytes: int = 55_000_000
    # Sites allowed to embed the chat widget in a frame (CSP frame-ancestors).
    widget_allowed_origins: list[str] = []
    rate_limits_enabled: bool = True
    # Outgoing email (sent through the outbox). Empty host: emails are kept in the outbox log.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_from: str = "DemoExchange Support <support@demoexchange.com>"
    freeze_code_ttl_seconds: int = 15 * 60
    # Malware scanning of uploads with clamd (tcp://host:3310 or unix:///run/clamav/clamd.ctl).
    # Empty: no scanning. Unreachable clamd refuses uploads (503) unless fail-open is chosen.
    clamd_url: str = ""
    clamd_fail_open: bool = False
    clamd_timeout_seconds: float = 30.0
    # Inbound email: an SMTP server for mail to the support address(es). Port 0: off.
    smtp_ingress_host: str = "127.0.0.1"
    smtp_ingress_port: int = 0
    # Accepted recipients besides ``support_email``.
    smtp_ingress_addresses: list[str] = []
    smtp_ingress_max_bytes: int = 25_000_000
    # Check that inbound mail is from its From address (DKIM, or the trusted mail server's
    # Authentication-Results); unproven mail never joins an existing ticket.
    smtp_ingress_verify_senders: bool = True
    smtp_ingress_trusted_authserv_ids: list[str] = []
    # DNS resolvers for those checks ("host" or "host:port"); empty: the system's.
    dns_nameservers: list[str] = []
    # Telegram bot (long polling). Empty token: off.
    telegram_bot_token: str = ""
    # The bot's @username, for the account-linking links (https://t.me/<username>?start=...).
    telegram_bot_username: str = ""
    telegram_api_base: str = "https://api.telegram.org"
    telegram_poll_timeout_seconds: int = 25
    # Demo only: the help center lists the demo customers and mints their tokens on request.
    demo_sign_in: bool = False

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def sync_database_url(self) -> str:
        """The URL with a synchronous driver (Alembic's offline tooling, scripts)."""
        return _with_driver(self.resolved_database_url, sync=True)

    @property
    def async_database_url(self) -> str:
        return _with_driver(self.resolved_database_url, sync=False)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'lifeline.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


def _with_driver(url: str, *, sync: bool) -> str:
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError(f"not a database URL: {url!r}")
    base = scheme.split("+", 1)[0]
    if base == "sqlite":
        return f"sqlite://{rest}" if sync else f"sqlite+aiosqlite://{rest}"
    if base in {"postgresql", "postgres"}:
        return f"postgresql+psycopg://{rest}" if sync else f"postgresql+asyncpg://{rest}"
    raise ValueError(f"unsupported database: {base!r} (use sqlite or postgresql)")


@lru_cache
def get_settings() -> Settings:
    return Settings()
