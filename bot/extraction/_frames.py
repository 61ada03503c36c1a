"""Event frames: who acts, what they do, at what stage, negated or not, and on what object.

The classes are lexicons in ``bot/data/frames.yaml``; this module finds them in a headline and
the first sentence of the lead, and turns what it finds into the features the trained model
weighs (see ``_model.py``) and the actor whose seat is the main place (see ``__init__.py``).
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from typing import Any

from bot.data import DataFileError, load_yaml
from bot.taxonomy import ACTIONS

FRAMES_FILE = "frames.yaml"
ACTOR_CLASSES = (
    "legislature",
    "executive",
    "court",
    "regulator",
    "police",
    "agency",
    "company",
    "campaigners",
)
PREDICATE_CLASSES = (
    "prohibit", "pause", "pass", "propose", "debate", "postpone", "sue", "rule",
    "find_fine_order", "settle", "halt", "adopt", "repeal", "call_for", "regulate", "solve_case",
)  # fmt: skip
STAGES = ("proposed", "scheduled", "done")
LEVELS = ("city", "county", "state", "national")
# A negation counts for a predicate that follows it within this many characters.
_NEGATION_REACH = 25
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Hit:
    """One lexicon entry found: its kind (actor, predicate, stage, negation, fr, seat), its class
    and where it stands."""

    kind: str
    label: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Frame:
    """The main event of one text: the first actor and the predicates after it."""

    actor: str | None
    predicates: tuple[str, ...]
    stage: str | None
    negated: bool
    fr_object: bool
    # The level of jurisdiction the first actor with a known seat has power over.
    seat: str | None


# One entry of a class: its words, the last one a prefix when it ended in "*".
# (words, last is a prefix, kind, label, glued): glued[k] when word k follows word k-1 with no
# space, as the characters of "人脸识别" or "얼굴인식" do, and must in the text too.
Entry = tuple[tuple[str, ...], bool, str, str, tuple[bool, ...]]


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Everything frames.yaml says, indexed by first word for a look-up per word of text."""

    # First word (lower case, or as written for exact entries) -> entries starting with it.
    by_word: dict[str, tuple[Entry, ...]]
    exact_by_word: dict[str, tuple[Entry, ...]]
    # The first _STEM letters of a one-word prefix entry ("deploy*") -> those entries.
    by_stem: dict[str, tuple[Entry, ...]]
    languages: dict[str, frozenset[str]]
    # (predicates, action): a headline holding all those predicates, none negated, is that action.
    settled: tuple[tuple[frozenset[str], str], ...]
    # Each stop word -> the languages it is one of.
    stop_words: dict[str, tuple[str, ...]]
    # Each word that tells a language: its stop words and its words for facial recognition.
    language_words: dict[str, tuple[str, ...]]
    # Each letter only some languages write ("ł", "ř", "ã") -> those languages.
    letter_languages: dict[str, tuple[str, ...]]
    # Predicate class -> the actions it can lead to (predicate_actions).
    predicate_actions: dict[str, frozenset[str]]


_STEM = 4
# Scripts written without spaces between words (Chinese, Japanese kana) or with particles
# glued to them (Korean): each character is a token, so "人脸识别" or "얼굴 인식" is found as a
# run of tokens inside a longer run of text ("刷脸人脸识别第一案", "얼굴인식을").
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN = re.compile(rf"[^\W_{_CJK}]+(?:['’][^\W_{_CJK}]+)*|[{_CJK}]")


def _add(entry: Any, kind: str, label: str, indexes: tuple[dict, dict, dict], file: str) -> None:
    """Index one entry ("city council", "deploy*", "=Met") under its first word."""
    if not isinstance(entry, str) or not entry.strip("=* "):
        raise DataFileError(f"{file}: every entry must be a non-empty string, got {entry!r}")
    # "=Met": only as written. Short acronyms ("ICE", "AG", "MPs") are only as written too.
    exact = entry.startswith("=") or (
        len(entry) <= 6 and sum(c.isupper() for c in entry) >= 2 and " " not in entry
    )
    text = entry.lstrip("=")
    prefix = text.endswith("*")
    tokens = list(_TOKEN.finditer(text if exact else text.lower()))
    words = tuple(token.group(0) for token in tokens)
    if not words or "*" in text[:-1]:
        raise DataFileError(f"{file}: {entry!r}: '*' may only end an entry")
    by_word, exact_by_word, by_stem = indexes
    item: Entry = (words, prefix, kind, label, _glued(tokens))
    if prefix and len(words) == 1:
        if len(words[0]) < _STEM or exact:
            raise DataFileError(f"{file}: {entry!r}: a prefix needs {_STEM} letters or more")
        by_stem.setdefault(words[0][:_STEM], []).append(item)
    else:
        (exact_by_word if exact else by_word).setdefault(words[0], []).append(item)


def _classes(data: dict[str, Any], key: str, names: tuple[str, ...], file: str) -> dict[str, Any]:
    """Check that a section names exactly the expected classes."""
    section = data.get(key)
    if not isinstance(section, dict) or set(section) != set(names):
        raise DataFileError(f"{file}: '{key}' must give exactly {', '.join(names)}")
    return section


@functools.cache
def lexicon() -> Lexicon:
    """Load frames.yaml (once)."""
    file = FRAMES_FILE
    data = load_yaml(file)
    indexes: tuple[dict, dict, dict] = ({}, {}, {})
    sections = (
        ("actor", _classes(data, "actors", ACTOR_CLASSES, file)),
        ("predicate", _classes(data, "predicates", PREDICATE_CLASSES, file)),
        ("stage", _classes(data, "stages", STAGES, file)),
        ("negation", {"negation": data.get("negations")}),
        ("fr", {"fr": data.get("fr_objects")}),
        ("seat", _classes(data, "seats", LEVELS, file)),
        ("airport", {"airport": data.get("airports")}),
        ("payment", {"payment": data.get("payments")}),
    )
    for kind, classes in sections:
        for label, entries in classes.items():
            if not isinstance(entries, list) or not entries:
                raise DataFileError(f"{file}: {kind} {label} must be a non-empty list")
            for entry in entries:
                _add(entry, kind, label, indexes, file)
    languages = data.get("languages")
    if (
        not isinstance(languages, dict)
        or "en" not in languages
        or not all(isinstance(w, str) for words in languages.values() for w in words)
    ):
        raise DataFileError(f"{file}: 'languages' must give stop words, English among them")
    by_word, exact_by_word, by_stem = (
        {key: tuple(value) for key, value in index.items()} for index in indexes
    )
    stop_languages = {
        str(code): frozenset(map(str.lower, words)) for code, words in languages.items()
    }
    stop_words: dict[str, tuple[str, ...]] = {}
    for code, words in stop_languages.items():
        for word in words:
            stop_words[word] = (*stop_words.get(word, ()), code)
    language_words = dict(stop_words)
    for code, words in (data.get("fr_words") or {}).items():
        if str(code) not in stop_languages or not isinstance(words, list):
            raise DataFileError(f"{file}: 'fr_words' maps a language of 'languages' to its words")
        for word in map(str.lower, words):
            language_words[word] = (*language_words.get(word, ()), str(code))
    letter_languages: dict[str, tuple[str, ...]] = {}
    for code, letters in (data.get("letters") or {}).items():
        if str(code) not in stop_languages or not isinstance(letters, str):
            raise DataFileError(f"{file}: 'letters' maps a language of 'languages' to its letters")
        for letter in letters:
            letter_languages[letter] = (*letter_languages.get(letter, ()), str(code))
    settled = []
    for rule in data.get("settled") or []:
        predicates = rule.get("predicates") if isinstance(rule, dict) else None
        if (
            not isinstance(predicates, list)
            or not set(predicates) <= set(PREDICATE_CLASSES)
            or not isinstance(rule.get("action"), str)
        ):
            raise DataFileError(f"{file}: 'settled' needs predicates of {PREDICATE_CLASSES}")
        settled.append((frozenset(predicates), rule["action"]))
    fits = data.get("predicate_actions")
    if not isinstance(fits, dict) or set(fits) != set(PREDICATE_CLASSES):
        raise DataFileError(f"{file}: 'predicate_actions' needs every predicate class")
    for label, actions in fits.items():
        if not isinstance(actions, list) or not set(actions) <= set(ACTIONS):
            raise DataFileError(f"{file}: predicate_actions {label}: actions of TAXONOMY.md only")
    return Lexicon(
        predicate_actions={str(k): frozenset(v) for k, v in fits.items()},
        settled=tuple(settled),
        by_word=by_word,
        exact_by_word=exact_by_word,
        by_stem=by_stem,
        languages=stop_languages,
        stop_words=stop_words,
        language_words=language_words,
        letter_languages=letter_languages,
    )


def _glued(tokens: list[re.Match[str]]) -> tuple[bool, ...]:
    """For each token, whether it follows the previous one with nothing between them."""
    return (False, *(b.start() == a.end() for a, b in itertools.pairwise(tokens)))


def _matches(entry: Entry, words: list[str], glued: tuple[bool, ...], i: int) -> bool:
    """Whether ``entry`` starts at word i of ``words`` (``glued``: the text's, as in Entry)."""
    needed, prefix, _, _, joins = entry
    end = i + len(needed)
    if end > len(words):
        return False
    last = len(needed) - 1
    for offset, want in enumerate(needed):
        word = words[i + offset]
        if not (word.startswith(want) if prefix and offset == last else word == want):
            return False
        if joins[offset] and not glued[i + offset]:
            return False  # "유예 정부" holds the syllables of "예정" but not the word
    return True


def hits(text: str) -> list[Hit]:
    """Every lexicon entry in ``text``, in reading order; within a kind the longest entry at a
    word wins and entries of one kind do not overlap."""
    lex = lexicon()
    by_word, exact_by_word, by_stem = lex.by_word, lex.exact_by_word, lex.by_stem
    tokens = list(_TOKEN.finditer(text))
    glued = _glued(tokens)
    raw = [token.group(0) for token in tokens]
    lower = [word.lower() for word in raw]
    found: list[Hit] = []
    covered: dict[str, int] = {}
    for i, word in enumerate(lower):
        loose = by_word.get(word)
        exact = exact_by_word.get(raw[i])
        stem = by_stem.get(word[:_STEM])
        if not (loose or exact or stem):
            continue  # most words start no entry
        best: dict[tuple[str, str], int] = {}
        candidates = ((loose or (), lower), (exact or (), raw), (stem or (), lower))
        for entries, words in candidates:
            for entry in entries:
                if _matches(entry, words, glued, i):
                    key = (entry[2], entry[3])
                    best[key] = max(best.get(key, 0), len(entry[0]))
        longest: dict[str, tuple[int, str]] = {}
        for (kind, label), size in best.items():
            if covered.get(kind, 0) <= i and size > longest.get(kind, (0, ""))[0]:
                longest[kind] = (size, label)
        for kind, (size, label) in longest.items():
            covered[kind] = i + size
            if kind == "seat" and size == 1 and _ends_a_name(text, raw, tokens, i):
                continue  # "Salt Lake City", "Jersey City": a name, not a city's body
            found.append(Hit(kind, label, tokens[i].start(), tokens[i + size - 1].end()))
    return found


def _ends_a_name(text: str, raw: list[str], tokens: list[re.Match[str]], i: int) -> bool:
    """Whether word i is capitalised and ends a name: right after another capitalised word
    (an acronym kept as written never does: "UK MPs", "French CNIL")."""
    if i == 0 or not raw[i][0].isupper() or not raw[i - 1][0].isupper():
        return False
    if raw[i] in lexicon().exact_by_word:
        return False
    return text[tokens[i - 1].end() : tokens[i].start()] == " "


def settled_action(found: list[Hit]) -> str | None:
    """The action a settled frame gives a headline's hits, if one fits."""
    negated = {
        p.label
        for n in found
        if n.kind == "negation"
        for p in found
        if p.kind == "predicate" and 0 <= p.start - n.end <= _NEGATION_REACH
    }
    present = {hit.label for hit in found if hit.kind == "predicate"} - negated
    for predicates, action in lexicon().settled:
        if predicates <= present:
            return action
    return None


def is_lexicon_word(word: str) -> bool:
    """Whether an entry of any class starts with ``word`` (a word of who acts or what they do)."""
    lex = lexicon()
    lower = word.lower()
    return (
        lower in lex.by_word
        or word in lex.exact_by_word
        or any(lower.startswith(entry[0][0]) for entry in lex.by_stem.get(lower[:_STEM], ()))
    )


def frame(found: list[Hit]) -> Frame:
    """The main event among ``found``: the first actor, and what follows it."""
    actors = [hit for hit in found if hit.kind == "actor"]
    actor = actors[0] if actors else None
    after = actor.start if actor else -1
    predicates = [hit for hit in found if hit.kind == "predicate" and hit.start > after]
    if not predicates:
        predicates = [hit for hit in found if hit.kind == "predicate"]
    first = predicates[0].start if predicates else None
    stages = [
        hit.label
        for hit in found
        if hit.kind == "stage" and (first is None or hit.start <= first + 30)
    ]
    negated = first is not None and any(
        hit.kind == "negation" and 0 <= first - hit.end <= _NEGATION_REACH for hit in found
    )
    return Frame(
        actor=actor.label if actor else None,
        predicates=tuple(dict.fromkeys(hit.label for hit in predicates)),
        stage=stages[0] if stages else None,
        negated=negated,
        fr_object=any(hit.kind == "fr" for hit in found),
        seat=next((hit.label for hit in found if hit.kind == "seat"), None),
    )


def features(found: list[Hit], prefix: str) -> list[str]:
    """The model's frame features for one field: classes, actor-predicate pairs, stage, negation."""
    out: list[str] = []
    actors = [hit for hit in found if hit.kind == "actor"]
    predicates = [hit for hit in found if hit.kind == "predicate"]
    for hit in found:
        if hit.kind == "negation":
            out.extend(
                f"{prefix}neg>{p.label}"
                for p in predicates
                if 0 <= p.start - hit.end <= _NEGATION_REACH
            )
        # Airports place the news (decide()) rather than say what happened: as a feature they
        # only moved the action model within noise.
        elif hit.kind not in ("predicate", "airport"):
            out.append(f"{prefix}{hit.kind}={hit.label}")
    for index, hit in enumerate(predicates):
        out.append(f"{prefix}pred={hit.label}")
        if index + 1 < len(predicates):
            out.append(f"{prefix}pp={hit.label}>{predicates[index + 1].label}")
    if actors:
        first = actors[0]
        out.extend(
            f"{prefix}ap={first.label}>{p.label}" for p in predicates if p.start > first.start
        )
    main = frame(found)
    if main.predicates:
        out.append(f"{prefix}main={main.actor}>{main.predicates[0]}>{main.stage}")
    return out


def language(text: str) -> str:
    """The language whose stop words (and words for facial recognition) ``text`` holds most
    of ("en" on a tie or none); "und"
    (undetermined) for text written mostly in letters beyond the Latin alphabets (Korean,
    Chinese, Russian...), whose words the lexicon does not hold."""
    stops = lexicon().language_words
    letter_languages = lexicon().letter_languages
    counts: dict[str, int] = dict.fromkeys(lexicon().languages, 0)
    # Words written with a letter only some languages have: they tell apart languages with as
    # many stop words ("do" is Polish and Portuguese), never against English.
    lettered: dict[str, int] = dict.fromkeys(counts, 0)
    sample = text[:2000]
    for word in _WORD.findall(sample):
        lower = word.lower()
        for code in stops.get(lower, ()):
            counts[code] += 1
        if not lower.isascii():
            for code in {code for char in lower for code in letter_languages.get(char, ())}:
                lettered[code] += 1
    best = max(counts, key=lambda code: (counts[code], code == "en", lettered[code]))
    if counts[best] > counts["en"]:
        return best
    if not counts["en"]:
        letters = [char for char in sample if char.isalpha()]
        # Latin letters, accented ones included, end at U+024F (Latin Extended-B); Vietnamese
        # adds U+1E00-U+1EFF.
        other = sum(1 for char in letters if char > "\u024f" and not "\u1e00" <= char <= "\u1eff")
        if letters and other > len(letters) / 2:
            return "und"
    return "en"
