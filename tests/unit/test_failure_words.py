"""Every reason data can be missing, in words a trader reads, in both languages: no internal
code, the right vendor and setting, and "try again" only where a retry can help."""

from __future__ import annotations

import re

import pytest
from aiogram.utils.i18n import I18n

from bot.render.errors import RETRYABLE, module_name, reason_text, render_unavailable
from services.kernel.errors import DataUnavailableError, Reason
from services.kernel.modules import Module

CODES = re.compile(r"\b[a-z]+_[a-z_]+\b")  # breaker_open, no_key, spot_ob, ...
LOCALES = ("en", "id")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("by", [None, "OKX", "CoinGlass", "CoinAPI"])
@pytest.mark.parametrize("reason", list(Reason), ids=str)
def test_every_reason_is_a_plain_phrase(
    i18n: I18n, locale: str, by: str | None, reason: Reason
) -> None:
    with i18n.context(), i18n.use_locale(locale):
        text = reason_text(reason, by)
    # No code (a setting's name is shown as one, on purpose: the operator sets it).
    assert text and not CODES.search(re.sub(r"<code>[A-Z_]+</code>", "", text))
    for word in ("error", "route", "breaker"):
        assert word not in text.lower()
    if by is not None and reason is not Reason.DISABLED:
        assert by in text  # whose fault (or whose key) it is
    if locale == "id":
        with i18n.context(), i18n.use_locale("en"):
            assert text != reason_text(reason, by)  # translated, not left in English


@pytest.mark.parametrize("locale", LOCALES)
def test_the_words_say_what_to_do(i18n: I18n, locale: str) -> None:
    with i18n.context(), i18n.use_locale(locale):
        no_key = reason_text(Reason.NO_KEY, "CoinGlass")
        coinapi = reason_text(Reason.NO_KEY, "CoinAPI")
        plan = reason_text(Reason.PLAN, "CoinGlass")
        limited = reason_text(Reason.RATE_LIMITED, "OKX", wait=39.6)
        server = reason_text(Reason.ERROR, "OKX")
    assert "COINGLASS_API_KEY" in no_key and "COINAPI_API_KEY" in coinapi
    assert "CoinGlass" in plan
    assert "~40" in limited
    assert "40" not in server and limited.split(",")[0] not in server  # a 500 is not a 429


@pytest.mark.parametrize("reason", list(Reason), ids=str)
def test_try_again_only_where_a_retry_can_help(en: None, reason: Reason) -> None:
    text = render_unavailable(DataUnavailableError("etf", [("CoinGlass", reason)]))
    assert text.startswith("ETF flow data is unavailable right now: ")
    assert ("try again" in text) is (reason in RETRYABLE)
    assert (reason in RETRYABLE) is (
        reason not in {Reason.NO_KEY, Reason.PLAN, Reason.MISSING, Reason.DISABLED}
    )


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("module", list(Module), ids=str)
def test_module_names_are_words(i18n: I18n, locale: str, module: Module) -> None:
    with i18n.context(), i18n.use_locale(locale):
        name = module_name(module.value)
    assert name and "_" not in name and name != module.value
