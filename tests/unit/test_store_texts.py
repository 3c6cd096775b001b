"""What users and admins read about a store outage, in English and Indonesian: plain words, no
driver text, no internal names beyond the store's own."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.render.alerts import render_health
from bot.render.errors import render_storage_unavailable
from services.delivery.models import HealthNotice


def notice(store: str, healthy: bool) -> HealthNotice:
    return HealthNotice(job=store, healthy=healthy, failing=[], at=datetime.now(UTC), store=store)


@pytest.mark.usefixtures("en")
def test_english() -> None:
    assert render_storage_unavailable(writing=True) == (
        "Couldn't save that right now; please try again in a minute."
    )
    assert "try again in a minute" in render_storage_unavailable(writing=False)
    assert render_health(notice("redis", False)).startswith("⚠️ Redis is not answering")
    assert render_health(notice("redis", True)).startswith("✅ Redis answers again")
    assert render_health(notice("database", True)).startswith("✅ The database answers again")


@pytest.mark.usefixtures("id_")
def test_indonesian() -> None:
    assert render_storage_unavailable(writing=True).startswith("Tidak bisa menyimpannya")
    assert render_storage_unavailable(writing=False).startswith("Tidak bisa membaca")
    assert "Redis tidak menjawab" in render_health(notice("redis", False))
    assert "Redis menjawab lagi" in render_health(notice("redis", True))
    assert "Database menjawab lagi" in render_health(notice("database", True))
