"""Every reason data can be missing, in words a trader reads, in both languages: no internal
code, the right vendor and setting, and "try again" only where a retry can help."""

from __future__ import annotations

import re

import pytest
from aiogram.utils.i18n import I18n

from bot.render.audience import operator_reading
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
        with operator_reading(True):  # a bot admin in a private chat: the setting's name
            no_key = reason_text(Reason.NO_KEY, "CoinGlass")
            coinapi = reason_text(Reason.NO_KEY, "CoinAPI")
        anyone = reason_text(Reason.NO_KEY, "CoinGlass")  # anyone else: who can fix it
        plan = reason_text(Reason.PLAN, "CoinGlass")
        limited = reason_text(Reason.RATE_LIMITED, "OKX", wait=39.6)
        server = reason_text(Reason.ERROR, "OKX")
        unreachable = reason_text(Reason.UNREACHABLE, "OKX")
        uncovered = reason_text(Reason.NOT_COVERED, "CoinGlass")
        trouble = reason_text(Reason.ERROR, "CoinGlass")
    assert "COINGLASS_API_KEY" in no_key and "COINAPI_API_KEY" in coinapi
    assert "API_KEY" not in anyone and "CoinGlass" in anyone
    assert ("ask the bot's operator" if locale == "en" else "operator bot") in anyone
    assert "CoinGlass" in plan
    # Our network, not OKX's trouble; a coin CoinGlass has no data for, not its trouble.
    assert ("this server cannot reach OKX" if locale == "en" else "server ini") in unreachable
    assert unreachable != server and uncovered != trouble
    assert "~40" in limited
    assert "40" not in server and limited.split(",")[0] not in server  # a 500 is not a 429


@pytest.mark.parametrize("reason", list(Reason), ids=str)
def test_try_again_only_where_a_retry_can_help(en: None, reason: Reason) -> None:
    text = render_unavailable(DataUnavailableError("etf", [("CoinGlass", reason)]))
    assert text.startswith("ETF flow data is unavailable right now: ")
    assert ("try again" in text) is (reason in RETRYABLE)
    # An operator's set-up, this server's network or another coin, not a minute's wait.
    assert (reason in RETRYABLE) is (
        reason
        not in {
            Reason.NO_KEY,
            Reason.PLAN,
            Reason.MISSING,
            Reason.DISABLED,
            Reason.UNREACHABLE,
            Reason.NOT_COVERED,
        }
    )


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("module", list(Module), ids=str)
def test_module_names_are_words(i18n: I18n, locale: str, module: Module) -> None:
    with i18n.context(), i18n.use_locale(locale):
        name = module_name(module.value)
    assert name and "_" not in name and name != module.value
