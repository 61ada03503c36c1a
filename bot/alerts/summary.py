"""Two or three sentences about an article, from its lead or excerpt, for an alert."""

from __future__ import annotations

import re

from bot.corpus import clean_body
from bot.models import Article

MAX_SUMMARY_CHARS = 400
MAX_SENTENCES = 3

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
    r"|[A-Z][A-Z .'-]{2,40}(,\s*[A-Z][\w.]*\.?)?\s*(\([A-Za-z ]+\))?\s*[—–-]+\s*)"
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
    for source in (article.excerpt, article.body):
        sentences = [s for s in _sentences(_prose(source)) if s.casefold() != title]
        # An excerpt cut off by its feed ("... and ...") ends in a fragment: leave it out.
        if len(sentences) > 1 and sentences[-1].endswith(("...", "…")):
            sentences.pop()
        if not sentences:
            continue
        chosen: list[str] = []
        for sentence in sentences[:MAX_SENTENCES]:
            candidate = " ".join([*chosen, sentence])
            if len(candidate) > limit:
                break
            chosen.append(sentence)
        if len(chosen) >= 2 or (chosen and len(sentences) == 1):
            return " ".join(chosen)
        if chosen and source is article.body:
            return " ".join(chosen)
        if not chosen and source is article.body:
            return clip_words(sentences[0], limit)
    return ""
