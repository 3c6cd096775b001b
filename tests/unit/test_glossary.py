"""Indonesian that reads like a trader wrote it: one word for each trading term, everywhere.

Every message the bot can send is checked in Indonesian (the whole catalog, not a sample): a
term of the glossary is written its one way, never left in English and never in a rival word
(`Entry`/`entri`, `wall`/`tembok`, `Inflow`/`arus masuk`, `nyala`/`aktif` were all seen side by
side). Placeholders, commands and code are not words and are skipped.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from aiogram.utils.i18n import I18n
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]

# English term (as it appears in a message) -> its one Indonesian word, and the words that
# must not stand in for it in Indonesian (the English one among them, where they differ).
GLOSSARY: dict[str, tuple[str, tuple[str, ...]]] = {
    "entry": ("entry", ("entri",)),
    "wall": ("tembok", ("wall",)),
    "inflow": ("arus masuk", ("inflow",)),
    "outflow": ("arus keluar", ("outflow",)),
    "push": ("kiriman", ("push", "pushes", "pushed")),
    "degraded": ("terganggu", ("degraded", "menurun")),
    "stale": ("lama", ("stale", "basi")),
    "on": ("aktif", ("nyala", "menyala", "nyalakan")),
    "off": ("nonaktif", ("mati", "matikan")),
    "greed": ("serakah", ("greed", "greedy")),
    "fear": ("takut", ("fear",)),
}
# Not words of the sentence: placeholders, commands, code, markup, setting names, and the
# index's own name ("Fear & Greed" is what alternative.me calls it, in every language).
NOT_WORDS = re.compile(r"\{[^}]*\}|/[a-z_]+|<code>.*?</code>|<[^>]+>|[A-Z_]{4,}|Fear & Greed")
# Terms whose English word always means the trading term (push is also a verb: "push the
# same way"; on/off are prepositions): an English message using one must use its word.
TERMS = ("entry", "wall", "inflow", "outflow", "degraded", "stale")


def catalog() -> list[tuple[str, str]]:
    with (ROOT / "locales/id/LC_MESSAGES/messages.po").open("rb") as f:
        found = read_po(f, locale="id")
    return [(str(m.id), str(m.string)) for m in found if m.id]


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", NOT_WORDS.sub(" ", text).lower()))


@pytest.mark.parametrize("term", list(GLOSSARY))
def test_every_indonesian_message_writes_the_term_one_way(term: str) -> None:
    _word, rivals = GLOSSARY[term]
    wrong = [
        (msgid, text)
        for msgid, text in catalog()
        if words(text) & set(rivals)
        # Sentiment labels come as "Fear"/"Greed" words of the index, translated on their own;
        # the check above catches them too.
    ]
    assert not wrong, f"'{term}' written another way in: {wrong[:3]}"


def test_a_message_using_a_term_in_english_uses_its_indonesian_word() -> None:
    """Where an English message says "wall", its Indonesian says "tembok" (not a paraphrase
    that drops the term a trader looks for). Whole words only: "on" inside "only" is not it."""
    missing = []
    for msgid, text in catalog():
        english = words(msgid)
        for term in TERMS:
            word = GLOSSARY[term][0]
            if term in english and word.split()[0] not in words(text):
                missing.append((term, msgid[:60], text[:60]))
    assert not missing, missing[:5]


def test_every_message_renders_in_indonesian(i18n: I18n) -> None:
    """Rendered through the bot's own i18n, not read off the file: every message is there."""
    with i18n.context(), i18n.use_locale("id"):
        untranslated = [
            msgid
            for msgid, _text in catalog()
            if i18n.gettext(msgid) == msgid and _has_words(msgid)
        ]
    assert not untranslated, untranslated[:5]


# Words Indonesian traders write as they are: a message of only these needs no translation.
SAME_IN_BOTH = {
    "entry", "long", "short", "bid", "ask", "tp", "r", "sniper", "whale", "ok", "status",
    "target", "bias", "stop", "trader", "volume", "interval", "skew", "median", "n", "level",
    "perpetual", "funding", "open", "interest", "watchlist",
}  # fmt: skip


def _has_words(msgid: str) -> bool:
    """Whether the message has any word that Indonesian would write differently."""
    return bool(words(msgid) - SAME_IN_BOTH - {w.lower() for w in re.findall(r"[A-Z]{2,}", msgid)})
