"""The Hellotext client against the fake: each answer becomes the outcome the delivery acts on."""

from __future__ import annotations

import aiohttp
import pytest

from connectors.errors import RemoteError
from connectors.hellotext.outcomes import Outcome, outcome_of
from sandboxes.hellotext.faults import Fault, ScriptedFault
from tests.hellotext.conftest import TOKEN, FakeHellotext


async def _outcome(fake: FakeHellotext, http: aiohttp.ClientSession, token: str = TOKEN,
                   wait: float = 2.0) -> tuple[Outcome, str]:  # fmt: skip
    try:
        await fake.client(http, token, wait).create_profile({"first_name": "Ana"})
    except RemoteError as error:
        return outcome_of(error), str(error)
    return Outcome.DELIVERED, ""


async def test_a_created_profile_is_delivered_with_its_id(
    fake_hellotext: FakeHellotext, http: aiohttp.ClientSession
) -> None:
    profile_id = await fake_hellotext.client(http).create_profile({"first_name": "Ana"})
    assert [p["id"] for p in fake_hellotext.oracle()["profiles"]] == [profile_id]


async def test_a_bad_token_is_auth_failed_and_never_shown(
    fake_hellotext: FakeHellotext, http: aiohttp.ClientSession
) -> None:
    outcome, message = await _outcome(fake_hellotext, http, token="ht_wrong_secret")
    assert outcome is Outcome.AUTH_FAILED
    assert "ht_wrong_secret" not in message
    with pytest.raises(RemoteError):
        await fake_hellotext.client(http, "ht_wrong_secret").check_token()
    await fake_hellotext.client(http).check_token()


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (Fault.RATE_LIMITED, Outcome.RETRY_AFTER),
        (Fault.SERVER_ERROR, Outcome.UNCERTAIN),
        (Fault.LOST, Outcome.UNCERTAIN),
    ],
)
async def test_faults_have_their_outcomes(
    fake_hellotext: FakeHellotext, http: aiohttp.ClientSession, fault: Fault, expected: Outcome
) -> None:
    fake_hellotext.faults.script.append(ScriptedFault(fault, path="/v1/profiles"))
    outcome, _ = await _outcome(fake_hellotext, http)
    assert outcome is expected


async def test_429_carries_retry_after(fake_hellotext: FakeHellotext, http: aiohttp.ClientSession) -> None:
    fake_hellotext.faults.retry_after = 42
    fake_hellotext.faults.script.append(ScriptedFault(Fault.RATE_LIMITED, path="/v1/profiles"))
    with pytest.raises(RemoteError) as caught:
        await fake_hellotext.client(http).create_profile({"first_name": "Ana"})
    assert getattr(caught.value, "retry_after", None) == 42.0


async def test_an_answer_later_than_the_timeout_is_uncertain(
    fake_hellotext: FakeHellotext, http: aiohttp.ClientSession
) -> None:
    fake_hellotext.faults.lost_hang_s = 1.0
    fake_hellotext.faults.script.append(ScriptedFault(Fault.LOST, path="/v1/profiles"))
    outcome, message = await _outcome(fake_hellotext, http, wait=0.3)
    assert (outcome, message) == (Outcome.UNCERTAIN, "create profile: no answer in time")
    assert len(fake_hellotext.oracle()["profiles"]) == 1  # it happened all the same


async def test_a_refused_event_goes_to_review_with_hellotext_s_explanation(
    fake_hellotext: FakeHellotext, http: aiohttp.ClientSession
) -> None:
    with pytest.raises(RemoteError) as caught:
        await fake_hellotext.client(http).track({"action": "order.shipped", "profile": "nobody12"})
    assert outcome_of(caught.value) is Outcome.REVIEW
    assert str(caught.value) == "track event: refused (422): invalid: profile not found (profile)"


async def test_an_unknown_action_goes_to_review(fake_hellotext: FakeHellotext, http: aiohttp.ClientSession) -> None:
    with pytest.raises(RemoteError) as caught:
        await fake_hellotext.client(http).track({"action": "order.teleported", "profile": "nobody12"})
    assert (outcome_of(caught.value), caught.value.status) == (Outcome.REVIEW, 404)
