"""structlog configuration. Log lines have stable event names (`ml.job.finished`) and never carry secrets.

Two nets, on every path a line can take: a processor masks any structlog field whose name says it holds a
secret, and `redact_text` masks what looks like one in any text (an `Authorization` or `Cookie` header line,
a Bearer credential, an API key, an ML token, a signed token, a secret query parameter). The second net runs
on structlog's values and exception text, and on every stdlib `logging` record (aiohttp's own error lines
echo the raw header of a malformed request, for example).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

SECRET_MARKERS = ("token", "secret", "password", "authorization", "api_key", "code_verifier", "cookie")
MASK = "***"
_HEADER = re.compile(r"(?i)\b((?:proxy-)?authorization|(?:set-)?cookie|x-api-key)(\s*[:=]\s*)[^\r\n]*")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[^\s'\",;]+")
_TOKENS = re.compile(
    r"\bmk_[A-Za-z0-9_-]{8,}"  # our API keys
    r"|\b(?:APP_USR|TG)-[A-Za-z0-9-]{6,}"  # ML access and refresh tokens
    r"|\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"  # signed tokens (JWT)
)
_PARAMS = re.compile(
    r"(?i)\b(access_token|refresh_token|client_secret|code_verifier|code|state|token|api_key|password|"
    r"meli_session|meli_connect)=[^&\s'\";]+"
)


def _is_secret(key: str) -> bool:
    lowered = key.lower()
    return any(marker in lowered for marker in SECRET_MARKERS) or lowered == "code"


def redact_text(text: str) -> str:
    """`text` with everything that looks like a credential masked."""
    text = _HEADER.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _TOKENS.sub(MASK, text)
    return _PARAMS.sub(lambda m: f"{m.group(1)}={MASK}", text)


def redact_secrets(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        if key != "event" and _is_secret(key):
            event_dict[key] = MASK
    return event_dict


def redact_values(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """The text net over every string value (messages, errors, formatted exceptions)."""
    for key, value in event_dict.items():
        if isinstance(value, str):
            event_dict[key] = redact_text(value)
    return event_dict


_FORMATTER = logging.Formatter()
_make_record = logging.getLogRecordFactory()


def _redacted_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
    """Every stdlib record (aiohttp, asyncio, alembic, ...) through the text net as it is made, so whatever
    handler writes it (ours, a test's, a library's) sees only the redacted message and traceback."""
    record = _make_record(*args, **kwargs)
    try:
        record.msg, record.args = redact_text(record.getMessage()), ()
    except (TypeError, ValueError):  # arguments that do not fit the message: masked whole rather than raised
        record.msg, record.args = redact_text(str(record.msg)), ()
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = redact_text(_FORMATTER.formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact_text(record.stack_info)
    return record


def configure_logging(level: str = "info", fmt: str = "json") -> None:
    renderer: Any = (
        structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    )
    logging.setLogRecordFactory(_redacted_record)
    logging.basicConfig(format="%(message)s", stream=sys.stderr, level=level.upper(), force=True)
    for noisy in ("alembic", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_secrets,
            structlog.processors.format_exc_info,
            redact_values,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)  # type: ignore[no-any-return]
