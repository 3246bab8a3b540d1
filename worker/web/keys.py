"""Typed keys for what the composition root stores on the aiohttp application."""

from aiohttp import web

from worker.context import AppContext

CONTEXT = web.AppKey("context", AppContext)
