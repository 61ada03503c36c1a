"""Load and check the extraction's rule files: actions.yaml, scopes.yaml, providers.yaml."""

from __future__ import annotations

import functools
import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from bot.data import DataFileError, load_yaml
from bot.taxonomy import ACTIONS, SCOPES

ACTIONS_FILE = "actions.yaml"
SCOPES_FILE = "scopes.yaml"
PROVIDERS_FILE = "providers.yaml"
RULE_FILES = (ACTIONS_FILE, SCOPES_FILE, PROVIDERS_FILE)
FIELDS = ("title", "excerpt", "body")
_TERM_RE = re.compile(r"\{([A-Z_]+)\}")
# The non-ASCII characters IGNORECASE matches to an ASCII letter although str.lower() does
# not give that letter (the `re` docs name these four): a text holding one is read without
# the literal prefilter.
_FOLDS_APART = re.compile("[\u0130\u0131\u017f\u212a]")


def fold(text: str) -> str | None:
    """``text`` lower-cased for :meth:`Rule.matches`' prefilter; None when it holds one of the
    characters that fold unlike ``str.lower()`` (every rule then runs its patterns)."""
    return None if _FOLDS_APART.search(text) else text.lower()


@dataclass(frozen=True, slots=True)
class Rule:
    """Wording that points to one label (an action or a scope), with its weight."""

    label: str
    weight: float
    patterns: tuple[re.Pattern[str], ...]
    requires: str | None = None
    # The patterns as one alternation: one search instead of one per pattern, same answer
    # (an alternation matches somewhere exactly when one of its branches does).
    combined: re.Pattern[str] | None = None
    # Lower-case ASCII strings one of which is in every match, as the data file declares them
    # (None: none declared): a text holding none of them can't match, and `in` is far quicker
    # than a search.
    needles: tuple[str, ...] | None = None
    # ``combined`` with ASCII classes and case: the same answers on a text that
    # :func:`reads_alike_in_ascii`, in about two thirds of the time.
    ascii_combined: re.Pattern[str] | None = None

    def matches(self, text: str, folded: str | None = None) -> bool:
        """Whether any of the rule's patterns occurs in ``text``; ``folded`` is
        ``fold(text)``, to skip the search when no needle is in it."""
        if folded is not None and not self.may_match(folded):
            return False
        if self.combined is not None:
            return self.combined.search(text) is not None
        return any(pattern.search(text) for pattern in self.patterns)

    def may_match(self, folded: str) -> bool:
        """False when no needle is in ``folded`` (then no pattern can match)."""
        return self.needles is None or any(needle in folded for needle in self.needles)

    def matches_found(
        self, text: str, found: AbstractSet[str] | None, ascii_alike: bool = False
    ) -> bool:
        """:meth:`matches` given the needles in ``text`` (``NeedleIndex.found(text)``) and
        whether it :func:`reads_alike_in_ascii`."""
        if found is not None and self.needles is not None and found.isdisjoint(self.needles):
            return False
        if ascii_alike and self.ascii_combined is not None:
            return self.ascii_combined.search(text) is not None
        if self.combined is not None:
            return self.combined.search(text) is not None
        return any(pattern.search(text) for pattern in self.patterns)


# Characters other than printable ASCII and the ASCII controls that are not Unicode spaces.
_NOT_PLAIN_ASCII = re.compile(r"[^\x00-\x1b\x20-\x7f]")


def reads_alike_in_ascii(text: str) -> bool:
    r"""Whether a pattern finds the same in ``text`` with ``re.ASCII`` as without: true when
    every character outside ASCII is neither a word character nor a space and has no case
    (curly quotes, dashes), and no ASCII control is a Unicode space (\x1c-\x1f). The flag only
    changes what ``\w``, ``\s``, ``\d`` and ``\b`` match outside ASCII and on those four
    controls, and lets no character outside ASCII match a letter of another case."""
    for char in set(_NOT_PLAIN_ASCII.findall(text)):
        if char.isalnum() or char.isspace() or char.lower() != char or char.upper() != char:
            return False
    return True


@dataclass(frozen=True, slots=True)
class NeedleIndex:
    """The needles of a file's rules, all found in a text in one scan instead of an ``in`` test
    for each needle of each rule."""

    # At each position of the folded text, the longest needle that starts there: the needles
    # as a trie-shaped alternation, inside a lookahead so that found needles may overlap.
    pattern: re.Pattern[str]
    # Each needle -> the needles it starts with (itself too): where it is, they are.
    prefixes: dict[str, frozenset[str]]

    @classmethod
    def of(cls, rules: tuple[Rule, ...]) -> NeedleIndex:
        """The index of every needle the rules declare."""
        needles = {needle for rule in rules for needle in rule.needles or ()}
        prefixes = {
            needle: frozenset(needle[:end] for end in range(1, len(needle) + 1)) & needles
            for needle in needles
        }
        return cls(re.compile(f"(?=({_trie(sorted(needles))}))"), prefixes)

    def found(self, text: str) -> frozenset[str] | None:
        """The needles ``text`` holds (as ``in`` finds them in ``fold(text)``); None when
        :func:`fold` turns the prefilter off."""
        folded = fold(text)
        if folded is None:
            return None
        prefixes = self.prefixes
        return frozenset().union(*[prefixes[longest] for longest in self.pattern.findall(folded)])


def _trie(words: list[str]) -> str:
    """A regular expression matching exactly ``words`` (non-empty), the longest one where
    several match: at each step one branch per next character, greedy, so that it goes as deep
    as the text allows before it settles for a shorter word."""
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def alternation(node: dict[str, dict]) -> str:
        branches = [re.escape(char) + alternation(child) for char, child in node.items() if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{body})?" if "" in node else body

    return alternation(root)


@dataclass(frozen=True, slots=True)
class ActionRules:
    """Everything actions.yaml says."""

    field_weights: dict[str, float]
    min_score: float
    body_chars: int
    fr_terms: tuple[re.Pattern[str], ...]
    government_actor: re.Pattern[str]
    rules: tuple[Rule, ...]
    moratorium_map: dict[str, str]
    moratorium_cues: tuple[re.Pattern[str], ...]
    company_subject_actions: frozenset[str]
    dated_by_publication: frozenset[str]
    needle_index: NeedleIndex


@dataclass(frozen=True, slots=True)
class ScopeRules:
    """Everything scopes.yaml says."""

    field_weights: dict[str, float]
    body_chars: int
    rules: tuple[Rule, ...]
    company_private_bonus: float
    company_private_actions: frozenset[str]
    needle_index: NeedleIndex


@dataclass(frozen=True, slots=True)
class Provider:
    """A news outlet's home: state (USPS or region), city and country."""

    state: str | None = None
    city: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class ProviderRules:
    """Everything providers.yaml says."""

    providers: dict[str, Provider]
    generic_country_tlds: frozenset[str]


def _expand(pattern: str, terms: dict[str, str], file: str) -> str:
    """Replace {NAME} with terms[NAME], repeatedly (terms may use terms)."""
    original = pattern

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in terms:
            raise DataFileError(f"{file}: unknown term {{{name}}} in pattern {original!r}")
        return terms[name]

    for _ in range(5):
        if not _TERM_RE.search(pattern):
            return pattern
        pattern = _TERM_RE.sub(substitute, pattern)
    raise DataFileError(f"{file}: terms nest too deeply in {original!r}")


def _compile(pattern: Any, terms: dict[str, str], file: str) -> re.Pattern[str]:
    """Compile one case-insensitive pattern, naming the file when it is broken."""
    if not isinstance(pattern, str) or not pattern:
        raise DataFileError(f"{file}: a pattern must be a non-empty string, got {pattern!r}")
    try:
        return re.compile(_expand(pattern, terms, file), re.IGNORECASE)
    except re.error as exc:
        raise DataFileError(f"{file}: bad pattern {pattern!r}: {exc}") from exc


def _after_boundary(pattern: str) -> str | None:
    r"""``pattern`` without the ``\b`` it starts with, when that ``\b`` holds for all of it
    (no ``|`` at its top level); else None."""
    if not pattern.startswith(r"\b") or pattern[2:3] in ("", "*", "+", "?", "{"):
        return None
    if "(?#" in pattern:
        return None  # a comment may hold any character: not worth reading
    depth, in_class, index = 0, False, 2
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 1  # the escaped character is never syntax
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern.startswith("^", index + 1):
                index += 1
            if pattern.startswith("]", index + 1):
                index += 1  # "[]...]" and "[^]...]": a "]" first is a member of the class
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return None
        index += 1
    return pattern[2:]


def _alternation(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str]:
    r"""The patterns as one alternation (one search, the same answer as one search per
    pattern). The ``\b`` most of them start with is written once, before a group of what
    follows it: a search then passes a position inside a word with one test, not one test per
    pattern. (``re`` does this itself when every pattern starts with it: the gain is on the
    rules where some do not, such as scopes.yaml's government rule, now searched in half the
    time.)"""
    bodies = [(pattern.pattern, _after_boundary(pattern.pattern)) for pattern in patterns]
    branches = [f"(?:{source})" for source, body in bodies if body is None]
    bounded = [f"(?:{body})" for _, body in bodies if body is not None]
    if bounded:
        branches.insert(0, rf"\b(?:{'|'.join(bounded)})")
    return re.compile("|".join(branches), re.IGNORECASE)


def _rules(
    items: Any, key: str, allowed: tuple[str, ...], terms: dict[str, str], file: str
) -> tuple[Rule, ...]:
    """Build and check the rule list of a file."""
    if not isinstance(items, list) or not items:
        raise DataFileError(f"{file}: 'rules' must be a non-empty list")
    rules = []
    for item in items:
        if not isinstance(item, dict):
            raise DataFileError(f"{file}: every rule must be a mapping, got {item!r}")
        label = item.get(key)
        if label not in allowed:
            raise DataFileError(f"{file}: unknown {key} {label!r}; expected one of {allowed}")
        weight = item.get("weight")
        if not isinstance(weight, int | float) or weight <= 0:
            raise DataFileError(f"{file}: rule for {label!r} needs a positive weight")
        requires = item.get("requires")
        if requires not in (None, "government", "company"):
            raise DataFileError(f"{file}: rule for {label!r}: unknown requires {requires!r}")
        patterns = item.get("patterns")
        if not isinstance(patterns, list) or not patterns:
            raise DataFileError(f"{file}: rule for {label!r} needs a list of patterns")
        compiled = tuple(_compile(p, terms, file) for p in patterns)
        combined = _alternation(compiled)
        needles = item.get("needles")
        if needles is not None and (
            not isinstance(needles, list)
            or not needles
            or not all(isinstance(n, str) and n and n.isascii() and n == n.lower() for n in needles)
        ):
            raise DataFileError(f"{file}: rule for {label!r}: needles must be lower-case ASCII")
        needles = tuple(needles) if needles else None
        ascii_combined = re.compile(combined.pattern, re.IGNORECASE | re.ASCII)
        rules.append(
            Rule(label, float(weight), compiled, requires, combined, needles, ascii_combined)
        )
    return tuple(rules)


def _field_weights(data: dict[str, Any], file: str) -> dict[str, float]:
    """Check and return the field weights of a file."""
    weights = data.get("field_weights")
    if not isinstance(weights, dict) or set(weights) != set(FIELDS):
        raise DataFileError(f"{file}: 'field_weights' must give {', '.join(FIELDS)}")
    return {name: float(value) for name, value in weights.items()}


def _names(data: dict[str, Any], key: str, allowed: tuple[str, ...], file: str) -> frozenset[str]:
    """Check a list of taxonomy names."""
    values = data.get(key)
    if not isinstance(values, list) or any(value not in allowed for value in values):
        raise DataFileError(f"{file}: '{key}' must be a list of names from {allowed}")
    return frozenset(values)


def _terms(data: dict[str, Any], file: str) -> dict[str, str]:
    """Check the {NAME} terms of a file."""
    terms = data.get("terms", {})
    if not isinstance(terms, dict) or not all(isinstance(v, str) for v in terms.values()):
        raise DataFileError(f"{file}: 'terms' must map names to pattern strings")
    return {str(k): v for k, v in terms.items()}


@functools.cache
def action_rules() -> ActionRules:
    """Load actions.yaml (once)."""
    file = ACTIONS_FILE
    data = load_yaml(file)
    terms = _terms(data, file)
    field_weights = _field_weights(data, file)
    rules = _rules(data.get("rules"), "action", ACTIONS, terms, file)
    moratorium = data.get("moratorium")
    if not isinstance(moratorium, dict) or not isinstance(moratorium.get("map"), dict):
        raise DataFileError(f"{file}: 'moratorium' needs 'map' and 'cues'")
    for source, target in moratorium["map"].items():
        if source not in ACTIONS or target not in ACTIONS:
            raise DataFileError(f"{file}: moratorium map {source!r}→{target!r} is not in ACTIONS")
    actors = data.get("actors")
    if not isinstance(actors, dict) or "government" not in actors:
        raise DataFileError(f"{file}: 'actors' needs a 'government' pattern")
    fr_terms = data.get("fr_terms")
    if not isinstance(fr_terms, list) or not fr_terms:
        raise DataFileError(f"{file}: 'fr_terms' must be a non-empty list")
    return ActionRules(
        field_weights=field_weights,
        min_score=float(data.get("min_score", 0)),
        body_chars=int(data.get("body_chars", 4000)),
        fr_terms=tuple(_compile(p, terms, file) for p in fr_terms),
        government_actor=_compile(actors["government"], terms, file),
        rules=rules,
        moratorium_map=dict(moratorium["map"]),
        moratorium_cues=tuple(_compile(p, terms, file) for p in moratorium.get("cues") or []),
        company_subject_actions=_names(data, "company_subject_actions", ACTIONS, file),
        dated_by_publication=_names(data, "dated_by_publication", ACTIONS, file),
        needle_index=NeedleIndex.of(rules),
    )


@functools.cache
def scope_rules() -> ScopeRules:
    """Load scopes.yaml (once)."""
    file = SCOPES_FILE
    data = load_yaml(file)
    terms = _terms(data, file)
    rules = _rules(data.get("rules"), "scope", SCOPES, terms, file)
    return ScopeRules(
        field_weights=_field_weights(data, file),
        body_chars=int(data.get("body_chars", 3000)),
        rules=rules,
        company_private_bonus=float(data.get("company_private_bonus", 0)),
        company_private_actions=_names(data, "company_private_actions", ACTIONS, file),
        needle_index=NeedleIndex.of(rules),
    )


@functools.cache
def provider_rules() -> ProviderRules:
    """Load providers.yaml (once)."""
    file = PROVIDERS_FILE
    data = load_yaml(file)
    raw = data.get("providers")
    if not isinstance(raw, dict):
        raise DataFileError(f"{file}: 'providers' must map domains to homes")
    providers = {}
    for domain, home in raw.items():
        if not isinstance(home, dict) or not set(home) <= {"state", "city", "country"}:
            raise DataFileError(f"{file}: {domain!r} needs a mapping of state, city, country")
        country = home.get("country") or ("US" if home.get("state") else None)
        providers[str(domain).lower()] = Provider(home.get("state"), home.get("city"), country)
    tlds = data.get("generic_country_tlds", [])
    if not isinstance(tlds, list):
        raise DataFileError(f"{file}: 'generic_country_tlds' must be a list")
    return ProviderRules(providers, frozenset(str(t).lower() for t in tlds))
