"""Typed keys for what the composition root stores on the aiohttp application."""

from aiohttp import web

from worker.context import AppContext
from worker.store.db import Database
from worker.web.intake import Intake
from worker.web.options import WebOptions

CONTEXT = web.AppKey("context", AppContext)
DATABASE = web.AppKey("database", Database)
INTAKE = web.AppKey("intake", Intake)
OPTIONS = web.AppKey("options", WebOptions)
