"""Intents (server/chat/intents.py): the phrases are looked up fast, and found as a plain scan finds them.

`mentions` and `only` look a message's runs of words up in each intent's prepared phrases instead
of searching the message for every phrase; what they answer must stay what the plain scan of the
lexicon's phrases, in its order, answers (the first phrase there wins, a stem gives the word).
"""

from __future__ import annotations

from comandia.server.chat.intents import mentions, normalised, only
from comandia.server.chat.lexicon import lexicon
from comandia.server.chat.model import fold
from tests.server.chat.corpus import PUBLIC, load_chats

CRAFTED = (
    "👍 sí, gracias", "ok 👍", "no ❌ mejor no", "gracias 🙏 jefe", "cancélemelo porfa", "anulen todo",
    "quiero hablar con una persona", "xq no me contestan", "q onda, el total?", "that's all thanks",
    "ya no quiero la coca, quítala", "mejor que sean 3", "  hola   buenas  ", "", "😊", "sí sí sí",
    "no gracias, eso es todo", "cuanto es el total con envio", "a que hora abren", "y el de cabeza cuanto?",
)  # fmt: skip


def scanned(text: str, intent: str) -> str | None:
    """The plain scan: every phrase in the lexicon's order, searched for in the message."""
    words = f" {normalised(text)} "
    for phrase in lexicon().intent_phrases(intent):
        if phrase.endswith("*"):
            found = next((w for w in words.split() if w.startswith(phrase[:-1])), None)
            if found is not None:
                return found
        elif (
            f" {phrase} " in words
            if phrase.isascii()
            else not phrase.replace(" ", "").isalnum() and phrase in fold(text)
        ):
            return phrase
    return None


def scanned_only(text: str, intent: str) -> bool:
    lex = lexicon()
    words = normalised(text)
    for phrase in lex.intent_phrases(intent):
        words = f" {words} ".replace(f" {phrase} ", " ").strip()
    found = scanned(text, intent) is not None or any(p in fold(text) for p in lex.intent_phrases(intent))
    return found and all(w in lex.fillers for w in words.split())


def test_mentions_and_only_answer_as_the_plain_scan() -> None:
    turns = [t for chat in load_chats(PUBLIC) for t in chat.turns]
    texts = [*CRAFTED, *turns[::12]]
    found = 0
    for text in texts:
        for intent in lexicon().intents:
            assert mentions(text, intent) == scanned(text, intent), (text, intent)
            assert only(text, intent) == scanned_only(text, intent), (text, intent)
            found += mentions(text, intent) is not None
    assert found >= 100  # the texts do say things: the comparison is not of None with None


def test_the_first_phrase_in_the_lexicons_order_wins() -> None:
    assert mentions("👍 ok", "yes") == scanned("👍 ok", "yes")
    assert mentions("cancélemelo", "cancel") == "cancelemelo"  # a stem gives the word said
    assert mentions("quiero la pizza", "handoff") is None
    assert only("gracias jefe 🙏", "thanks")
    assert not only("gracias, y una coca", "thanks")
