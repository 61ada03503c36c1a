"""Load the corpus directory into the store: incremental, idempotent, one bad file at a time."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.corpus import CorpusError, ParsedArticle, iter_corpus_files, parse_document
from bot.extraction import EXTRACTOR_VERSION, extract
from bot.models import Article, Extraction
from bot.store import SourceFile, Store
from bot.store._articles import FileWrite, IngestCache

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]


@dataclass(slots=True)
class IngestSummary:
    """What an ingest did, for people and for the alerts that follow it."""

    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    merged: int = 0
    retracted: list[str] = field(default_factory=list)
    reextracted: int = 0
    files_parsed: int = 0
    files_skipped: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)

    def render(self) -> str:
        """A few lines: counts, then every rejection with its reason."""
        lines = [
            f"Ingest: {len(self.new)} new, {len(self.updated)} updated, {self.unchanged} unchanged,"
            f" {self.merged} duplicates merged, {len(self.retracted)} removed,"
            f" {len(self.rejected)} rejected"
            f" ({self.files_parsed} files read, {self.files_skipped} unchanged files skipped)."
        ]
        if self.reextracted:
            lines.append(f"Re-read {self.reextracted} stored articles with the current extractor.")
        for path, reason in self.rejected:
            lines.append(f"  rejected {path}: {reason}")
        return "\n".join(lines)


def to_article(parsed: ParsedArticle, article_id: str | None = None) -> Article:
    """The extraction input for a freshly parsed article."""
    return Article(
        id=article_id or parsed.stable_id(),
        title=parsed.title,
        excerpt=parsed.excerpt,
        body=parsed.body,
        url=parsed.url,
        published_at=parsed.published_at,
        provider_name=parsed.provider_name,
        provider_domain=parsed.provider_domain,
    )


def read_parsed(parsed: list[ParsedArticle]) -> list[tuple[ParsedArticle, Extraction]]:
    """Run the extractor on each parsed article."""
    return [(item, extract(to_article(item))) for item in parsed]


# Files are written in batches, one transaction each (a savepoint a file): a batch closes at
# this many articles or files, whichever comes first. Big enough that commits are rare, small
# enough that a batch is a fraction of a second of the database's time and of memory.
BATCH_ARTICLES = 500
BATCH_FILES = 100
# Stored articles re-read by a new extractor are loaded and saved this many at a time.
REEXTRACT_CHUNK = 500


@dataclass(slots=True)
class _Batch:
    """Files read, parsed and extracted, waiting to be written in one transaction."""

    writes: list[FileWrite] = field(default_factory=list)
    articles: int = 0

    def add(self, write: FileWrite) -> None:
        self.writes.append(write)
        self.articles += len(write.articles)

    def full(self) -> bool:
        return self.articles >= BATCH_ARTICLES or len(self.writes) >= BATCH_FILES


async def ingest_corpus(
    store: Store, directory: Path, *, progress: Progress | None = None
) -> IngestSummary:
    """Bring the store up to date with ``directory``; unchanged files are not even read."""
    summary = IngestSummary()
    directory = directory.resolve()
    if not directory.is_dir():
        raise FileNotFoundError(f"corpus directory {directory} does not exist")
    files = iter_corpus_files(directory)
    # Each path is visited once and only its own visit writes its record, so what was
    # recorded before the loop is what each visit would have read.
    recorded = await store.source_files()
    seen: set[str] = set()
    batch = _Batch()
    cache = IngestCache()
    for number, path in enumerate(files, start=1):
        key = str(path)
        seen.add(key)
        if progress:
            progress(number, len(files), path.name)
        try:
            write = _read_file(path, key, recorded.get(key), summary)
        except Exception:
            # The files read before the failure are written before it propagates (each
            # whole or not at all), as if every file had been written on its own.
            await _write_batch(store, batch, summary, cache)
            raise
        if write is None:
            continue
        batch.add(write)
        if batch.full():
            await _write_batch(store, batch, summary, cache)
            batch = _Batch()
        else:
            # Reading is CPU work in the event loop: let other tasks run between files.
            await asyncio.sleep(0)
    await _write_batch(store, batch, summary, cache)

    prefix = str(directory) + "/"
    gone = [p for p in await store.source_paths() if p.startswith(prefix) and p not in seen]
    summary.retracted.extend(await store.forget_source_files(gone))

    summary.reextracted = await _reextract_stale(store)
    log.info("%s", summary.render().splitlines()[0])
    return summary


async def _write_batch(
    store: Store, batch: _Batch, summary: IngestSummary, cache: IngestCache
) -> None:
    outcomes = await store.record_files(batch.writes, EXTRACTOR_VERSION, cache=cache)
    for outcome in outcomes:
        summary.new.extend(outcome.new)
        summary.updated.extend(outcome.updated)
        summary.unchanged += len(outcome.unchanged)
        summary.merged += len(outcome.merged)
        summary.retracted.extend(outcome.retracted)


async def _reextract_stale(store: Store) -> int:
    """Re-read the stored articles an older extractor read, a chunk at a time."""
    count = 0
    after = ""
    while stale := await store.articles_needing_extraction(
        EXTRACTOR_VERSION, after=after, limit=REEXTRACT_CHUNK
    ):
        await store.save_extractions(
            [(article.id, extract(article)) for article in stale], EXTRACTOR_VERSION
        )
        count += len(stale)
        after = stale[-1].id
    return count


def _read_file(
    path: Path, key: str, known: SourceFile | None, summary: IngestSummary
) -> FileWrite | None:
    """What to write for one file (None: nothing), its rejections noted in ``summary``."""
    try:
        stat = path.stat()
    except OSError as exc:
        summary.rejected.append((key, f"can't read file: {exc.strerror or exc}"))
        return None
    if known and known.size == stat.st_size and known.mtime_ns == stat.st_mtime_ns:
        summary.files_skipped += 1
        if known.error:
            summary.rejected.append((key, known.error))
        return None
    try:
        data = path.read_bytes() if stat.st_size <= 64 * 1024 * 1024 else b""
    except OSError as exc:
        summary.rejected.append((key, f"can't read file: {exc.strerror or exc}"))
        return None
    if not data and stat.st_size:
        # Too large to even hash sensibly: remember the refusal by size and time.
        reason = f"file is {stat.st_size:,} bytes, far over the size limit"
        summary.rejected.append((key, reason))
        return FileWrite("rejected", key, stat.st_size, stat.st_mtime_ns, "", error=reason)
    sha256 = hashlib.sha256(data).hexdigest()
    if known and known.sha256 == sha256 and not known.error:
        summary.files_skipped += 1
        return FileWrite("touched", key, stat.st_size, stat.st_mtime_ns)
    summary.files_parsed += 1
    try:
        result = parse_document(data, path=key)
    except CorpusError as exc:
        # The summary lists every rejection; a warning here would break the progress line.
        log.info("rejected %s", exc)
        summary.rejected.append((key, exc.reason))
        return FileWrite("rejected", key, stat.st_size, stat.st_mtime_ns, sha256, error=exc.reason)
    for problem in result.problems:
        summary.rejected.append((key, problem))
    return FileWrite(
        "articles", key, stat.st_size, stat.st_mtime_ns, sha256, read_parsed(result.articles)
    )
