"""docs/configuration.md documents every setting with its real default, names no variable the bot
does not read, and lists exactly the commands of the command registry."""

from __future__ import annotations

import re
from pathlib import Path

from bot.registry import COMMANDS
from services.kernel.settings import Settings
from tests.unit.test_env_example import CONTRACT_NAMES

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "configuration.md"
ROW = re.compile(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|\s*([^|]*?)\s*\|", re.MULTILINE)


def section(text: str, heading: str) -> str:
    """From `heading` to the next heading of the same or a higher level."""
    level = heading.split(" ", 1)[0]
    start = text.index(f"\n{heading}\n")
    following = re.compile(rf"^#{{1,{len(level)}}} ", re.MULTILINE)
    found = following.search(text, start + len(heading) + 2)
    return text[start : found.start() if found else len(text)]


def documented() -> dict[str, str]:
    """Variable name -> its default cell, from the tables under "Environment variables"."""
    rows = ROW.findall(section(DOC.read_text(), "## Environment variables"))
    names = [name for name, _ in rows]
    assert len(names) == len(set(names)), "a variable is documented twice"
    return dict(rows)


def fields() -> set[str]:
    return {name.upper() for name in Settings.model_fields}


def test_every_setting_is_documented_and_nothing_else() -> None:
    names = set(documented())
    assert fields() - names == set(), "settings missing from docs/configuration.md"
    assert names - fields() == set(), "docs/configuration.md names variables Settings lacks"


def test_no_other_variable_is_named_anywhere_in_the_doc() -> None:
    named = set(re.findall(r"`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`", DOC.read_text()))
    assert named - fields() == set(), "docs/configuration.md names variables Settings lacks"


def test_documented_defaults_are_the_real_ones() -> None:
    for name, cell in documented().items():
        if name not in fields():
            continue  # the test above names it
        if cell.startswith("empty"):
            value = ""
        else:
            match = re.match(r"`([^`]*)`", cell)
            assert match, f"{name}: the default is neither `value` nor empty: {cell!r}"
            value = match[1]
        field = name.lower()
        parsed = Settings(_env_file=None, **{field: value})  # type: ignore[call-arg]
        default = Settings.model_fields[field].get_default(call_default_factory=True)
        assert getattr(parsed, field) == default, f"{name}: documented default {cell!r}"


def test_contract_names_are_in_the_contract_table() -> None:
    contract = set(ROW.findall(section(DOC.read_text(), "### Contract names")))
    assert {name for name, _ in contract} >= CONTRACT_NAMES


def test_command_table_is_the_registry() -> None:
    table = section(DOC.read_text(), "## Chat commands")
    names = set(re.findall(r"^\|\s*`/([a-z_]+)", table, flags=re.MULTILINE))
    assert names == {spec.name for spec in COMMANDS}
