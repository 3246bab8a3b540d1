"""Another site cannot start a sign-in in a merchant's browser, and a sign-in that comes back to a browser that
did not start it links nothing unless that browser says so.

The attack: an outsider with their own connect link makes a merchant's browser post it (a cross-site form), or
starts a sign-in and gets the merchant to finish it at Mercado Libre; the merchant's seller would then flow
into the outsider's business. `POST /connect/start` used to answer such a post 303 to ML.
"""

from __future__ import annotations

from tests.connect.conftest import Stack, form_field, open_browser, stack
from tests.connect.test_connect_flow import heading
from worker.store.accounts import list_accounts
from worker.store.businesses import create_business

__all__ = ["stack"]


async def oauth_states(stack: Stack) -> list[bytes]:
    return [key async for key in stack.context.redis.scan_iter(match=f"{stack.settings.queue_name}:oauth-state:*")]


async def test_a_cross_site_post_of_an_outsiders_link_starts_nothing(stack: Stack) -> None:
    outsider, _ = await create_business(stack.context.db, "Outsider", "CO")
    assert outsider.id is not None
    token = await stack.connect_token(outsider.id)
    async with open_browser(stack) as attacker:
        csrf = form_field((await attacker.get("/connect", params={"token": token})).text, "csrf")
    async with open_browser(stack) as merchant:
        own_page = await merchant.get("/connect", params={"token": token})  # the merchant's own cookie and form
        own_csrf = form_field(own_page.text, "csrf")
        forms = {
            "no token": await merchant.post("/connect/start", data={"token": token, "site": "MCO"}),
            "another browser's token": await merchant.post(
                "/connect/start", data={"token": token, "site": "MCO", "csrf": csrf}
            ),
            "from another origin": await merchant.post(
                "/connect/start", data={"token": token, "csrf": own_csrf}, headers={"Origin": "https://evil.example"}
            ),
            "cross-site fetch": await merchant.post(
                "/connect/start", data={"token": token, "csrf": own_csrf}, headers={"Sec-Fetch-Site": "cross-site"}
            ),
        }

    assert {name: page.status for name, page in forms.items()} == dict.fromkeys(forms, 403)
    assert heading(forms["from another origin"].text) == "This form came from another site"
    assert await oauth_states(stack) == []


async def test_a_sign_in_finished_in_another_browser_is_asked_and_can_be_refused(stack: Stack) -> None:
    outsider, _ = await create_business(stack.context.db, "Outsider", "CO")
    assert outsider.id is not None
    victim = (await stack.sandbox.sellers())["MCO"]
    async with open_browser(stack) as attacker:
        authorization = await attacker.start(await stack.connect_token(outsider.id))
    async with open_browser(stack) as merchant:
        callback = await merchant.at_ml(authorization, victim["login"])  # the merchant signs in and allows
        asked = await merchant.back(callback)
        fields = {name: form_field(asked.text, name) for name in ("confirmation", "csrf")}
        cancelled = await merchant.post("/connect/confirm", data={**fields, "decision": "cancel"})
        replayed = await merchant.post("/connect/confirm", data={**fields, "decision": "connect"})

    assert asked.status == 200 and heading(asked.text) == f"Connect {victim['nickname']} to Outsider?"
    assert cancelled.status == 200 and heading(cancelled.text) == "Nothing was connected"
    assert replayed.status == 400 and heading(replayed.text) == "This sign-in is no longer valid"
    assert await list_accounts(stack.context.db, outsider.id) == []
