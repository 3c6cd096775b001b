"""Subscriptions on SQLite and PostgreSQL: set, list, chats going away, groups migrating."""

from __future__ import annotations

import pytest

from services.chats.subscriptions import SubscriptionService, parse_kinds
from services.kernel.alerts import AlertType
from services.kernel.errors import ArgumentError
from services.storage.db import Database

BIAS, SNIPER = AlertType.BIAS, AlertType.SNIPER


@pytest.mark.parametrize(
    ("text", "kinds"),
    [(None, [BIAS, SNIPER]), ("all", [BIAS, SNIPER]), ("Bias", [BIAS]), (" sniper ", [SNIPER])],
)
def test_kinds_argument(text: str | None, kinds: list[AlertType]) -> None:
    assert parse_kinds(text) == kinds


def test_unknown_kind_is_an_argument_error() -> None:
    with pytest.raises(ArgumentError):
        parse_kinds("everything")


@pytest.fixture
def subs(db: Database) -> SubscriptionService:
    return SubscriptionService(db)


async def test_subscribe_unsubscribe_and_who_receives(subs: SubscriptionService) -> None:
    await subs.set(428756321, [BIAS, SNIPER], active=True)
    await subs.set(-1001873456210, [SNIPER], active=True)
    await subs.set(428756321, [BIAS, SNIPER], active=True)  # twice is once
    assert await subs.of_chat(428756321) == [BIAS, SNIPER]
    assert await subs.subscribers(SNIPER) == [-1001873456210, 428756321]
    await subs.set(428756321, [SNIPER], active=False)
    assert await subs.of_chat(428756321) == [BIAS]
    assert await subs.subscribers(SNIPER) == [-1001873456210]


async def test_a_chat_that_went_away_gets_nothing_until_it_subscribes_again(
    subs: SubscriptionService,
) -> None:
    await subs.set(428756321, [BIAS], active=True)
    await subs.chat_gone(428756321, "kicked")
    assert await subs.subscribers(BIAS) == []
    await subs.set(428756321, [BIAS], active=True)  # unblocked and subscribed again
    assert await subs.subscribers(BIAS) == [428756321]


async def test_a_migrated_group_keeps_its_subscriptions_under_the_new_id(
    subs: SubscriptionService,
) -> None:
    await subs.set(-4187654321, [BIAS, SNIPER], active=True)
    await subs.chat_migrated(-4187654321, -1002233445566)
    assert await subs.of_chat(-1002233445566) == [BIAS, SNIPER]
    assert await subs.of_chat(-4187654321) == []


def test_only_the_subscribable_alert_types_can_be_subscribed_to() -> None:
    from services.chats.subscriptions import parse_kinds
    from services.kernel.alerts import AlertType
    from services.kernel.errors import ArgumentError

    assert parse_kinds("followups") == [AlertType.FOLLOWUPS]
    assert parse_kinds(None) == [AlertType.BIAS, AlertType.SNIPER]
    for internal in ("health", "sniper_edit", "bias_withdrawn"):
        with pytest.raises(ArgumentError) as refused:
            parse_kinds(internal)
        assert refused.value.allowed == ["bias", "sniper", "followups", "all"]
