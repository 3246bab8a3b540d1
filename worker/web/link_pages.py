"""The pages of a link that cannot be used, and the business of one that can (connect and owner links)."""

from __future__ import annotations

from aiohttp import web

from worker.clock import utcnow
from worker.connect import messages
from worker.connect.links import LinkProblem, LinkRefused
from worker.store.businesses import get_business
from worker.store.links import LinkKind
from worker.store.models import Business
from worker.web.pages.parts import ConnectParts
from worker.web.pages.responses import problem


def link_problem(parts: ConnectParts, problem_: LinkProblem, kind: LinkKind = LinkKind.CONNECT) -> web.Response:
    return problem(*messages.link_problem(problem_, kind, parts.options.links.connect_link_ttl_hours))


async def granted_business(
    parts: ConnectParts, token: object, kind: LinkKind = LinkKind.CONNECT
) -> tuple[int, str | None, Business] | web.Response:
    """(link id, preselected site, business) of a usable link, or the page that says why not."""
    try:
        grant = await parts.links.read(token if isinstance(token, str) else None, now=utcnow(), kind=kind)
    except LinkRefused as refused:
        return link_problem(parts, refused.problem, kind)
    business = await get_business(parts.db, grant.business_id)
    if business is None:
        return link_problem(parts, LinkProblem.UNKNOWN, kind)
    return grant.link_id, grant.site_id, business
