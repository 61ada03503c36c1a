"""Same-story detection: when an article read from the corpus is one already stored.

The store finds the candidates (the same canonical URL, URL variant or stable id, else the
same provider's articles near the date); this module decides which headline is the same
story. Different outlets' headlines never merge: each keeps its own article, and headlines
that differ in a name or a figure are different stories ("Lynn council votes to ban ..." and
"Newton council votes to ban ...", as local sites template them).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import fuzz

from bot.corpus import ParsedArticle, normalize_title

# Headlines from the same provider this similar (0-100) are the same story.
SAME_STORY_TITLE_SCORE = 90
# ... when published this close together.
SAME_STORY_WINDOW = dt.timedelta(days=3)
# The most candidates of each kind (near the date, undated) compared for one article, the
# provider's latest: a file of 10,000 related items from one outlet must not compare every
# pair, and no outlet publishes 32 items on facial recognition in a week.
MAX_CANDIDATES = 32
# Figures written as words: English's closed class, not a vocabulary to grow.
NUMBER_WORDS = frozenset(
    {
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred",
        "hundreds", "thousand", "thousands", "million", "millions", "billion", "billions", "first",
        "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
        "dozen", "dozens", "half",
    }
)
_WORD = re.compile(r"\w+")


@lru_cache(maxsize=8192)
def _normalized(title: str) -> str:
    return normalize_title(title)


def _is_figure(word: str) -> bool:
    return word in NUMBER_WORDS or any(ch.isdigit() for ch in word)


@lru_cache(maxsize=8192)
def _figures(title: str) -> frozenset[str]:
    return frozenset(word for word in _normalized(title).split() if _is_figure(word))


@lru_cache(maxsize=8192)
def _names(title: str) -> tuple[frozenset[str], bool]:
    """The headline's capitalised words, normalised (any position: the first word of two
    templated headlines is often the place), and whether it is in Title Case (where every
    word is capitalised, so capitals name nothing in particular)."""
    words = _WORD.findall(title)
    capitalised = [word for word in words if word[0].isupper()]
    names = {part for word in capitalised for part in normalize_title(word).split()}
    title_case = len(words) >= 4 and len(capitalised) >= 0.7 * len(words)
    return frozenset(names), title_case


def same_names_and_figures(first: str, second: str) -> bool:
    """Whether two headlines name the same places (and people, bodies) and give the same
    figures: no word that differs between them is a number or a name.

    In a Title Case headline a capitalised word is taken for a name only where the other
    headline puts another word (Lynn -> Newton), not where words were only added ("Amid
    Privacy Concerns"): splitting a story in two costs less than losing one.
    """
    if _figures(first) != _figures(second):
        return False
    first_words = set(_normalized(first).split())
    second_words = set(_normalized(second).split())
    only_first, only_second = first_words - second_words, second_words - first_words
    for own, other, title in ((only_first, only_second, first), (only_second, only_first, second)):
        names, title_case = _names(title)
        if (not title_case or other) and own & names:
            return False
    return True


def loose_date_window(published_at: dt.datetime | None) -> tuple[str, str] | None:
    """ISO bounds for the store's cut of candidates by publication time (None: undated).

    A day looser than :data:`SAME_STORY_WINDOW` on each side, which covers any UTC offset of
    the stored text; :func:`first_same_story` checks the exact window on parsed times.
    """
    if published_at is None:
        return None
    margin = SAME_STORY_WINDOW + dt.timedelta(days=1)
    return (published_at - margin).isoformat(), (published_at + margin).isoformat()


def first_same_story(
    parsed: ParsedArticle, candidates: Iterable[tuple[str, str, dt.datetime | None]]
) -> str | None:
    """The id of the first candidate ``(id, headline, published)`` of the same provider that
    is this story: published within :data:`SAME_STORY_WINDOW` of it (either undated counts),
    with a headline at least :data:`SAME_STORY_TITLE_SCORE` alike, naming the same places
    and giving the same figures (:func:`same_names_and_figures`).

    Candidates are read lazily, in the store's order, and the first match wins.
    """
    wanted = None  # normalised only if some candidate is close enough in time
    for candidate_id, title, published in candidates:
        too_far_apart = (
            parsed.published_at is not None
            and published is not None
            and abs(parsed.published_at - published) > SAME_STORY_WINDOW
        )
        if too_far_apart:
            continue
        if wanted is None:
            wanted = _normalized(parsed.title)
        if _figures(title) != _figures(parsed.title):
            continue  # the cheapest test first
        score = fuzz.token_sort_ratio(
            wanted, _normalized(title), score_cutoff=SAME_STORY_TITLE_SCORE
        )
        if score >= SAME_STORY_TITLE_SCORE and same_names_and_figures(parsed.title, title):
            return candidate_id
    return None
