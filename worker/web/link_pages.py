"""The pages of a link that cannot be used, and the business of one that can (connect and owner links)."""

from __future__ import annotations

from aiohttp import web

from worker.connect.links import LinkProblem, LinkRefused
from worker.store.businesses import get_business
from worker.store.links import LinkKind
from worker.store.models import Business, utcnow
from worker.web.pages.parts import ConnectParts
from worker.web.pages.responses import problem


def link_problem(parts: ConnectParts, problem_: LinkProblem, kind: LinkKind = LinkKind.CONNECT) -> web.Response:
    name = "connect link" if kind is LinkKind.CONNECT else "owner link"
    hours = parts.context.settings.connect_link_ttl_hours
    pages = {
        LinkProblem.INVALID: (400, f"This {name} is not valid", "The link is incomplete or was changed. Copy the "
                              "whole link again, or ask for a new one."),
        LinkProblem.EXPIRED: (410, f"This {name} has expired", f"Connect links work for {hours} hours. Ask the "
                              "business that sent it to you for a new one." if kind is LinkKind.CONNECT else
                              "Owner links work for a few minutes. Make a new one."),
        LinkProblem.USED: (410, f"This {name} was already used", "A link works once. Ask the business that sent "
                           "it to you for a new one."),
        LinkProblem.REVOKED: (410, f"This {name} was withdrawn", "The business withdrew it. Ask them for a new "
                              "one."),
    }  # fmt: skip
    return problem(*pages[problem_])


async def granted_business(
    parts: ConnectParts, token: object, kind: LinkKind = LinkKind.CONNECT
) -> tuple[int, str | None, Business] | web.Response:
    """(link id, preselected site, business) of a usable link, or the page that says why not."""
    try:
        grant = await parts.links.read(token if isinstance(token, str) else None, now=utcnow(), kind=kind)
    except LinkRefused as refused:
        return link_problem(parts, refused.problem, kind)
    business = await get_business(parts.context.db, grant.business_id)
    if business is None:
        return link_problem(parts, LinkProblem.INVALID, kind)
    return grant.link_id, grant.site_id, business
