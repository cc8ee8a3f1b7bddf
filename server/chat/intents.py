"""What a message wants besides products: yes, no, thanks, a person, cancelling, a total or a price.

The phrases are data (`lexicon.toml` [intents]); here is only how they are looked for: a whole
message that is one of them (yes, no), a message made only of them and fillers (thanks), or a
phrase anywhere in the message on word boundaries (a person, cancelling, editing, questions).
"""

from __future__ import annotations

import re
from functools import cache

from comandia.server.chat.lexicon import lexicon
from comandia.server.chat.model import fold

_WORD = re.compile(r"[^\W_]+")
_SKIN_TONES = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f]")
"""Emoji skin-tone modifiers and the emoji presentation selector: 👍🏾 is 👍."""
_RUN = re.compile(r"(\w)\1+")


def normalised(text: str) -> str:
    """Folded words separated by one space, chat shorthand written out ("q" -> "que"); emojis
    and punctuation gone."""
    lex = lexicon()
    return " ".join(lex.spelled(w) for w in _WORD.findall(fold(text)))


def is_exactly(text: str, intent: str) -> bool:
    """Whether the whole message is one of the intent's phrases ("sí", "👍🏾", "nel"), also
    stretched or said twice as people type them ("siiii", "daleee", "yesss", "vale vale")."""
    phrases = lexicon().intent_phrases(intent)
    bare = _SKIN_TONES.sub("", fold(text)).strip(" .!¡¿?,")
    words = normalised(text)
    if bare in phrases or (bool(words) and words in phrases) or _without_fillers(words) in phrases:
        return True
    stretched = _stretched_phrases(intent)
    return any(said and said in stretched for said in (_unstretched(words), _unstretched(_without_fillers(words))))


def _unstretched(words: str) -> str:
    """The words with every run of a letter as one letter and a word said twice in a row said once
    ("siii siii" -> "si", "yesss" -> "yes"): a stretched word is the word."""
    kept: list[str] = []
    for word in _RUN.sub(r"\1", words).split():
        if not kept or kept[-1] != word:
            kept.append(word)
    return " ".join(kept)


@cache
def _stretched_phrases(intent: str) -> frozenset[str]:
    """The intent's phrases as `_unstretched` reads them ("all good" -> "al god")."""
    return frozenset(_unstretched(p) for p in lexicon().intent_phrases(intent))


def mentions(text: str, intent: str) -> str | None:
    """The first of the intent's phrases found in the message on word boundaries, or None."""
    words = f" {normalised(text)} "
    raw = fold(text)
    for phrase in lexicon().intent_phrases(intent):
        if phrase.endswith("*"):  # a stem: "cancel*" is "cancélemelo", "cancelen", "cancelar"…
            found = next((w for w in words.split() if w.startswith(phrase[:-1])), None)
            if found is not None:
                return found
            continue
        if phrase.isascii() and f" {phrase} " in words:
            return phrase
        if not phrase.isascii() and not phrase.replace(" ", "").isalnum() and phrase in raw:
            return phrase
    return None


def only(text: str, intent: str) -> bool:
    """Whether the message says nothing but the intent's phrases, fillers and emojis ("gracias jefe 🙏")."""
    lex = lexicon()
    words = normalised(text)
    for phrase in lex.intent_phrases(intent):
        words = f" {words} ".replace(f" {phrase} ", " ").strip()
    folded = fold(text)
    found = mentions(text, intent) is not None or any(p in folded for p in lex.intent_phrases(intent))
    return found and all(w in lex.fillers for w in words.split())


def without(text: str, intent: str) -> str:
    """The message's words without any of the intent's phrases ("lo mismo de nuevo porfa" -> "porfa")."""
    words = f" {normalised(text)} "
    for phrase in lexicon().intent_phrases(intent):
        words = words.replace(f" {phrase} ", " ")
    return words.strip()


def rest_after(text: str, phrase: str) -> str:
    """The message's words after `phrase` ("quítale la coca" -> "la coca")."""
    words = normalised(text)
    index = f" {words} ".find(f" {phrase} ")
    return words[index + len(phrase) :].strip() if index >= 0 else words


def rest_before(text: str, phrase: str) -> str:
    """The message's words before `phrase` ("la horchata cancélala" -> "la horchata")."""
    words = normalised(text)
    index = f" {words} ".find(f" {phrase} ")
    return words[: max(index - 1, 0)].strip() if index >= 0 else ""


def _without_fillers(words: str) -> str:
    lex = lexicon()
    kept = [w for w in words.split() if w not in lex.fillers or w in ("si", "no", "ya", "va", "ok", "dale")]
    return " ".join(kept)
