"""Catalogs: Babel .po files in locales/, compiled to .mo when missing or out of date."""

from __future__ import annotations

from pathlib import Path

from aiogram.utils.i18n import I18n
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"


def compile_catalogs(path: Path = LOCALES_DIR) -> None:
    """`make` compiles too; this keeps `python -m bot` working from a bare checkout."""
    for po in path.glob(f"*/LC_MESSAGES/{DOMAIN}.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source)
        with mo.open("wb") as target:
            write_mo(target, catalog)


def make_i18n(default_locale: str) -> I18n:
    compile_catalogs()
    return I18n(path=LOCALES_DIR, default_locale=default_locale, domain=DOMAIN)
