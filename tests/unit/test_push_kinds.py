"""Every kind of push is one payload type with its renderer registered (bot/render/pushes.py),
its items, its dedupe key and its delivery; alerts stored before the union still read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.render.pushes import RENDERERS
from services.delivery.models import PUSH_KINDS, Alert, BiasPush, Delivery, RulePush
from services.kernel.alerts import AlertType


@pytest.mark.parametrize("kind", PUSH_KINDS, ids=lambda k: k.__name__)
def test_every_kind_of_push_has_its_renderer(kind: type) -> None:
    assert kind in RENDERERS


def test_every_alert_type_that_is_pushed_has_one_kind() -> None:
    kinds = {k.model_fields["kind"].default for k in PUSH_KINDS}
    assert kinds == set(AlertType) - {AlertType.FOLLOWUPS}  # a subscription, never a push


def test_dedupe_keys_tell_two_alerts_on_one_symbol_apart() -> None:
    assert BiasPush(calls=[]).dedupe_key("SOL") == "bias:SOL"
    assert RulePush(fires=[]).dedupe_key("1234") == "rule:1234"


def test_an_alert_stored_before_the_union_still_reads() -> None:
    stored = {
        "type": "bias_withdrawn",
        "started_at": datetime.now(UTC).isoformat(),
        "withdrawn": [{"symbol": "SOL", "was": "LONG", "now": "NEUTRAL"}],
    }
    alert = Alert.model_validate(stored)
    assert alert.type is AlertType.BIAS_WITHDRAWN
    assert alert.payload.delivery is Delivery.REPLY
    assert alert.only(["SOL"]).payload.items() == ["SOL"]
    assert alert.only(["BTC"]).payload.items() == []
