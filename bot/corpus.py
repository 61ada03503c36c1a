"""Read the coverage corpus: YAML front-matter documents and plain-text articles.

Parsing is pure (no database): :func:`parse_document` turns the bytes of one file into
:class:`ParsedArticle` records plus item-level problems; the store decides what is new.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import yaml

from bot.data import load_yaml as load_data_file
from bot.taxonomy import ACTIONS, SCOPES

DATA_DIR = Path(__file__).parent / "data"

# Real articles are a few KB; anything this large is a mistake or an attack.
MAX_FILE_BYTES = 2 * 1024 * 1024
# Fields longer than this are cut: a title is a line, not a book.
MAX_TITLE_CHARS = 500
MAX_EXCERPT_CHARS = 5_000

NO_DATE = (None, "")
TRACKING_PARAMS = re.compile(
    r"^(utm_.*|fbclid|gclid|dclid|mc_cid|mc_eid|cmpid|ref|ref_src|_ga|igshid|outputtype|amp|cid)$",
    re.IGNORECASE,
)


class CorpusError(Exception):
    """A corpus file (or one item in it) could not be read; says which and why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ReviewedReading:
    """An item's reviewed reading (its ``labels:``), trusted only from the bundled corpus
    inside the package (see :func:`bot.ingest.read_parsed`); elsewhere it is dropped."""

    is_policy: bool
    action: str
    scope: str
    place_key: str | None
    event_date: dt.date | None


@dataclass(slots=True)
class ParsedArticle:
    """One article as read from a corpus file, before it meets the store."""

    title: str
    excerpt: str = ""
    body: str = ""
    url: str | None = None
    variant_urls: list[str] = field(default_factory=list)
    published_at: dt.datetime | None = None
    provider_name: str | None = None
    provider_domain: str | None = None
    topics: list[str] = field(default_factory=list)
    # Index of the parent within the same parse result (related items point at their document).
    parent_index: int | None = None
    # The item's reviewed reading, as its file says; ingest keeps it only for bundled files.
    labels: ReviewedReading | None = None

    @property
    def canonical_url(self) -> str | None:
        """The URL with AMP/CDN wrappers and tracking parameters removed."""
        return canonical_url(self.url) if self.url else None

    def natural_key(self) -> str:
        """What identifies the story: its canonical URL, else provider and headline."""
        if self.canonical_url:
            return "url:" + self.canonical_url
        provider = (self.provider_domain or self.provider_name or "").lower()
        return f"title:{provider}:{normalize_title(self.title)}"

    def stable_id(self) -> str:
        """A short id derived from :meth:`natural_key`, the same on every ingest."""
        digest = hashlib.sha1(self.natural_key().encode()).hexdigest()
        return "a" + digest[:9]

    def content_hash(self) -> str:
        """Changes whenever anything stored about the article changes."""
        parts = [
            self.title,
            self.excerpt,
            self.body,
            self.url or "",
            self.published_at.isoformat() if self.published_at else "",
            self.provider_name or "",
            self.provider_domain or "",
        ]
        return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()


@dataclass(slots=True)
class ParseResult:
    """The articles read from one file and the items that had to be rejected."""

    articles: list[ParsedArticle] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# Memoised for the same-story check, which compares a headline with its few candidates more
# than once; a few thousand entries serve that (65,536 held ~20 MB through a big ingest).
@lru_cache(maxsize=4096)
def normalize_title(title: str) -> str:
    """Lower-case, accent-free, punctuation-free form used to compare headlines."""
    text = unicodedata.normalize("NFKD", title)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


@lru_cache(maxsize=4096)
def canonical_url(url: str) -> str:
    """Strip AMP and CDN variants and tracking parameters so one story has one URL.

    ``https://www-wwlp-com.cdn.ampproject.org/c/s/www.wwlp.com/x/amp/`` and
    ``https://www.wwlp.com/x/?utm_source=t`` both become ``wwlp.com/x``.
    """
    url = url.strip()
    parts = urlsplit(url if "://" in url else "https://" + url)
    host = (parts.hostname or "").lower()
    path = parts.path
    if host.endswith(".cdn.ampproject.org"):
        # /c/s/<real host>/<path> (s = https) or /c/<real host>/<path>
        match = re.match(r"^/[a-z](?:/s)?/([^/]+)(/.*)?$", path)
        if match:
            host = match.group(1).lower()
            path = match.group(2) or "/"
    if host.startswith("www."):
        host = host[4:]
    if host.startswith("amp."):
        host = host[4:]
    path = re.sub(r"/amp/?$", "/", path)
    path = re.sub(r"\.amp(\.html?)?$", r"\1", path)
    path = path.rstrip("/") or ""
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not TRACKING_PARAMS.match(key)
    ]
    query.sort()
    return urlunsplit(("", host, path, urlencode(query), "")).lstrip("/")


def parse_date(value: Any, *, path: str, field_name: str) -> dt.datetime | None:
    """Parse a feed date into an aware UTC datetime; raise CorpusError when it is nonsense."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day)
    else:
        # Imported on first use: the store imports this module, and a command-line look-up,
        # which parses no date, would pay dateutil's import (a tenth of its start-up).
        from dateutil import parser as date_parser

        text = str(value).strip()
        try:
            parsed = date_parser.parse(text)
        except (ValueError, OverflowError) as exc:
            raise CorpusError(path, f"{field_name}: can't parse date {text[:60]!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    parsed = parsed.astimezone(dt.UTC)
    if not 1990 <= parsed.year <= dt.datetime.now(dt.UTC).year + 1:
        raise CorpusError(path, f"{field_name}: date {parsed.date()} is out of range")
    return parsed


class _NoAliasSafeLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors/aliases: they are how "billion laughs" YAML explodes."""

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.constructor.ConstructorError(
                None, None, "YAML aliases (*name) are not allowed in corpus files", event.start_mark
            )
        return super().compose_node(parent, index)


# libyaml parses an order of magnitude faster than PyYAML's pure-Python scanner.
_FastSafeLoader: type | None = getattr(yaml, "CSafeLoader", None)


def _has_shared_node(root: yaml.Node) -> bool:
    """True when some node appears twice in the graph: that is what an alias composes to."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append(key)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return False


def _load_yaml_fast(text: str) -> tuple[bool, Any]:
    """(True, data) when libyaml reads ``text`` cleanly; (False, None) leaves it to PyYAML.

    Anything unusual (an error, an alias) goes the slow way, so rejections keep their exact
    wording and the alias check stays where it is, before any construction.
    """
    if _FastSafeLoader is None:
        return False, None
    loader = _FastSafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return True, None
        if _has_shared_node(root):
            return False, None
        return True, loader.construct_document(root)
    except yaml.YAMLError as exc:
        if "maximum nesting depth" in str(exc):
            # libyaml stops at 1,000 levels; PyYAML would take seconds to reach Python's
            # recursion limit on the same text.
            raise _TooDeep from None
        return False, None
    except (ValueError, OverflowError, RecursionError):
        return False, None
    finally:
        loader.dispose()


class _TooDeep(Exception):
    """YAML nested deeper than any article needs."""


def load_yaml(text: str, *, path: str) -> Any:
    """Load YAML safely: no object construction, no aliases; errors name the file."""
    try:
        fast, data = _load_yaml_fast(text)
    except _TooDeep:
        raise CorpusError(path, "malformed YAML: nested too deeply") from None
    if fast:
        return data
    try:
        return yaml.load(text, Loader=_NoAliasSafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CorpusError(path, f"malformed YAML{where}: {problem}") from exc
    except (ValueError, OverflowError) as exc:
        # A well-formed value that can't be built, e.g. an unquoted 2019-02-30 (a timestamp
        # to YAML, an impossible date to Python).
        raise CorpusError(path, f"malformed YAML: a value can't be read ({exc})") from exc
    except RecursionError:
        # Thousands of nested [ or { levels: PyYAML composes recursively.
        raise CorpusError(path, "malformed YAML: nested too deeply") from None


def decode_text(data: bytes, *, path: str) -> str:
    """Decode a corpus file, refusing binaries, oversized files and non-UTF-8 text."""
    if len(data) > MAX_FILE_BYTES:
        raise CorpusError(
            path, f"file is {len(data):,} bytes, over the {MAX_FILE_BYTES:,}-byte limit"
        )
    if b"\x00" in data:
        raise CorpusError(path, "binary file (contains NUL bytes), not a text article")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusError(
            path, f"not UTF-8 text (bad byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from exc


def parse_document(data: bytes, *, path: str) -> ParseResult:
    """Parse one corpus file in either format. Raises CorpusError if the whole file is bad."""
    text = decode_text(data, path=path).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise CorpusError(path, "file is empty")
    if text.lstrip("\ufeff").startswith("---"):
        return _parse_front_matter(text, path=path)
    return _parse_plain_text(text, path=path)


# C0 and C1 control characters and DEL (terminal escapes, bells, NULs), and lone UTF-16
# surrogates (a YAML "\ud800" escape), none of which belongs in stored text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def strip_controls(text: str) -> str:
    """``text`` without control characters or lone surrogates; newlines and tabs stay."""
    return _CONTROL.sub("", text)


def _clean(value: Any, limit: int) -> str:
    """A stripped single string from any YAML scalar; None becomes ''."""
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        return ""
    text = " ".join(strip_controls(str(value)).split())
    if len(text) > limit:
        cut = text[:limit].rsplit(" ", 1)[0]
        text = cut + "…"
    return text


def _provider(value: Any) -> tuple[str | None, str | None]:
    if isinstance(value, dict):
        name = _clean(value.get("name"), 200) or None
        domain = _clean(value.get("domain"), 200).lower() or None
        return name, domain
    if isinstance(value, str):
        return _clean(value, 200) or None, None
    return None, None


def web_url(url: str | None) -> str | None:
    """``url`` if it is a web link (http or https with a host), else None: a
    ``javascript:`` or ``data:`` URL is never stored, shown or linked."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def _domain_of(url: str | None) -> str | None:
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host or None


def _article_from_mapping(
    item: Any, *, path: str, where: str, body: str = "", parent_index: int | None = None
) -> ParsedArticle:
    """Build an article from a front-matter mapping or one of its ``related`` entries."""
    if not isinstance(item, dict):
        raise CorpusError(path, f"{where}: expected a mapping of fields, got {type(item).__name__}")
    title = _clean(item.get("title"), MAX_TITLE_CHARS)
    if not title:
        raise CorpusError(path, f"{where}: missing title")
    url = web_url(_clean(item.get("webUrl") or item.get("url"), 2000))
    variants = [
        variant
        for key in ("ampWebUrl", "cdnAmpWebUrl", "ampUrl")
        if (variant := web_url(_clean(item.get(key), 2000)))
    ]
    date_field = next(
        (
            key
            for key in ("publishedDateTime", "published", "date")
            if item.get(key) not in (None, "")
        ),
        None,
    )
    # ``published: false`` in the seeds is a flag, not a date.
    published = item.get(date_field) if date_field else None
    if isinstance(published, bool):
        published = None
    published_at = parse_date(published, path=path, field_name=f"{where}: {date_field}")
    provider_name, provider_domain = _provider(item.get("provider"))
    topics = item.get("topics")
    labels = _labels(item.get("labels"), path=path, where=where) if "labels" in item else None
    return ParsedArticle(
        title=title,
        excerpt=_clean(item.get("excerpt") or item.get("description"), MAX_EXCERPT_CHARS),
        body=body,
        url=url,
        variant_urls=variants,
        published_at=published_at,
        provider_name=provider_name,
        provider_domain=provider_domain or _domain_of(url),
        topics=[str(topic) for topic in topics if isinstance(topic, str | int)]
        if isinstance(topics, list)
        else [],
        parent_index=parent_index,
        labels=labels,
    )


PLACE_KEY = re.compile(r"^(city|county|state|national|company):[A-Z]{0,3}:[^:]*(:[^:]+)?$")


def _labels(value: Any, *, path: str, where: str) -> ReviewedReading:
    """A ``labels:`` mapping (is_policy, action, scope, place key, event_date), validated."""
    if not isinstance(value, dict):
        raise CorpusError(path, f"{where}: labels: expected a mapping")
    action = value.get("action")
    scope = value.get("scope")
    place = value.get("place")
    if action not in ACTIONS:
        raise CorpusError(path, f"{where}: labels: unknown action {str(action)[:40]!r}")
    if scope not in SCOPES:
        raise CorpusError(path, f"{where}: labels: unknown scope {str(scope)[:40]!r}")
    if place is not None and not (isinstance(place, str) and PLACE_KEY.match(place)):
        raise CorpusError(path, f"{where}: labels: place must be a place key")
    when = parse_date(value.get("event_date"), path=path, field_name=f"{where}: labels: event_date")
    return ReviewedReading(
        is_policy=action != "none",
        action=action,
        scope=scope,
        place_key=place,
        event_date=when.date() if when else None,
    )


def _parse_front_matter(text: str, *, path: str) -> ParseResult:
    lines = text.lstrip("\ufeff").split("\n")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise CorpusError(path, "front matter starts with '---' but never ends") from None
    meta = load_yaml("\n".join(lines[1:end]), path=path)
    body = clean_body("\n".join(lines[end + 1 :]))
    if not isinstance(meta, dict):
        raise CorpusError(path, "front matter is not a mapping of fields")

    result = ParseResult()
    parent_index: int | None = None
    try:
        result.articles.append(_article_from_mapping(meta, path=path, where="document", body=body))
        parent_index = 0
    except CorpusError as exc:
        result.problems.append(exc.reason)

    related = meta.get("related") or []
    if not isinstance(related, list):
        result.problems.append("related: expected a list of articles")
        related = []
    for number, item in enumerate(related, start=1):
        try:
            result.articles.append(
                _article_from_mapping(
                    item, path=path, where=f"related item {number}", parent_index=parent_index
                )
            )
        except CorpusError as exc:
            result.problems.append(exc.reason)
    if not result.articles:
        raise CorpusError(path, "; ".join(result.problems) or "no articles in file")
    return result


@cache
def _boilerplate() -> tuple[list[re.Pattern[str]], list[re.Pattern[str]]]:
    path = DATA_DIR / "boilerplate.yaml"
    data = load_data_file(path.name)
    try:
        trailing = [re.compile(rf"^(?:{p})$", re.IGNORECASE) for p in data["trailing_lines"]]
        furniture = [re.compile(rf"^(?:{p})$", re.IGNORECASE) for p in data["furniture_lines"]]
    except (KeyError, TypeError, re.error) as exc:
        raise RuntimeError(f"{path}: invalid boilerplate rules: {exc}") from exc
    return trailing, furniture


def clean_body(text: str) -> str:
    """Drop page furniture and trailing boilerplate ("Contact Us") from article prose."""
    trailing, furniture = _boilerplate()
    paragraphs = [" ".join(line.split()) for line in strip_controls(text).split("\n")]
    paragraphs = [p for p in paragraphs if p and not any(rx.match(p) for rx in furniture)]
    while paragraphs and any(rx.match(paragraphs[-1]) for rx in trailing):
        paragraphs.pop()
    return "\n\n".join(paragraphs)


_BYLINE = re.compile(
    r"^(by\s+.+|.*\b(inc|llc|ltd|corp|co|news|press|media|times|post|tribune|associated press|"
    r"reuters|ap|nbc|cbs|abc|fox|cnn|npr|pbs)\b\.?,?.*)$",
    re.IGNORECASE,
)


def _looks_like_provider_line(line: str) -> bool:
    """A short line without sentence punctuation, like "NBCUniversal, Inc." or "By Jane Doe"."""
    if len(line) > 80 or line.endswith(("?", "!", ":")):
        return False
    if line.endswith(".") and not re.search(r"\b(Inc|Ltd|Co|Corp|Jr|Sr)\.$", line):
        return False
    return bool(_BYLINE.match(line)) or len(line.split()) <= 6


def _looks_like_topic_line(line: str) -> bool:
    """The plain-text format starts with a short topic label such as "facial recognition"."""
    return len(line) <= 40 and not re.search(r"[.!?:]$", line) and line == line.lower()


def _parse_plain_text(text: str, *, path: str) -> ParseResult:
    paragraphs = [" ".join(line.split()) for line in strip_controls(text).split("\n")]
    paragraphs = [p for p in paragraphs if p]
    topics: list[str] = []
    if len(paragraphs) >= 2 and _looks_like_topic_line(paragraphs[0]):
        topics.append(paragraphs.pop(0))
    if not paragraphs:
        raise CorpusError(path, "missing title (no headline after the topic line)")
    title = _clean(paragraphs.pop(0), MAX_TITLE_CHARS)
    published_at: dt.datetime | None = None
    standfirst = ""
    provider_name: str | None = None
    # Header lines after the headline: a standfirst, a provider/byline, maybe a date line.
    for _ in range(3):
        if not paragraphs:
            break
        line = paragraphs[0]
        date_match = re.match(r"^(published|updated|posted)?:?\s*(.{6,40})$", line, re.IGNORECASE)
        if date_match and published_at is None and re.search(r"\d{4}", line):
            try:
                published_at = parse_date(date_match.group(2), path=path, field_name="date line")
                paragraphs.pop(0)
                continue
            except CorpusError:
                pass
        if provider_name is None and _looks_like_provider_line(line):
            provider_name = re.sub(r"^by\s+", "", line, flags=re.IGNORECASE)
            paragraphs.pop(0)
            continue
        if not standfirst and len(line) <= 300 and provider_name is None:
            standfirst = paragraphs.pop(0)
            continue
        break
    body = clean_body("\n".join(paragraphs))
    article = ParsedArticle(
        title=title,
        excerpt=_clean(standfirst, MAX_EXCERPT_CHARS),
        body=body,
        published_at=published_at,
        provider_name=provider_name,
        topics=topics,
    )
    return ParseResult(articles=[article])


def iter_corpus_files(directory: Path) -> list[Path]:
    """The corpus files under ``directory``, sorted so ingest order (and ids) are stable."""
    return survey_corpus(directory)[0]


def survey_corpus(directory: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The readable corpus files under ``directory`` (sorted), and the entries passed over
    with why: links leading out of the folder, FIFOs, sockets and devices.

    Hidden names (``.git``, editors' swap files) are not corpus files and are passed over
    silently. Links inside the folder are followed; a link to ``/etc/passwd`` is not.
    """
    root = directory.resolve()
    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for folder, subfolders, names in os.walk(directory, followlinks=False):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in names:
            if name.startswith("."):
                continue
            path = Path(folder) / name
            reason = _not_a_corpus_file(path, root)
            if reason:
                skipped.append((path, reason))
            else:
                files.append(path)
    files.sort()
    skipped.sort()
    return files, skipped


def _not_a_corpus_file(path: Path, root: Path) -> str | None:
    """Why ``path`` is passed over, or None for a regular file inside the corpus folder."""
    try:
        if path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(root):
                return "link to a file outside the corpus folder, not followed"
        mode = path.stat().st_mode
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
        return f"can't read file: {getattr(exc, 'strerror', None) or exc}"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "link to a folder, not followed"
    kind = "FIFO" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode) else "device"
    return f"not a regular file (a {kind}), not read"


def read_limited(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """At most ``limit`` + 1 bytes of a file: enough to tell it is too large, never more
    (``/dev/zero`` or a file growing while it is read)."""
    with open(path, "rb") as handle:
        return handle.read(limit + 1)
