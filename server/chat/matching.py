"""Which product a customer's words name, and how sure we are (0 to 1).

Words are compared by a Spanish phonetic key (k/qu/c, s/z/c, h dropped, ll/y, b/v, doubled
letters, plural, diminutive and gender endings), then by rapidfuzz's similarity, so "kesadiya",
"bolcanes" and "suaderro" find their products. A product is scored by how much of what was
typed it explains and how much of its name (weighted by how rare each word is on the menu:
"taco" says little at a taquería, "pastor" says it all) was typed; its aliases count as names.
Words typed run together or split ("hotdog", "pas tor") are compared joined too.

A common word ("grande" on a menu of sizes) names hundreds of products; only the ones a reading
can use are scored in full (see `ProductIndex._score_until_irrelevant`), the others are ranked by
the most they could score and left out once that is too little to matter.

    high (>= ACCEPT, clearly ahead of the next)  -> taken
    middle (>= ASK) or a tie                      -> "¿Te refieres a …?"
    low                                           -> named back as not on the menu
"""

from __future__ import annotations

import itertools
import math
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar, cast

from rapidfuzz import fuzz, process

from comandia.server.chat.lexicon import lexicon
from comandia.server.chat.model import CatalogView, ProductView, fold

ACCEPT = 0.74
SURE = 0.9
"""Typed words this well explained (each one a name word, spelled nearly right) are taken at a
lower overall score: "flan" names "Flan napolitano" when no other product has a flan."""
ASK = 0.5
MARGIN = 0.08
WIDE_MARGIN = 0.15
EXACT = 1.1
_NAME_STOPWORDS = frozenset(["de", "del", "al", "la", "el", "los", "las", "y", "e", "en", "a", "the", "of", "and"])
"""Not "con"/"with": "Agua con gas" and "Agua sin gas" differ by it, so "agua" alone is asked about."""
_DIMINUTIVE = re.compile(r"(?:c|ec)?(?:it|ill)(?:o|a|os|as)$")
_WORDS = re.compile(r"[^\W_]+")


@lru_cache(maxsize=65536)
def key(word: str) -> str:
    """The phonetic key of a folded word: "quesadillas" and "kesadiya" share "kesadi"."""
    w = word
    if w.isdigit():
        return w
    if len(w) > 5 and w.endswith("z"):
        w = w[:-1] + "s"  # "sabritaz": a final z sounds s, and may be a plural's
    diminutive = _DIMINUTIVE.search(w) if len(w) > 5 else None
    if diminutive is not None and diminutive.start() >= 3:
        w = w[: diminutive.start()]  # "dorito" and "doritos" alike, not only the longer plural
    elif len(w) > 4 and w.endswith("ces"):
        w = w[:-1]  # "dulces", "lapices", "nueces": the singular ends in "ce" or "z", both keyed "s"
    elif len(w) > 4 and w.endswith("es") and w[-3] not in "aeiou":
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    w = w.replace("ch", "C").replace("sh", "C").replace("ll", "y").replace("qu", "k").replace("ph", "f")
    w = re.sub(r"c(?=[eiy])", "s", w).replace("c", "k")
    w = re.sub(r"g(?=[ei])", "j", w).replace("z", "s").replace("v", "b").replace("h", "").replace("w", "u")
    w = re.sub(r"y(?![aeiou])", "i", w)
    w = re.sub(r"(.)\1+", r"\1", w)
    if len(w) > 3 and w[-1] in "aeo":
        w = w[:-1]
    return w or word


QUARTER = re.compile(r"(?<![\d/])(?:1\s*[/\u2044]\s*4|\u00bc)(?![\d/])")
"""A quarter written as a fraction ("Helado 1/4 kg", "¼ de chipá"): read as the word "cuarto", in
a product's name as in what the customer types, so "1/4 de helado" is not one of 4 nor a "1"."""


def words(text: str) -> list[str]:
    if "/" in text or "\u00bc" in text:
        text = QUARTER.sub(" cuarto ", text)
    return _WORDS.findall(fold(text))


@dataclass(frozen=True)
class Match:
    product: ProductView
    score: float
    typed: float = 0.0
    """How much of what was typed the product's name explains (0 to 1)."""


@dataclass(frozen=True)
class _Name:
    product: ProductView
    keys: tuple[str, ...]
    weights: tuple[float, ...]
    joined: str
    weight: float
    sorted_keys: tuple[str, ...]
    pairs: tuple[tuple[str, float], ...]
    """(key, weight) of each of `keys`: the scoring loop reads them together."""
    shape: int
    """The same number for every name with the same `pairs` (the aliases "coca" and "refresco" of
    every Coca-Cola on the menu): such names score alike, so a reading works each share out once."""


_T = TypeVar("_T")

_Best = tuple[float, float, ProductView]
"""A product's best name so far: (score, share of the typed words explained, the product)."""


class ProductIndex:
    """A menu prepared for matching: every name and alias as weighted phonetic keys."""

    def __init__(self, catalog: CatalogView) -> None:
        names: list[tuple[ProductView, list[str]]] = []
        for product in catalog.products:
            for name in (product.name, *product.aliases):
                keys = [key(w) for w in words(name) if w not in _NAME_STOPWORDS]
                if keys:
                    names.append((product, keys))
                for i in range(len(keys) - 1):  # "hotdog" typed for "Hot dog"
                    names.append((product, [*keys[:i], keys[i] + keys[i + 1], *keys[i + 2 :]]))
        per_product: dict[str, set[str]] = {}
        for product, keys in names:
            per_product.setdefault(product.sku, set()).update(keys)
        frequency: dict[str, int] = {}
        for seen in per_product.values():
            for k in seen:
                frequency[k] = frequency.get(k, 0) + 1
        total = max(1, len(catalog.products))
        shapes: dict[tuple[tuple[str, float], ...], int] = {}
        self.names = [
            _Name(
                p, tuple(keys), weights, "".join(keys), sum(weights),
                tuple(sorted(keys)), pairs, shapes.setdefault(pairs, len(shapes)),
            )
            for p, keys in names
            for weights in [tuple(math.log(1 + total / frequency[k]) * _measure_weight(keys, i)
                                  for i, k in enumerate(keys))]
            for pairs in [tuple(zip(keys, weights, strict=True))]
        ]  # fmt: skip
        self.vocabulary = sorted(frequency)
        self._vocabulary_set = frozenset(frequency)
        self._comparable_keys: dict[tuple[int, int], list[str]] = {}
        self._head_keys = frozenset(keys[0] for _, keys in names)
        self._tail_keys = frozenset(keys[-1] for _, keys in names)
        self._joined = [entry.joined for entry in self.names]
        self._names_of: dict[str, list[int]] = {}
        """The positions a product is scored by: the first of its names of each shape. A later name of
        the same shape (its alias "coca cola" after its name "Coca-Cola") has the same keys, so the
        same score, and a product keeps the first of its best names: scoring it again changes nothing."""
        shaped: set[tuple[int, int]] = set()  # (the product's id, a name shape) scored already
        self._by_sorted_keys: dict[tuple[str, ...], list[int]] = {}
        for position, entry in enumerate(self.names):
            if (id(entry.product), entry.shape) not in shaped:
                shaped.add((id(entry.product), entry.shape))
                self._names_of.setdefault(entry.product.sku, []).append(position)
            self._by_sorted_keys.setdefault(entry.sorted_keys, []).append(position)
        spelled_so: dict[str, list[int]] = {}  # each distinct run-together spelling: the names spelled so
        for position, joined in enumerate(self._joined):
            spelled_so.setdefault(joined, []).append(position)
        by_length = sorted(spelled_so, key=lambda joined: (len(joined), spelled_so[joined][0]))
        self._by_length = by_length
        """Every distinct run-together spelling (a few hundred for thousands of names), shortest first."""
        self._spelled_positions = [spelled_so[joined] for joined in by_length]
        self._lengths = [len(joined) for joined in by_length]
        heaviest: dict[tuple[str, str], float] = {}  # (key, sku): the most the key weighs in a name
        for entry in self.names:
            in_name: dict[str, float] = {}
            for k, w in entry.pairs:
                in_name[k] = in_name.get(k, 0.0) + w / entry.weight
            for k, share in in_name.items():
                pair = (k, entry.product.sku)
                heaviest[pair] = max(heaviest.get(pair, 0.0), share)
        self._weights_by_key: dict[str, list[tuple[str, float]]] = {}
        for (k, sku), share in heaviest.items():
            self._weights_by_key.setdefault(k, []).append((sku, share))
        self._skus_by_key: dict[str, list[str]] = {}
        for sku, seen in per_product.items():
            for k in seen:
                self._skus_by_key.setdefault(k, []).append(sku)
        self._products = catalog.products
        self._catalog = catalog
        self._derived: dict[Callable[[CatalogView], Any], Any] = {}
        self._sku_pattern: re.Pattern[str] | None = None
        self._sku_names: dict[str, str] = {}
        self._rank = {p.sku: position for position, p in reversed(list(enumerate(catalog.products)))}
        self._similar: dict[str, dict[str, float]] = {}
        self._matches: dict[tuple[tuple[str, ...], bool, int], list[Match]] = {}
        spelled = [words(n) for p in catalog.products for n in (p.name, *p.aliases)]
        self.folded_words = frozenset(w for name in spelled for w in name)
        self.folded_pairs = frozenset(f"{a} {b}" for name in spelled for a, b in zip(name, name[1:], strict=False))
        self.folded_triples = frozenset(" ".join(name[i : i + 3]) for name in spelled for i in range(len(name) - 2))
        pair_words: dict[str, set[str]] = {}
        for name_words in spelled:
            for a, b in zip(name_words, name_words[1:], strict=False):
                pair_words.setdefault(f"{a} {b}", set()).update(name_words)
        self.pair_words = {pair: frozenset(said) for pair, said in pair_words.items()}
        """The words of every name that holds a pair ("2 kg": malla, de, naranjas, 2, kg)."""

    def derived(self, build: Callable[[CatalogView], _T]) -> _T:
        """What `build` makes of this menu, made at its first use and kept as long as the index (the
        menu unchanged): work other modules do over every product ("which products are a kind's
        generic one") is done once per menu, not on every turn that asks. `build` must depend on
        the menu alone, and give positions in `catalog.products` rather than the products: an
        equal menu read afresh shares this index, and its own product objects are the ones to answer."""
        if build not in self._derived:
            self._derived[build] = build(self._catalog)
        return cast(_T, self._derived[build])

    def knows(self, word: str) -> bool:
        """Whether a folded word is (exactly) a word of some product name or alias."""
        return word in self.folded_words

    def with_skus_named(self, text: str) -> str:
        """`text` with each typed SKU ("pz-pep", "3 x PZ-HAW") written as its product's name. Only
        SKUs that are not plain words count: a SKU "COCA" must not turn "coca de lata" into another."""
        if self._sku_pattern is None:
            coded = sorted((p.sku for p in self._products if not p.sku.isalpha()), key=len, reverse=True)
            self._sku_names = {fold(p.sku): p.name for p in self._products}
            alternatives = "|".join(re.escape(sku) for sku in coded) or r"(?!x)x"
            self._sku_pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)
        return self._sku_pattern.sub(lambda m: f" {self._sku_names.get(fold(m.group(0)), m.group(0))} ", text)

    def knows_key(self, word: str) -> bool:
        """Whether a folded word is a name word up to its phonetic key ("litros" for "litro")."""
        return key(word) in self._vocabulary_set

    def heads_a_name(self, word: str) -> bool:
        """Whether a folded word is, up to its phonetic key, the first word of some name or alias
        ("tostaditas" for "Tostada de camarón"; not "asada" for "Cebollitas asadas")."""
        return key(word) in self._head_keys

    def ends_a_name(self, word: str) -> bool:
        """Whether a folded word is, up to its phonetic key, the last word of some name or alias:
        the head of an English name ("water" of "Bottled water")."""
        return key(word) in self._tail_keys

    def similar(self, word_key: str) -> dict[str, float]:
        """Name keys resembling a typed key, with how much (1 for the same key)."""
        cached = self._similar.get(word_key)
        if cached is None:
            cached = self._similar[word_key] = self._resembling(word_key)
        return dict(cached)

    def _resembling(self, word_key: str) -> dict[str, float]:
        found: dict[str, float] = {}
        if word_key in self._vocabulary_set:
            found[word_key] = 1.0
        if len(word_key) < 3 or word_key.isdigit():
            return found
        cutoff = 85 if len(word_key) <= 4 else 80 if len(word_key) <= 6 else 74  # short keys: near-equal only
        for candidate, score, _ in process.extract(word_key, self._comparable(len(word_key), cutoff),
                                                   scorer=fuzz.ratio, score_cutoff=cutoff, limit=8):  # fmt: skip
            found[candidate] = max(found.get(candidate, 0.0), score / 100)
        if len(word_key) >= 4:  # an abbreviation: "marg" for "margarita" (the sorted keys after it)
            for candidate in self.vocabulary[bisect_left(self.vocabulary, word_key) :]:
                if not candidate.startswith(word_key):
                    break
                if candidate != word_key:
                    found[candidate] = max(found.get(candidate, 0.0), 0.8 + 0.15 * len(word_key) / len(candidate))
        return found

    def _comparable(self, length: int, cutoff: int) -> list[str]:
        """The vocabulary's keys, in its order, that a key of `length` letters can be `cutoff` % like:
        the Indel distance is at least the difference in length, so a ratio of c needs |a - b| <=
        (1 - c/100) (a + b); the others (half the menu's words, or more) are never compared. Kept in
        order, so `process.extract` breaks ties between equal scores as over the whole vocabulary.
        Made once per length and menu, like the index."""
        found = self._comparable_keys.get((length, cutoff))
        if found is None:
            room = 1 - cutoff / 100
            found = [k for k in self.vocabulary if abs(length - len(k)) <= room * (length + len(k)) + _SLACK]
            self._comparable_keys[(length, cutoff)] = found
        return found

    def match(self, typed: list[str], synonyms: dict[str, str] | None = None, exact: bool = True) -> list[Match]:
        """Products the folded words `typed` may name, best first (at most one entry per product);
        a word's synonym ("large" -> "grande") counts as well as the word. `exact` lifts a name
        typed exactly above near names; off when a size was said apart ("de litro")."""
        memo = (tuple(typed), exact, id(synonyms))
        found = self._matches.get(memo)
        if found is None:
            if len(self._matches) > _MEMO_LIMIT:
                self._matches.clear()
            found = self._matches[memo] = self._match(typed, synonyms or {}, exact)
        return found

    def _match(self, typed: list[str], synonyms: dict[str, str], exact: bool, *, complete: bool = False) -> list[Match]:
        """`match` from cold; `complete` scores every candidate (the tests check what is left out)."""
        kept = [w for w in typed if w not in _NAME_STOPWORDS]
        keys = [key(w) for w in kept]
        if not keys:
            return []
        kept, keys = self._rejoined(kept, keys)
        similar = []
        for word, word_key in zip(kept, keys, strict=True):
            options = self.similar(word_key)
            for other in self._meanings(word, word_key, synonyms):
                for name_key, value in self.similar(key(other)).items():
                    options[name_key] = max(options.get(name_key, 0.0), value)
            similar.append(options)
        joined = "".join(keys)
        merged: dict[str, float] = {}  # each name key's best resemblance to any typed word
        for options in similar:
            for name_key, value in options.items():
                if value > merged.get(name_key, 0.0):
                    merged[name_key] = value
        shares = self._typed_shares(similar)
        name_bounds = self._name_share_bounds(merged)
        as_typed = self._as_typed(kept, keys, synonyms) if exact else frozenset()
        near = self._spelled_near(joined) if len(joined) >= 5 else []  # words run together or split
        overridden = self._overridden(as_typed, joined, near, shares)
        exactly = {position for typed in as_typed for position in self._by_sorted_keys.get(typed, ())}
        spelled = {position: ratio for position, ratio in near if abs(len(joined) - len(self._joined[position])) <= 3}
        scoring = _Scoring(self.names, merged, exactly, spelled)
        # Every product that may be taken, asked about or chosen among the cart's lines is scored in
        # full: the ones explaining (nearly) every typed word and the ones named whole or run together.
        best: dict[str, _Best] = {}
        rest: list[tuple[float, str]] = []
        for sku, share in shares.items():
            if share >= SURE or sku in overridden:
                scoring.product(self._names_of[sku], share, best)
            else:  # ranked by the most its names could score
                most = min(1.0, name_bounds.get(sku, 0.0))
                rest.append((2 * share * most / (share + most) if most else 0.0, sku))
        for sku in [sku for sku in overridden if sku not in shares]:  # named only run together
            scoring.product(overridden[sku], 0.0, best)
        rest.sort(key=lambda r: -r[0])
        if complete:
            for _, sku in rest:
                scoring.product(self._names_of[sku], shares[sku], best)
        else:
            self._score_until_irrelevant(rest, shares, scoring, best)
        found = [Match(product, score, typed_share) for score, typed_share, product in best.values()]
        return sorted(found, key=lambda m: (-m.score, self._rank[m.product.sku]))

    def _meanings(self, word: str, word_key: str, synonyms: dict[str, str]) -> list[str]:
        """The other words a typed word means: its synonyms ("large": "grande") and, when it is no
        word of this menu's names and synonyms are read at all, the English it translates
        ("alitas": "wings"). A word of the menu means itself: "agua" on a menu of "Agua sin gas"
        and "Agua con gas" is either, not the one whose built-in alias is "water"."""
        meanings = synonyms.get(word, "").split()
        if synonyms and word_key not in self._vocabulary_set:
            meanings += lexicon().backwards.get(word, "").split()
        return meanings

    def _typed_shares(self, similar: list[dict[str, float]]) -> dict[str, float]:
        """How much of the typed words (each as its resembling keys) each product's names explain,
        0 to 1, for every product that explains any (summed word by word, in the typed order)."""
        covered: dict[str, float] = {}
        for options in similar:
            here: dict[str, float] = {}
            for name_key, value in options.items():
                for sku in self._skus_by_key.get(name_key, ()):
                    if value > here.get(sku, 0.0):
                        here[sku] = value
            for sku, value in here.items():
                covered[sku] = covered.get(sku, 0.0) + value
        count = len(similar)
        return {sku: value / count for sku, value in covered.items()}

    def _name_share_bounds(self, merged: dict[str, float]) -> dict[str, float]:
        """For each product, at least the (rarity-weighted) share of any of its names typed: each
        typed key's resemblance times the most that key weighs in one of the product's names."""
        bounds: dict[str, float] = {}
        for name_key, value in merged.items():
            for sku, weight in self._weights_by_key.get(name_key, ()):
                bounds[sku] = bounds.get(sku, 0.0) + value * weight
        return bounds

    def _as_typed(self, kept: list[str], keys: list[str], synonyms: dict[str, str]) -> frozenset[tuple[str, ...]]:
        """The typed words' keys, sorted, as a name typed exactly would have them: as typed, and with
        each word that is no word of this menu's names said by its synonym that is ("cheese
        quesadilla" is the Quesadilla de queso typed exactly, in English order; not the Quesadilla
        de chicharrón, whose built-in alias «quesa» only sounds like «queso»)."""
        said: list[list[str]] = []
        for word, word_key in zip(kept, keys, strict=True):
            options = [word_key]
            if word_key not in self._vocabulary_set:
                options += [k for other in synonyms.get(word, "").split() if (k := key(other)) in self._vocabulary_set]
            said.append(list(dict.fromkeys(options)))
        found = {tuple(sorted(keys))}
        for choice in itertools.islice(itertools.product(*said), _TRANSLATIONS):
            found.add(tuple(sorted(choice)))
        return frozenset(found)

    def _overridden(
        self, as_typed: frozenset[tuple[str, ...]], joined: str, near: list[tuple[int, float]], shares: dict[str, float]
    ) -> dict[str, list[int]]:
        """The products with a name typed exactly (`as_typed`) or run together ("hotdog": `near`, the
        names `_spelled_near` the typed keys run together), with the positions of the names they are
        scored by: a product no typed word explains only by those names."""
        found: dict[str, list[int]] = {}
        for typed in as_typed:
            for position in self._by_sorted_keys.get(typed, ()):
                found.setdefault(self.names[position].product.sku, [])
        for rank, (position, _) in enumerate(near):
            if abs(len(joined) - len(self._joined[position])) > 3:
                continue  # scored by its words only
            sku = self.names[position].product.sku
            if sku in shares or rank < _RUN_TOGETHER_CANDIDATES:
                found.setdefault(sku, []).append(position)
        for sku, positions in found.items():
            if sku in shares:  # every name of a product that explains a typed word is a candidate
                found[sku] = self._names_of[sku]
            else:
                positions.sort()
        return found

    def _spelled_near(self, joined: str) -> list[tuple[int, float]]:
        """(position, rapidfuzz ratio) of the names whose keys run together are at least 88 % like
        `joined`, most alike first (then in menu order). Only names of a near length can be: the
        Indel distance is at least the difference in length, so a ratio of 88 needs |a - b| <= 0.12
        (a + b). Each distinct spelling is compared once, for all the names spelled so."""
        length = len(joined)
        shortest = math.ceil(length * 0.88 / 1.12 - _SLACK)
        longest = math.floor(length * 1.12 / 0.88 + _SLACK)
        start = bisect_left(self._lengths, shortest)
        stop = bisect_left(self._lengths, longest + 1)
        near = process.extract(joined, self._by_length[start:stop], scorer=fuzz.ratio, score_cutoff=88, limit=None)
        found = sorted((-score, position) for _, score, at in near for position in self._spelled_positions[start + at])
        return [(position, -score) for score, position in found]

    def _score_until_irrelevant(
        self, rest: list[tuple[float, str]], shares: dict[str, float], scoring: _Scoring, best: dict[str, _Best]
    ) -> None:
        """Score the other products, best bound first, until no one left can change a reading: one
        below the first two, below every product explaining the typed words and clearly behind the
        best (a margin wider than any the reader compares by) is never taken, asked about, or
        chosen among the cart's lines, so it is left out of the matches."""
        floor = min((score for score, typed_share, _ in best.values() if typed_share >= SURE), default=math.inf)
        first, second = _two_best(entry[0] for entry in best.values())
        for bound, sku in rest:
            if len(best) >= 2 and bound < min(floor, first - WIDE_MARGIN) - _SLACK and second > bound + _SLACK:
                return
            scoring.product(self._names_of[sku], shares[sku], best)
            if sku in best:
                first, second = _two_best((first, second, best[sku][0]))

    def _rejoined(self, kept: list[str], keys: list[str]) -> tuple[list[str], list[str]]:
        """A word split in two ("pepe roni") joined back when only the whole is a menu word."""
        position = 0
        while position + 1 < len(keys):
            first, second = keys[position], keys[position + 1]
            together = key(kept[position] + kept[position + 1])
            known = self._vocabulary_set
            if together in known and first not in known and second not in known:
                kept[position : position + 2] = [kept[position] + kept[position + 1]]
                keys[position : position + 2] = [together]
            position += 1
        return kept, keys

    def forget(self) -> None:
        """Drop the remembered word and phrase matches (benchmarks measure a turn from cold)."""
        self._similar.clear()
        self._matches.clear()


def _two_best(scores: Iterable[float]) -> tuple[float, float]:
    """The highest and the second highest of `scores` (-inf for the ones missing)."""
    first = second = -math.inf
    for score in scores:
        if score > first:
            first, second = score, first
        elif score > second:
            second = score
    return first, second


class _Scoring:
    """One reading's score of a product's names: the harmonic mean of the share of the typed words
    explained and the (rarity-weighted) share of the name typed, 0 to 1; a name typed exactly is
    above any near name, and one typed run together or split scores by its spelling."""

    def __init__(self, names: list[_Name], merged: dict[str, float], exactly: set[int],
                 spelled: dict[int, float]) -> None:  # fmt: skip
        """`exactly`: the positions of the names typed exactly; `spelled`: the rapidfuzz ratio of
        each name of a near length whose keys run together are at least 88 % like the typed ones
        (`ProductIndex._spelled_near`: the others are not near enough to count)."""
        self.names, self.get, self.exactly, self.spelled = names, merged.get, exactly, spelled
        self.name_shares: dict[int, float] = {}
        """The share of the name typed, by name shape: every Coca-Cola's alias "coca" is worked out once."""

    def product(self, positions: list[int], typed_share: float, best: dict[str, _Best]) -> None:
        """Score the names at `positions` (one product's) and keep the product's best in `best`."""
        names, get, exactly, spelled, name_shares = self.names, self.get, self.exactly, self.spelled, self.name_shares
        for position in positions:
            name = names[position]
            share, score = typed_share, 0.0
            if share != 0:
                name_share = name_shares.get(name.shape)
                if name_share is None:
                    name_share = name_shares[name.shape] = sum([get(k, 0.0) * w for k, w in name.pairs]) / name.weight
                if name_share:
                    score = 2 * share * name_share / (share + name_share)
            if position in exactly:
                score, share = EXACT, 1.0  # the name itself, as typed: above any near name
            ratio = spelled.get(position)
            if ratio is not None:
                together = ratio / 100
                if together >= 0.88 and together > score:
                    score, share = together, together
            if score > 0:
                sku = name.product.sku
                seen = best.get(sku)
                if seen is None or seen[0] < score:
                    best[sku] = (score, share, name.product)


_TRANSLATIONS = 8
"""The most ways of saying the typed words by their synonyms that are looked up as exact names."""
_RUN_TOGETHER_CANDIDATES = 20
"""Names resembling the typed words run together that are scored even when no typed word is theirs."""
_SLACK = 1e-9
"""Room for rounding when a product's bound is compared with the scores it must stay below."""


_MEASURES = frozenset({"ml", "l", "lt", "lts", "litr", "g", "gr", "kg", "kil", "gram", "oz", "ons", "ps"})


def _measure_weight(keys: list[str], position: int) -> float:
    """How much a name word counts when not typed: a measure ("500 ml") little, so "agua" is as
    near "Agua sin gas 500 ml" as "Agua con gas"; typed, it still decides ("coca 3 litros"). A
    unit without a number ("Agua de jamaica litro") is a size word and counts in full."""
    here = keys[position]
    after_number = position > 0 and (keys[position - 1].isdigit() or keys[position - 1] == _QUARTER_KEY)
    if here.isdigit() or (here in _MEASURES and after_number):
        return 0.2
    return 1.0


_QUARTER_KEY = "kuart"
"""The key of "cuarto": "Helado 1/4 kg" is "helado cuarto kg", its "kg" a unit after a number."""
_MEMO_LIMIT = 4096
_RECENT: list[tuple[CatalogView, ProductIndex]] = []


def index_for(catalog: CatalogView) -> ProductIndex:
    """The index of a menu: the same object is looked up by identity (a turn asks many times),
    an equal menu (the next turn reads it afresh) by content; built only when the menu changed."""
    for seen, index in _RECENT:
        if seen is catalog:
            return index
    index = _index_by_content(catalog)
    _RECENT.insert(0, (catalog, index))
    del _RECENT[8:]
    return index


@lru_cache(maxsize=32)
def _index_by_content(catalog: CatalogView) -> ProductIndex:
    return ProductIndex(catalog)


def clear_indexes() -> None:
    """Forget every built index (benchmarks time a build from nothing)."""
    _RECENT.clear()
    _index_by_content.cache_clear()
