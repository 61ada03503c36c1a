"""Short texts about an article: a lead summary for alerts, a highlight for status answers."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from bot.corpus import clean_body
from bot.data import DataFileError, load_yaml
from bot.models import Article

MAX_SUMMARY_CHARS = 400
MAX_SENTENCES = 3
# Stored notes (article_notes) of another version are worked out again when asked for:
# raise it whenever a change here changes what event_note returns.
NOTE_VERSION = 1

# Lines (or sentence starts) that are bylines, datelines or page furniture, not news.
_BYLINE = re.compile(
    r"^(by\s+[A-Z][\w.'-]*(\s+[A-Z][\w.'-]*){0,3}(\s*(,|and)\s*[A-Z][\w.'-]*(\s+[A-Z][\w.'-]*)"
    r"{0,3})*\s*$|(posted|published|updated|last updated)\b.*$|(photo|image|video|credit)s?:.*$"
    r"|\(?(ap|reuters|afp)\)?\s*$)",
    re.IGNORECASE,
)
# "SPRINGFIELD, Mass. (AP) — " or "By Jane Doe, Staff Writer | " at the start of a lead.
_LEAD_PREFIX = re.compile(
    r"^(by\s+[A-Z][\w.'-]*(\s+[A-Z][\w.'-]*){0,3}\s*[,|•-]\s*"
    r"|[A-Z][A-Z .'-]{2,40}(,\s*[A-Z][\w.]*\.?)?\s*(\([A-Za-z ]+\))?\s*[—–-]+\s*"
    r"|\([A-Z][A-Z .'-]{2,40}\)\s*)"
)
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)]))\s+(?=[\"'“‘(]?[A-Z0-9])")
_ABBREVIATION = re.compile(
    r"\b(Mr|Mrs|Ms|Dr|St|Sen|Rep|Gov|Lt|Gen|Jr|Sr|Inc|Co|Corp|No|vs|Mass|Calif|Ore|Wash"
    r"|Ill|Fla|Mich|Minn|Penn|Va|Conn|Ariz|Colo|Tenn|[A-Z])\.$"
)


def _sentences(text: str) -> list[str]:
    pieces = _SENTENCE_END.split(text)
    sentences: list[str] = []
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        if sentences and _ABBREVIATION.search(sentences[-1]):
            sentences[-1] += " " + piece
        else:
            sentences.append(piece)
    return sentences


def _prose(text: str) -> str:
    cleaned = clean_body(text or "")
    lines = [line for line in cleaned.split("\n\n") if line and not _BYLINE.match(line.strip())]
    prose = " ".join(lines)
    return _LEAD_PREFIX.sub("", prose, count=1).strip()


@lru_cache(maxsize=256)
def _prose_sentences(text: str | None) -> tuple[str, ...]:
    """The sentences of an excerpt or body with bylines and page furniture dropped.

    Kept for the last few texts: a status answer's note summarises the lead and then looks
    for a highlight in the same texts, and splitting them is most of its cost.
    """
    return tuple(_sentences(_prose(text or "")))


def clip_words(text: str, limit: int) -> str:
    """``text`` shortened to at most ``limit`` characters at a word boundary, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-—–") + "…"


def summarize(article: Article, *, limit: int = MAX_SUMMARY_CHARS) -> str:
    """Two or three lead sentences (excerpt first, else body), bylines dropped, whole words."""
    title = " ".join(article.title.split()).casefold()
    fallback = subhead = ""
    for source in (article.excerpt, article.body):
        sentences = [s for s in _prose_sentences(source) if s.casefold() != title]
        # An excerpt cut off by its feed ("... and ...") ends in a fragment: leave it out.
        if len(sentences) > 1 and sentences[-1].endswith(("...", "…")):
            sentences.pop()
        if not sentences:
            continue
        is_subhead = len(sentences) == 1 and sentences[0][-1] not in ".!?…\"”’'"
        if source is article.excerpt and is_subhead and article.body:
            # A standfirst without a full stop is a subheading; the body's lead says more.
            subhead = sentences[0]
            continue
        chosen: list[str] = []
        for sentence in sentences[:MAX_SENTENCES]:
            candidate = " ".join([*chosen, sentence])
            if len(candidate) > limit:
                break
            chosen.append(sentence)
        if len(chosen) >= 2 or (chosen and len(sentences) == 1):
            return " ".join(chosen)
        # One sentence from the excerpt is fine, but the body may give two: keep looking.
        fallback = fallback or (" ".join(chosen) if chosen else clip_words(sentences[0], limit))
    return fallback or subhead


@cache
def _highlight_cues() -> tuple[re.Pattern[str], tuple[tuple[re.Pattern[str], int], ...]]:
    """Any cue (one search tells most sentences apart), and each cue with its weight."""
    data = load_yaml("highlights.yaml")
    try:
        cues = tuple(
            (re.compile(item["pattern"], re.IGNORECASE), int(item["weight"]))
            for item in data["cues"]
        )
        any_cue = re.compile("|".join(f"(?:{cue.pattern})" for cue, _ in cues), re.IGNORECASE)
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise DataFileError(f"highlights.yaml: invalid cue: {exc}") from exc
    return any_cue, cues


def highlight(article: Article, *, exclude: str = "", limit: int = 300) -> str:
    """The sentence that best reports what officials did or will do, not already in ``exclude``.

    A status answer shows it beside the event, so "the mayor announced a working group" deep
    in an article about a coalition's petition is not lost.
    """
    best: tuple[int, int, str] | None = None
    any_cue, cues = _highlight_cues()
    sentences = _prose_sentences(article.excerpt) + _prose_sentences(article.body)
    for position, sentence in enumerate(sentences):
        if sentence in exclude or len(sentence) < 20 or sentence.endswith(("...", "…")):
            continue
        if not any_cue.search(sentence):
            continue
        score = sum(weight for pattern, weight in cues if pattern.search(sentence))
        if score and (best is None or (score, -position) > (best[0], best[1])):
            best = (score, -position, sentence)
    return clip_words(best[2].strip("“”\"' "), limit) if best else ""


def event_note(article: Article, *, limit: int = 500) -> str:
    """A short lead summary plus the official-response highlight, for a status answer."""
    lead = summarize(article, limit=limit // 2)
    if lead and lead[-1] not in ".!?…\"”’'":
        lead += "."
    extra = highlight(article, exclude=lead, limit=limit - len(lead) - 1)
    return " ".join(part for part in (lead, extra) if part)
