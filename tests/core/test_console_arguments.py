"""How the console splits a command line into options and words."""

from __future__ import annotations

import pytest

from bot.console import parse_arguments
from bot.errors import BanwatchError


def test_a_quoted_word_stays_a_word_even_with_a_colon() -> None:
    # A place key, as autocomplete sends and the hand-checked statuses test types.
    assert parse_arguments('"state:US:WA"', ("place",)) == ({}, ["state:US:WA"])
    assert parse_arguments('"Portland, ME"', ("place",)) == ({}, ["Portland, ME"])


def test_options_take_quoted_values_and_unknown_options_are_errors() -> None:
    named, words = parse_arguments('title:"Ban FR now" goal:2 extra', ("title", "goal"))
    assert named == {"title": "Ban FR now", "goal": "2"} and words == ["extra"]
    with pytest.raises(BanwatchError, match="Unknown option `state:`"):
        parse_arguments("state:ZZ", ("place",))
