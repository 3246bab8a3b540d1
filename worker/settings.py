"""Typed settings, read from MELI_* environment variables and an optional .env file.

One `Settings` object is built by the CLI (the composition root) and passed down; nothing reads the
environment anywhere else.
"""

from __future__ import annotations

from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from worker import redis_keys
from worker.errors import ConfigError

# Values that ship as local defaults. They are fine on a laptop and refused in production.
DEV_CLIENT_ID = "1234567890123456"
DEV_CLIENT_SECRET = "sandbox-client-secret"  # noqa: S105 - a documented placeholder, not a credential
DEV_SECRET_KEY = "dev-only-signing-key-change-me"  # noqa: S105
DEV_ENCRYPTION_KEY = "ZGV2LW9ubHktZmVybmV0LWtleS1jaGFuZ2UtbWUtMDA="  # Fernet key, placeholder

Environment = Literal["development", "test", "production"]
Network = IPv4Network | IPv6Network
MIN_SIGNING_KEY_BYTES = 32
MIN_SIGNING_KEY_SYMBOLS = 16  # distinct characters: a random key of 32+ bytes has far more, a phrase fewer


def weak_signing_key(key: str) -> bool:
    """Shorter than 32 bytes, or too few distinct characters to be random (a word repeated, a short phrase)."""
    return len(key.encode()) < MIN_SIGNING_KEY_BYTES or len(set(key)) < MIN_SIGNING_KEY_SYMBOLS


def _split(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """Everything the web and worker processes need to know about their surroundings."""

    model_config = SettingsConfigDict(env_prefix="MELI_", env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: Environment = "development"
    database_url: str = "sqlite+aiosqlite:///./meli.db"
    redis_url: str = "redis://127.0.0.1:6379/0"
    queue_name: str = Field("meli:queue", description="arq queue name; lets several deployments share Redis")

    ml_client_id: str = DEV_CLIENT_ID
    ml_client_secret: SecretStr = SecretStr(DEV_CLIENT_SECRET)
    ml_redirect_uri: str = "http://127.0.0.1:8080/oauth/callback"
    ml_api_base_url: str = "https://api.mercadolibre.com"
    mp_api_base_url: str = Field(
        "https://api.mercadopago.com", description="Mercado Pago's API, where payments are read with the seller's token"
    )
    ml_auth_base_url: str | None = Field(
        None, description="Overrides the per-site auth hosts (auth.mercadolibre.com.XX), e.g. for the sandbox"
    )

    ml_timeout_seconds: float = Field(10.0, gt=0, description="Timeout of one ML API request")
    ml_app_rate: float = Field(100.0, gt=0, description="ML requests per second for the whole app")
    ml_seller_rate: float = Field(20.0, gt=0, description="ML requests per second per seller")
    track_delivered: bool = Field(False, description="Also emit order.delivered (opt-in)")
    track_products: bool = Field(False, description="Also emit product.purchased per order item (opt-in)")
    database_pool_size: int = Field(
        15, ge=1, le=200, description="PostgreSQL connections one process keeps (+5 at peaks); mind max_connections"
    )
    worker_concurrency: int = Field(50, ge=1, le=1000, description="Jobs one worker process runs at once")
    event_loop: Literal["uvloop", "asyncio"] = Field(
        "uvloop", description="Event loop of `meli serve` and `meli worker` (uvloop when installed, else asyncio)"
    )
    worker_metrics_port: int = Field(9108, ge=0, le=65535, description="Worker /metrics and /healthz port; 0 = off")
    worker_metrics_host: str = Field(
        "127.0.0.1", description="Where the worker's /metrics and /healthz listen (0.0.0.0 in a container)"
    )
    worker_shutdown_seconds: int = Field(
        25, ge=0, le=3600, description="On SIGTERM/SIGINT the worker takes no new job and lets running jobs finish "
        "for this long, then cancels the rest (they are retried); 0: cancel at once"
    )  # fmt: skip
    inbox_requeue_seconds: float = Field(
        60.0, gt=0, description="A seller whose due inbox rows wait this long lost its drain: the sweeper asks again"
    )
    inbox_max_tries: int = Field(8, ge=1, le=50, description="Times a notification is tried before it fails")
    refetch_first_pause_seconds: float = Field(
        60.0, gt=0, le=86400, description="An order that lacked a related document is synced again after this long "
        "(first retry; each next one waits 4 times longer, at most 6 hours)"
    )  # fmt: skip
    refetch_max_attempts: int = Field(8, ge=1, le=50, description="Syncs of such an order before it waits for a person")
    inbox_retention_days: int = Field(
        30, ge=1, le=3650, description="Delete done and ignored inbox rows older than this (`meli explain` shows "
        "the rest); pending, parked and failed rows are kept"
    )  # fmt: skip

    backfill_on_connect: bool = Field(True, description="Import a seller's past orders when it connects")
    backfill_recent_days: int = Field(90, ge=1, le=3650, description="First import phase: the last N days")
    backfill_depth_days: int = Field(365, ge=1, le=3650, description="Second phase: back to N days ago")
    backfill_offset_cap: int = Field(1000, ge=50, le=100_000, description="Largest offset ML's order search serves")
    backfill_concurrency: int = Field(8, ge=1, le=64, description="Orders one backfill syncs at the same time")
    backfill_slice_seconds: float = Field(30.0, gt=0, le=240, description="A backfill job yields after this long")
    backfill_seller_rate: float = Field(10.0, gt=0, description="ML requests per second per seller for bulk work")
    backfill_search_cancelled: bool = Field(False, description="Also search order.status=cancelled separately")
    bulk_max_jobs: int = Field(2, ge=1, le=100, description="Backfill/re-sync jobs running at once, all workers")
    reconcile_lookback_hours: float = Field(48.0, gt=0, le=24 * 90, description="Re-sync orders updated this recently")
    reconcile_every_minutes: int = Field(60, ge=0, le=1440, description="Re-sync interval; 0 = off")
    missed_feeds_every_minutes: int = Field(10, ge=0, le=1440, description="Read /missed_feeds this often; 0 = off")

    hellotext_api_base_url: str = Field("https://api.hellotext.com", description="Hellotext's API (events go there)")
    hellotext_timeout_seconds: float = Field(10.0, gt=0, le=120, description="Timeout of one Hellotext request")
    hellotext_lane_batch: int = Field(200, ge=1, le=5000, description="Deliveries one business's lane reads at once")
    hellotext_lane_width: int = Field(32, ge=1, le=256, description="Orders of one business delivered at once")
    hellotext_lane_budget_seconds: float = Field(
        60.0, ge=0, le=500, description="How long one lane job keeps delivering while work keeps coming"
    )
    hellotext_lane_linger_seconds: float = Field(
        3.0, ge=0, le=60, description="How long a lane job waits for new work before ending (the sweep runs every 2 s)"
    )
    hellotext_max_lanes: int = Field(
        8, ge=1, le=1000, description="Businesses' lanes delivering at once, all workers, to Hellotext and "
        "(a pool apart) to outbound webhooks: an outage of either holds at most that many worker slots"
    )  # fmt: skip
    outbound_webhooks_allow_local: bool = Field(
        False, description="Outbound webhook URLs may use http and loopback, private or link-local addresses "
        "(tests, the demo); otherwise https to public addresses only"
    )  # fmt: skip
    outbound_webhook_timeout_seconds: float = Field(5.0, gt=0, le=30, description="Timeout of one outbound webhook")

    webhook_path_secret: SecretStr | None = Field(
        None, description="Register /webhooks/mercadolibre/<secret> at ML: the bare path and other secrets get 404"
    )
    webhook_allowed_networks: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Networks (CIDR, comma separated) allowed to post notifications; empty: any"
    )
    trusted_proxies: int = Field(
        0, ge=0, le=5, description="Reverse proxies in front of the web process: the client address is read from "
        "X-Forwarded-For that many hops from the right; 0: the peer address"
    )  # fmt: skip
    webhook_seller_rate: float = Field(
        2.0, gt=0, description="Notifications per second per seller (and web process) that become a fetch each; "
        "the rest are kept as throttled and covered by a catch-up re-sync"
    )  # fmt: skip
    webhook_seller_burst: int = Field(20, ge=1, le=10_000, description="Burst of the per-seller intake budget")
    inbox_max_pending_per_seller: int = Field(
        1000, ge=1, le=1_000_000, description="Pending rows one seller may have; further notifications are throttled"
    )
    inbox_attempt_budget: int = Field(
        10, ge=1, le=100, description="Failed ML calls (5xx, 429, timeouts) one inbox row may cost, client "
        "retries and job tries together; then the row fails"
    )  # fmt: skip
    suspect_not_found_burst: int = Field(
        5, ge=1, le=1000, description="404/403 answers for one seller within a minute that put its notifications "
        "under suspicion: they are verified by a catch-up orders search instead of one GET each"
    )  # fmt: skip
    catchup_interval_seconds: float = Field(
        1.0, gt=0, le=600, description="A seller's throttled notifications get a catch-up re-sync at most this often"
    )

    public_base_url: str = "http://127.0.0.1:8080"
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    secret_key: SecretStr = SecretStr(DEV_SECRET_KEY)
    token_encryption_keys: Annotated[list[SecretStr], NoDecode] = [SecretStr(DEV_ENCRYPTION_KEY)]
    connect_link_ttl_hours: int = Field(
        24, ge=1, le=2160, description="How long a connect link stays valid (it is spent by a successful connect)"
    )
    owner_link_ttl_minutes: int = Field(
        15, ge=1, le=1440, description="How long an owner link (a browser session over every account) stays valid"
    )
    connect_starts_per_link: int = Field(20, ge=1, le=10_000, description="Sign-ins one link may start per hour")
    connect_starts_per_address: int = Field(
        60, ge=1, le=100_000, description="Sign-ins one client address may start per hour"
    )
    api_auth_failures_per_minute: int = Field(
        10, ge=1, le=100_000, description="Wrong API keys one client address may send per minute before 429"
    )
    internal_host: str = Field("127.0.0.1", description="Where /healthz/details, /metrics and /openapi.json listen")
    internal_port: int = Field(
        9109, ge=0, le=65535, description="Port of the internal routes; 0: only on the public port with the token"
    )
    internal_token: SecretStr | None = Field(
        None, description="Bearer token that opens the internal routes on the public port too"
    )
    token_refresh_margin_seconds: int = Field(
        900, ge=0, le=86400, description="Refresh an access token this long before it expires"
    )

    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["json", "console"] = "json"

    @field_validator("ml_auth_base_url", "webhook_path_secret", "internal_token", mode="before")
    @classmethod
    def _empty_secret_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("token_encryption_keys", "webhook_allowed_networks", mode="before")
    @classmethod
    def _split_lists(cls, value: object) -> object:
        """Accept a comma-separated list (encryption keys: the first encrypts, every key decrypts)."""
        return _split(value)

    @field_validator("webhook_allowed_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for network in value:
            ip_network(network, strict=False)  # ValueError names the bad one
        return value

    @model_validator(mode="after")
    def _internal_port_apart(self) -> Settings:
        if self.internal_port and self.internal_port == self.web_port:
            raise ValueError("MELI_INTERNAL_PORT must differ from MELI_WEB_PORT (the internal routes are not public)")
        return self

    @property
    def allowed_networks(self) -> tuple[Network, ...]:
        return _networks(tuple(self.webhook_allowed_networks))

    @property
    def public_origin(self) -> str:
        """scheme://host[:port] of `public_base_url`, as browsers send it in `Origin`."""
        parts = urlsplit(self.public_base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def https_only(self) -> bool:
        """Production, or served over https: cookies are Secure and pages ask for HSTS."""
        return self.environment == "production" or self.public_base_url.startswith("https://")

    @field_validator("token_encryption_keys")
    @classmethod
    def _at_least_one_key(cls, value: list[SecretStr]) -> list[SecretStr]:
        if not value:
            raise ValueError("at least one token encryption key is required")
        return value

    @property
    def rate_limit_prefix(self) -> str:
        """Redis keys of the ML request budgets. ML counts requests per application, so deployments of one
        application share its budgets, and deployments of another application sharing the Redis do not."""
        return redis_keys.rate_limits(self.ml_client_id)

    def check_for_production(self) -> None:
        """Refuse to start production with placeholder or weak secrets, the sample client id, plain-http URLs
        or the SQLite default."""
        if self.environment != "production":
            return
        problems = [*self._placeholder_problems(), *self._url_problems()]
        if problems:
            raise ConfigError("refusing to start in production: " + "; ".join(problems))

    def _placeholder_problems(self) -> list[str]:
        problems = []
        if self.ml_client_id == DEV_CLIENT_ID:
            problems.append("MELI_ML_CLIENT_ID is the sample id")
        if self.ml_client_secret.get_secret_value() == DEV_CLIENT_SECRET:
            problems.append("MELI_ML_CLIENT_SECRET is the placeholder")
        secret_key = self.secret_key.get_secret_value()
        if secret_key == DEV_SECRET_KEY:
            problems.append("MELI_SECRET_KEY is the placeholder")
        elif weak_signing_key(secret_key):
            problems.append("MELI_SECRET_KEY must be 32+ random bytes (`meli keygen --signing`)")
        if any(key.get_secret_value() == DEV_ENCRYPTION_KEY for key in self.token_encryption_keys):
            problems.append("MELI_TOKEN_ENCRYPTION_KEYS contains the placeholder key")
        return problems

    def _url_problems(self) -> list[str]:
        urls = (("MELI_PUBLIC_BASE_URL", self.public_base_url), ("MELI_ML_REDIRECT_URI", self.ml_redirect_uri))
        problems = [f"{name} is not an https URL" for name, url in urls if not url.startswith("https://")]
        if self.database_url.startswith("sqlite"):
            problems.append("MELI_DATABASE_URL points at SQLite; production needs PostgreSQL")
        return problems


def one_server(base_url: str) -> dict[str, str]:
    """The settings that point every Mercado Libre / Mercado Pago URL at one server (an offline sandbox serves
    ML's API, its authorization pages and MP's payments), for `Settings.model_copy(update=...)`."""
    return {"ml_api_base_url": base_url, "ml_auth_base_url": base_url, "mp_api_base_url": base_url}


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, turning validation errors into a one-line ConfigError."""
    from pydantic import ValidationError

    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        name = f"setting MELI_{where.upper()}" if where else "settings"
        raise ConfigError(f"invalid {name}: {first['msg']}") from None
    settings.check_for_production()
    return settings


@lru_cache(maxsize=16)  # parsed once per list: every webhook request reads the allowed networks
def _networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ip_network(network, strict=False) for network in values)
