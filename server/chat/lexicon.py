"""The customer's words that are not product names, read once from `lexicon.toml` (data, not code).

Everything is folded (`model.fold`), so lookups compare folded text. Number words go through
text2num (Spanish, then English); the lexicon only adds the idioms ("media docena", "un par de").
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from text_to_num import text2num

from comandia.server.chat.model import fold

MAX_NUMBER = 999
_RUN = re.compile(r"([a-z])\1+")
_STRETCHED = re.compile(r"([a-z])\1\1|([a-z])\2$")
"""A word stretched as people type it: a letter three times, or the last one twice ("hiii",
"heyy"); not a double letter inside a word ("olla" is no "ola")."""
_STRETCHABLE = ("yes", "no", "greet")
"""The intents whose one-word phrases are said stretched ("nooo mejor 2", "siii", "holaaa") and read as
the word: "nooo" before a correction is the "no" that opens it, not a word off the menu."""
_POLITE = frozenset({"porfa", "porfis", "porfavor", "favor", "please", "gracias", "thanks"})
"""The polite words a customer stretches ("porfaaa", "plisss", "porfiss"): said once, they are these."""


@dataclass(frozen=True)
class Lexicon:
    fillers: frozenset[str]
    portions: frozenset[str]
    note_words: frozenset[str]
    """Words that say how a product comes and open its note with no "sin"/"bien" ("jugoso")."""
    cut_words: frozenset[str]
    """Words that say how a product is cut ("partido", "cortámelo", "cut"): before "en"/"in" they open its note."""
    vague: frozenset[str]
    """Words that name a product only vaguely ("agua mineral"): set apart, and what the rest names is asked."""
    add_ons: frozenset[str]
    """Category words of what goes on another item (toppings, extras, dips): never what "both" counts."""
    option_words: frozenset[str]
    """Flavours, sauces, sweetness and ice: they choose or qualify a product, never name one."""
    quantities: dict[str, int]
    """Folded phrase -> quantity; several-word phrases are matched before single words."""
    intents: dict[str, tuple[str, ...]]
    """Intent -> folded phrases (yes, no, thanks, handoff, cancel, remove, set, more, total, price, done;
    and the [questions] topics as ask_hours, ask_delivery, ask_menu…)."""
    english: frozenset[str]
    spanish: frozenset[str]
    either: frozenset[str]
    """Shorthand both languages write ("k"): no sign of either."""
    synonyms: dict[str, str]
    """Folded English word -> the folded Spanish words it also means ("large" -> "grande")."""
    backwards: dict[str, str]
    """`synonyms` read backwards, Spanish -> English ("grande" -> "large big", "alitas" -> "wings"),
    so a Spanish speaker reads an English menu; not the `one_way` words."""
    abbreviations: dict[str, str]
    faq_concepts: dict[str, str]
    """Folded word -> its FAQ group's first word: the words that ask the same of a tenant's FAQ."""
    """Folded chat shorthand -> the folded word it stands for ("q" -> "que", "xfa" -> "porfa")."""
    vocatives: frozenset[str] = frozenset()
    """Words a customer calls the person by after a greeting ("hola causa", "habla causa", "hey
    bro"), some of them also a dish's name (the Causa limeña): said to the person, never ordered."""
    for_several: frozenset[str] = frozenset()
    choice_words: frozenset[str] = frozenset()
    """Words of a description that say what is in the dish is chosen ("guisado a elegir")."""
    """Words of a product that say one serves several people ("familiar", "entero", "pizza"):
    "para 4 personas" after it leaves its count alone (`reading._for_the_people`)."""
    greeting_openers: frozenset[str] = frozenset()
    change_of_mind: frozenset[str] = frozenset()
    """Words that open a change of mind ("mejor", "actually", "prefiero"): what follows takes the place
    of something said before."""
    interjections: frozenset[str] = frozenset()
    """Words said to the person before what a message says ("oye", "oh", "ok"): they open a change of
    mind or a count and are neither."""
    """Single words that open a message as a greeting, before a vocative ("hola", "oe", "habla")."""
    delivery_words: frozenset[str] = frozenset()
    """Words that say where and how to deliver ("timbre", "portón", "gate", "pavilion"): a part of a
    message with one and no product ordered is the address's directions (`checkout_facts`)."""
    stretched: dict[str, str] = field(default_factory=dict)
    """A polite word or a greeting with every run of a letter as one -> the word ("hi" -> "hi" for
    "hiii", "hola" for "holaaa", "please" for "plisss")."""

    def spelled(self, word: str) -> str:
        """A folded word with chat shorthand written out ("q" -> "que", "por fa" -> "por favor"),
        and a polite word stretched as people type it said plainly ("porfaaa", "plisss", "porfiss",
        "graciass"); others unchanged (a run of letters in any other word is kept: "pizza")."""
        if word in self.abbreviations or word in self.fillers:
            return self.abbreviations.get(word, word)
        short = _RUN.sub(r"\1", word)
        plain = self.abbreviations.get(short, short)
        if short != word and plain in _POLITE:
            return plain
        return self.stretched.get(short, word) if _STRETCHED.search(word) else word

    def intent_phrases(self, intent: str) -> tuple[str, ...]:
        return self.intents.get(intent, ())


@cache
def lexicon() -> Lexicon:
    """The lexicon, read at first use (never at import)."""
    data = tomllib.loads(resources.files("comandia.server.chat").joinpath("lexicon.toml").read_text("utf-8"))
    intents = {name: tuple(sorted({fold(p) for p in phrases}, key=len, reverse=True))
               for name, phrases in data["intents"].items()}  # fmt: skip
    intents |= {f"ask_{name}": tuple(sorted({fold(p) for p in phrases}, key=len, reverse=True))
                for name, phrases in data["questions"].items()}  # fmt: skip
    synonyms = {fold(k): fold(v) for k, v in data["synonyms"].items()}
    return Lexicon(
        fillers=frozenset(fold(data["fillers"]).split()),
        portions=frozenset(fold(data["portions"]).split()),
        note_words=frozenset(fold(data["note_words"]).split()),
        cut_words=frozenset(fold(data["cut_words"]).split()),
        vague=frozenset(fold(data["vague"]).split()),
        add_ons=frozenset(fold(data["add_ons"]).split()),
        option_words=frozenset(fold(data["option_words"]).split()),
        quantities={fold(k): int(v) for k, v in data["quantities"].items()},
        intents=intents,
        english=frozenset(fold(data["language"]["english"]).split()),
        spanish=frozenset(fold(data["language"]["spanish"]).split()),
        either=frozenset(fold(data["language"]["either"]).split()),
        synonyms=synonyms,
        backwards=_backwards(synonyms, frozenset(fold(data["one_way"]).split())),
        abbreviations={fold(k): fold(v) for k, v in data["abbreviations"].items()},
        faq_concepts={w: fold(group).split()[0] for group in data["faq_groups"] for w in fold(group).split()},
        vocatives=frozenset(fold(data["vocatives"]).split()),
        greeting_openers=frozenset(fold(data["greeting_openers"]).split()),
        change_of_mind=frozenset(fold(data["change_of_mind"]).split()),
        interjections=frozenset(fold(data["interjections"]).split()),
        for_several=frozenset(fold(data["for_several"]).split()),
        delivery_words=frozenset(fold(data["delivery_words"]).split()),
        choice_words=frozenset(fold(data["choice_words"]).split()),
        stretched={_RUN.sub(r"\1", p): p for i in _STRETCHABLE for p in intents[i] if " " not in p and p.isalpha()},
    )


def _backwards(synonyms: dict[str, str], one_way: frozenset[str]) -> dict[str, str]:
    """Each word of `synonyms`' meanings -> the words it is given for: "grande" is "large big"."""
    found: dict[str, list[str]] = {}
    for word, meanings in synonyms.items():
        for meaning in meanings.split():
            if meaning not in one_way and meaning != word and word not in found.setdefault(meaning, []):
                found[meaning].append(word)
    return {meaning: " ".join(words) for meaning, words in found.items()}


_NO_NUMBERS = frozenset({"ones"})
"""Words the number reader takes for a count that count nothing: "2 sweet ones" is two, the
"ones" standing for the tamales (read as one, a tamal verde came on top, silently)."""


@cache
def number(word: str) -> int | None:
    """A folded word as a whole number: digits, "x3"/"3x", or a Spanish or English number word."""
    if word.isascii() and word.isdigit():
        return int(word) if len(word) <= 3 else None
    if len(word) > 1 and word.isascii() and word.startswith("x") and word[1:].isdigit() and len(word) <= 4:
        return int(word[1:])
    if len(word) > 1 and word.isascii() and word.endswith("x") and word[:-1].isdigit() and len(word) <= 4:
        return int(word[:-1])
    if not word.isalpha() or len(word) < 3 or word in _NO_NUMBERS:
        return None
    for language in ("es", "en"):
        try:
            value = int(text2num(word, language))
        except ValueError:
            continue
        return value if 0 < value <= MAX_NUMBER else None
    return None


_SPANISH_AFTER_I = re.compile(r"un|una|unos|unas|el|la|los|las|otro|otra|otros|otras|\d+")
"""What follows «i» typed for «y» ("i un boing d mango", "i 2 de suadero"), never the English "I"
("i'd like" is read «i de»)."""


def language_of(words: list[str]) -> str | None:
    """ "en" or "es" when the folded words clearly lean one way, else None (keep the current one)."""
    lex = lexicon()
    and_said = [at for at, w in enumerate(words[:-1]) if w == "i" and _SPANISH_AFTER_I.fullmatch(words[at + 1])]
    english = sum(w in lex.english for w in words) - len(and_said)
    spanish = sum(w in lex.spanish for w in words) + len(and_said)
    strong = sum(w in lex.english and len(w) >= 3 for w in words)  # "a", "no", "me" are Spanish too
    if (english >= 2 and english > spanish * 2) or (strong >= 1 and spanish == 0 and len(words) >= 3):
        return "en"
    if spanish >= 1 and spanish > english:
        return "es"
    return None
