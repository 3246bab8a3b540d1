"""Typed keys for what the composition root stores on the aiohttp application."""

from aiohttp import web

from worker.context import AppContext
from worker.web.intake import Intake

CONTEXT = web.AppKey("context", AppContext)
INTAKE = web.AppKey("intake", Intake)
