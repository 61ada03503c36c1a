"""Same-story detection: when an article read from the corpus is one already stored.

The store finds the candidates (the same canonical URL, URL variant or stable id, else the
same provider's articles near the date); this module decides which headline is the same
story. Different outlets' headlines never merge: each keeps its own article.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from rapidfuzz import fuzz

from bot.corpus import ParsedArticle, normalize_title

# Headlines from the same provider this similar (0-100) are the same story.
SAME_STORY_TITLE_SCORE = 90
# ... when published this close together.
SAME_STORY_WINDOW = dt.timedelta(days=3)


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
    is this story: published within :data:`SAME_STORY_WINDOW` of it (either undated counts)
    and with a headline at least :data:`SAME_STORY_TITLE_SCORE` alike.

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
            wanted = normalize_title(parsed.title)
        score = fuzz.token_sort_ratio(
            wanted, normalize_title(title), score_cutoff=SAME_STORY_TITLE_SCORE
        )
        if score >= SAME_STORY_TITLE_SCORE:
            return candidate_id
    return None
