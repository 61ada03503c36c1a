"""The rules' literal prefilter (needles declared in the data files): it skips a search only
when no match is possible."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

import bot.extraction as extraction
from bot.extraction import _rules
from bot.extraction._rules import (
    NeedleIndex,
    Rule,
    _after_boundary,
    action_rules,
    fold,
    reads_alike_in_ascii,
    scope_rules,
)
from bot.extraction.evaluation import article_from_item, load_items
from bot.models import Article

DATA = Path(__file__).resolve().parent.parent / "data"


@cache
def rules() -> list[Rule]:
    """Every action and scope rule (compiled on first use, not at collection)."""
    return [*action_rules().rules, *scope_rules().rules]


def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text, re.IGNORECASE)


@cache
def _texts() -> tuple[str, ...]:
    """Every field of the labelled real items, and their upper-case and title-case forms."""
    texts = []
    for name in ("dev.yaml", "holdout.yaml", "blind2.yaml"):
        for item in load_items(DATA / name):
            article = article_from_item(item)
            for text in (article.title, article.excerpt, article.body[:4000]):
                texts += [text, text.upper(), text.title()]
    return tuple(text for text in texts if text)


def test_every_rule_has_needles() -> None:
    assert all(rule.needles for rule in rules())


def test_no_match_is_ever_skipped_on_real_headlines() -> None:
    texts = _texts()
    matched = 0
    for rule in rules():
        assert rule.combined is not None
        for text in texts:
            if rule.combined.search(text):
                matched += 1
                assert rule.may_match(fold(text) or ""), (rule.label, text[:200])
    assert matched > 500


def test_one_search_of_the_alternation_answers_as_one_search_per_pattern() -> None:
    texts = _texts()
    for rule in rules():
        assert rule.combined is not None
        for text in texts:
            expected = any(pattern.search(text) for pattern in rule.patterns)
            assert (rule.combined.search(text) is not None) == expected, (rule.label, text[:200])


@pytest.mark.parametrize(
    ("pattern", "body"),
    [
        (r"\bfoo", "foo"),
        (r"\b(?:a|b)c", "(?:a|b)c"),
        (r"\b[|]x", "[|]x"),
        (r"\b\|x", r"\|x"),
        (r"\b[]|]x", "[]|]x"),
        (r"\b[^]|]x", "[^]|]x"),
        (r"\bfoo|bar", None),
        (r"\b[\]|]x|y", None),
        (r"\b(a)|b", None),
        (r"\b(?#|)x", None),
        (r"\b*", None),
        (r"\\bfoo", None),
        (r"foo\b", None),
    ],
)
def test_a_leading_word_boundary_is_shared_only_when_it_holds_for_the_whole_pattern(
    pattern: str, body: str | None
) -> None:
    assert _after_boundary(pattern) == body


def test_the_ascii_alternation_answers_as_the_unicode_one_where_the_text_reads_alike() -> None:
    # Every character outside ASCII that reads alike, where a space and a letter stood (each
    # text once as it is, once with both: every odd character is met many times either way).
    odd = sorted({chr(code) for code in range(0x80, 0x3000) if reads_alike_in_ascii(chr(code))})
    texts = list(_texts())
    texts += [
        text.replace(" ", odd[index % len(odd)], 3).replace("e", odd[-index % len(odd)], 3)
        for index, text in enumerate(texts)
    ]
    alike = [text for text in texts if reads_alike_in_ascii(text)]
    assert len(alike) > len(texts) // 2
    for rule in rules():
        assert rule.combined is not None and rule.ascii_combined is not None
        for text in alike:
            expected = rule.combined.search(text) is not None
            assert (rule.ascii_combined.search(text) is not None) == expected, (rule.label, text)


@pytest.mark.parametrize(
    ("text", "alike"),
    [
        ("Council bans facial recognition", True),
        ("Council’s “ban” — on facial recognition…", True),
        ("Montréal bans facial recognition", False),  # a letter: \w outside ASCII
        ("No\u00a0break", False),  # a space outside ASCII
        ("Unit\x1cseparator", False),  # \s without re.ASCII
        ("Police use fa\u212aes", False),  # the Kelvin sign matches k
        ("\u24b6 circled", False),  # a symbol with a case
        ("forty\u00b2", False),  # a digit outside ASCII
    ],
)
def test_which_texts_read_alike_in_ascii(text: str, alike: bool) -> None:
    assert reads_alike_in_ascii(text) == alike


def test_the_needles_found_in_one_scan_are_those_each_in_test_finds() -> None:
    # Needles that start with others ("ban", "bans", "banned") and overlap ("ordere", "red").
    index = NeedleIndex.of(tuple(rules()))
    needles = {needle for rule in rules() for needle in rule.needles or ()}
    for text in _texts():
        folded = fold(text)
        if folded is not None:
            assert index.found(text) == {n for n in needles if n in folded}, text[:200]
    assert index.found("banned orderedbans") == {"ban", "banned", "bans", "order", "ordere",
                                                 "ordered", "red"} & needles  # fmt: skip
    assert index.found("Police use fa\u212aes") is None


@pytest.mark.parametrize(
    "text",
    ["Police use fa\u212aes", "Police use fake\u017f", "recogn\u0131tion", "recogn\u0130tion"],
    ids=["kelvin-sign", "long-s", "dotless-i", "dotted-capital-i"],
)
def test_characters_that_fold_unlike_lower_turn_the_prefilter_off(text: str) -> None:
    # "K" (Kelvin), "ſ" (long s), "ı" and "İ" match k, s and i under IGNORECASE, which is
    # what the patterns use; str.lower() keeps three of them apart from those letters.
    pattern = _pattern(r"fakes|recognition")
    rule = Rule("x", 1.0, (pattern,), None, pattern, ("fakes", "recognition"))
    assert pattern.search(text)
    assert fold(text) is None
    assert rule.matches(text, fold(text))


def test_readings_are_the_same_with_and_without_the_prefilter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    articles = [
        article_from_item(item)
        for name in ("dev.yaml", "holdout.yaml", "blind2.yaml")
        for item in load_items(DATA / name)
    ]
    articles.append(Article(id="odd", title="Ci\u0131ty council bans fac\u0130al recognition"))
    with_prefilter = [extraction.extract(article) for article in articles]
    monkeypatch.setattr(_rules, "fold", lambda text: None)
    assert [extraction.extract(article) for article in articles] == with_prefilter
