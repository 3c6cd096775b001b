"""The query registry (bot/queries.py): one entry is a chat command and an endpoint, and a
chat's words are read by the entry's parameters."""

from __future__ import annotations

import pytest

from bot.api.routes import API_ROUTES
from bot.queries import BY_NAME, QUERIES
from bot.registry import COMMANDS
from services.kernel.errors import ArgumentError

OI = BY_NAME["oi"]


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("SOL 4h", {"symbol": "SOL", "window": "4h"}),
        ("4H sol", {"symbol": "sol", "window": "4h"}),  # in any order, any case
        ("SOL", {"symbol": "SOL"}),  # the endpoint's default window
        ("", {"symbol": ""}),  # no symbol: the symbol's own "which coin?" answer
    ],
)
def test_a_chats_words_are_read_by_the_parameters(text: str, args: dict[str, str]) -> None:
    assert OI.chat_args(text) == args


@pytest.mark.parametrize("text", ["SOL 9y", "SOL BTC", "SOL 4h 1h"])
def test_a_word_that_fits_no_parameter_names_the_values_it_could_be(text: str) -> None:
    with pytest.raises(ArgumentError) as refused:
        OI.chat_args(text)
    assert refused.value.allowed == ["1h", "4h", "24h"]


def test_a_default_symbol_stands_in_for_none() -> None:
    assert BY_NAME["options"].chat_args(None) == {"symbol": "BTC"}
    assert BY_NAME["options"].chat_args("eth") == {"symbol": "eth"}


def test_every_entry_is_one_command_and_one_endpoint_asking_the_same_call() -> None:
    routes = {route.operation_id: route for route in API_ROUTES}
    commands = {spec.name: spec for spec in COMMANDS}
    for query in QUERIES:
        route = routes[query.operation_id]
        assert route.handler is query.call and route.model is query.model
        assert route.path in ("/" + query.name, "/" + query.name + "/{symbol}")
        assert commands[query.name].description == query.description
        assert commands[query.name].sample == query.sample  # in the fault matrix


def test_a_question_without_parameters_ignores_the_words_after_it() -> None:
    assert BY_NAME["sentiment"].chat_args("please now") == {}
    assert "fng" in next(spec for spec in COMMANDS if spec.name == "sentiment").aliases
