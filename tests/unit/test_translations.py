"""Indonesian has one source: the ID table in tools/id_translations.py. `make messages`
writes it into locales/id; this test fails when the catalog and the table disagree (a hand
edit to the .po that the next `make messages` would lose, or a string left untranslated)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def table() -> dict[str, str]:
    spec = importlib.util.spec_from_file_location(
        "id_translations", ROOT / "tools/id_translations.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.ID)


def test_the_indonesian_catalog_is_exactly_the_translation_table() -> None:
    with (ROOT / "locales/id/LC_MESSAGES/messages.po").open("rb") as f:
        catalog = read_po(f, locale="id")
    ids = table()
    untranslated = [str(m.id) for m in catalog if m.id and str(m.id) not in ids]
    edited = [
        str(m.id) for m in catalog if m.id and str(m.id) in ids and m.string != ids[str(m.id)]
    ]
    assert not untranslated, f"add these to tools/id_translations.py: {untranslated[:5]}"
    assert not edited, (
        f"the .po differs from tools/id_translations.py (edit the table): {edited[:5]}"
    )
