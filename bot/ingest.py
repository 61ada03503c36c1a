"""Load the corpus directory into the store: incremental, idempotent, one bad file at a time."""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import hashlib
import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from bot.corpus import (
    MAX_FILE_BYTES,
    CorpusError,
    ParsedArticle,
    parse_document,
    read_limited,
    survey_corpus,
)
from bot.data import BUNDLED_CORPUS
from bot.errors import CorpusDirectoryMissing
from bot.extraction import EXTRACTOR_VERSION, extract
from bot.models import Article, Extraction
from bot.store import SourceFile, Store
from bot.store._articles import FileWrite
from bot.store._notes import text_note
from bot.summary import event_note

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
    noted: int = 0
    files_parsed: int = 0
    files_skipped: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    # Of ``rejected``, the paths refused before and unchanged since (not read this time).
    rejected_earlier: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether this ingest found anything new: articles, removals or newly refused files."""
        return bool(
            self.new
            or self.updated
            or self.retracted
            or len(self.rejected) > len(self.rejected_earlier)
            or self.reextracted
        )

    def add(self, other: IngestSummary) -> IngestSummary:
        """This summary with another directory's counts added (the bundled corpus's)."""
        self.new = [*other.new, *self.new]
        self.updated = [*other.updated, *self.updated]
        self.unchanged += other.unchanged
        self.merged += other.merged
        self.retracted = [*other.retracted, *self.retracted]
        self.reextracted += other.reextracted
        self.noted += other.noted
        self.files_parsed += other.files_parsed
        self.files_skipped += other.files_skipped
        self.rejected = [*other.rejected, *self.rejected]
        return self

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
        if self.noted:
            lines.append(f"Summarised {self.noted} stored policy items for status answers.")
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


# What an article is stored with when the extractor fails on it: not policy news, no place.
UNREAD = Extraction(is_policy=False, action="none", scope="unknown", event_date=None, places=())


def read_article(article: Article) -> Extraction:
    """The extractor's reading of one article; UNREAD (and an error logged) if it fails.

    A bug in the extractor must neither stop an ingest nor lose the article: it is stored,
    a moderator can correct its reading, and a fixed extractor (a new EXTRACTOR_VERSION)
    reads it again.
    """
    try:
        return extract(article)
    except Exception:
        log.exception("the extractor failed on article %s (%.80r)", article.id, article.title)
        return UNREAD


def read_parsed(
    parsed: list[ParsedArticle], *, trusted: bool = False
) -> list[tuple[ParsedArticle, Extraction]]:
    """Run the extractor on each parsed article.

    A ``labels:`` field (a reviewed reading) is kept only when ``trusted``: for files of the
    bundled corpus inside the package. Anywhere else (a user's corpus folder, an imported
    file, a feed) it is dropped, so nobody can make a reading "confirmed" by writing one.
    """
    if not trusted:
        for item in parsed:
            item.labels = None
    return [(item, read_article(to_article(item))) for item in parsed]


def is_bundled(directory: Path) -> bool:
    """Whether ``directory`` is the bundled corpus inside the package (the one place whose
    files' reviewed readings are trusted)."""
    return directory.resolve() == BUNDLED_CORPUS.resolve()


# Files are written in batches, one transaction each (a savepoint a file): a batch closes at
# this many articles or files, whichever comes first. Each commit writes every page its
# batch changed. Since migration 020 most tables take new rows at their end, but the indexes
# that find an article's rows (by id, URL, provider, place) and the tracker's events (by
# place) still take them all over, and a commit writes each of their pages it touched, which
# at 100,000 articles is most of them: fewer, bigger batches write fewer bytes (issue 18: at
# 100,000 articles, 500 a batch wrote ~30x the final database, 2,000 with the old tables 13x;
# with 020's, 800 files 5.0x, 1,000 files 4.5x). The batch is bounded by the write lock it
# holds, which other connections wait 5 s for: at 100,000 articles on a quiet 2-core machine,
# 800 files (~3,200 articles) held it 1.6-1.9 s at the median and 2.6-2.8 s at most, as 2,000
# articles did before 020 (1.5-1.6 s, 2.8 s); 1,000 files 2.1-2.5 s and 3.4-3.8 s.
BATCH_ARTICLES = 4000
BATCH_FILES = 800
# Stored articles re-read by a new extractor are loaded and saved this many at a time.
REEXTRACT_CHUNK = 500
# Status notes missing from stored items are written this many at a time (about 15 ms of
# summarising each, between which the bot's other work goes on).
NOTES_CHUNK = 100
# An ingest with at least this many files to read leaves the full-text index's segments
# unmerged while it writes and merges them into one after (Store.text_index_merges_deferred).
DEFER_TEXT_MERGES_FILES = 250
# An ingest that wrote this many articles merges the full-text index into one b-tree after:
# a search then reads each word's postings from one place, not from every batch's segment
# (a second at 100,000 articles; searches ~0.5 ms quicker at the median, cold or warm).
MERGE_TEXT_INDEX_AFTER = 1000
# SQLite's page cache while an ingest writes (see BaseStore.larger_page_cache): room for
# most of the pages a batch of 4,000 articles changes, so few spill before its commit.
PAGE_CACHE_MIB = 64
# The write-ahead log may grow to this much during an ingest before it is copied into the
# database (see BaseStore.fewer_checkpoints); emptied when the ingest ends. Each copy writes
# every page the log holds once, so a longer log writes a page changed by many batches fewer
# times: at 100,000 articles the log reaches ~1.5 GiB, and is copied once, at the end (with
# 1 GiB, twice: 4% more written, and one batch held the lock a second longer for the copy).
WAL_MIB = 2048
# An ingest with at least this many files to read parses and extracts them in worker
# processes while this one writes (None: never); a smaller one (a rescan finding a few
# changed files) reads them here, without the workers' start-up (the fork server's first
# start loads the extraction, about two seconds; later pools start in a fraction of one).
# Workers start as spawned ones do, so a script that ingests must guard its entry point with
# ``if __name__ == "__main__":`` (as the CLI, the bot and the benches do).
POOL_MIN_FILES: int | None = 500
# At most this many workers; forked from the fork server, they share its loaded gazetteer
# (about 60 MB) until they write to it.
POOL_MAX_WORKERS = 4
# Files handed to the workers ahead of the one being written, per worker: more than a batch
# (800 files) between two workers, so they go on reading while a batch is written.
POOL_AHEAD_PER_WORKER = 512


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


@dataclass(slots=True)
class _Read:
    """What reading one file found: what to write for it, and what the summary should say."""

    write: FileWrite | None = None
    rejected: list[tuple[str, str]] = field(default_factory=list)
    parsed: bool = False
    skipped: bool = False

    def count(self, summary: IngestSummary) -> None:
        if self.parsed and self.write and self.write.kind == "rejected":
            # The summary lists every rejection; a warning would break the progress line.
            log.info("rejected %s: %s", self.write.path, self.write.error)
        summary.rejected.extend(self.rejected)
        if self.skipped and not self.write:
            summary.rejected_earlier.extend(path for path, _ in self.rejected)
        summary.files_parsed += self.parsed
        summary.files_skipped += self.skipped


async def ingest_corpus(
    store: Store, directory: Path, *, progress: Progress | None = None
) -> IngestSummary:
    """Bring the store up to date with ``directory``; unchanged files are not even read."""
    summary = IngestSummary()
    directory = directory.resolve()
    if not directory.is_dir():
        raise CorpusDirectoryMissing(f"corpus directory {directory} does not exist")
    trusted = is_bundled(directory)
    # Taken before the survey: a file edited while this ingest runs is newer than the mark.
    started_at = time.time()
    # Each path is visited once and only its own visit writes its record, so what was
    # recorded before the loop is what each visit would have read.
    recorded = await store.source_files()
    files, checks, passed_over = await asyncio.to_thread(_survey, directory, recorded)
    summary.rejected.extend((str(path), reason) for path, reason in passed_over)
    todo = [
        (path, str(path), recorded.get(str(path)), trusted)
        for path, c in zip(files, checks, strict=True)
        if c is None
    ]
    bulk = len(todo) >= DEFER_TEXT_MERGES_FILES
    if not bulk:
        await store.restore_text_index_merges()
    async with (
        store.text_index_merges_deferred() if bulk else contextlib.nullcontext(),
        store.larger_page_cache(PAGE_CACHE_MIB),
        store.fewer_checkpoints(WAL_MIB),
        store.savepoint_journals_in_memory(),
        _Readers(todo) as readers,
    ):
        batch = _Batch()
        for number, (path, check) in enumerate(zip(files, checks, strict=True), start=1):
            if progress:
                progress(number, len(files), path.name)
            try:
                read = check if check is not None else await readers.next(path)
            except Exception:
                # The files read before the failure are written before it propagates (each
                # whole or not at all), as if every file had been written on its own.
                await _write_batch(store, batch, summary, trusted)
                raise
            read.count(summary)
            if read.write is None:
                continue
            batch.add(read.write)
            if batch.full():
                await _write_batch(store, batch, summary, trusted)
                batch = _Batch()
            elif readers.pool is None:
                # Reading is CPU work in the event loop: let other tasks run between files.
                await asyncio.sleep(0)
        await _write_batch(store, batch, summary, trusted)

    prefix = str(directory) + "/"
    seen = {str(path) for path in files}
    gone = [p for p in await store.source_paths() if p.startswith(prefix) and p not in seen]
    summary.retracted.extend(await store.forget_source_files(gone))

    summary.reextracted = await _reextract_stale(store)
    summary.noted = await _note_unnoted(store)
    if not bulk and len(summary.new) + len(summary.updated) >= MERGE_TEXT_INDEX_AFTER:
        await store.merge_text_index()
    await store.mark_corpus_refreshed(str(directory), started_at)
    log.info("%s", summary.render().splitlines()[0])
    return summary


async def _write_batch(
    store: Store, batch: _Batch, summary: IngestSummary, bundled: bool = False
) -> None:
    outcomes = await store.record_files(
        batch.writes, EXTRACTOR_VERSION, "bundled" if bundled else "corpus"
    )
    for outcome in outcomes:
        summary.new.extend(outcome.new)
        summary.updated.extend(outcome.updated)
        summary.unchanged += len(outcome.unchanged)
        summary.merged += len(outcome.merged)
        summary.retracted.extend(outcome.retracted)


async def _note_unnoted(store: Store) -> int:
    """Store the status note of each tracked policy item that has no current one, a chunk
    at a time: once per NOTE_VERSION (a database from before notes, or after a change to
    them). Items stored or corrected since get theirs as they are written."""
    if await store.notes_complete():
        return 0
    count = 0
    after = ""
    while ids := await store.events_needing_notes(after=after, limit=NOTES_CHUNK):
        texts = await store.article_texts(ids)
        await store.save_notes({article_id: event_note(texts[article_id]) for article_id in texts})
        count += len(texts)
        after = ids[-1]
    await store.mark_notes_complete()
    return count


async def _reextract_stale(store: Store) -> int:
    """Re-read the stored articles an older extractor read, a chunk at a time."""
    if await store.readings_current(EXTRACTOR_VERSION):
        return 0
    count = 0
    after = ""
    while stale := await store.articles_needing_extraction(
        EXTRACTOR_VERSION, after=after, limit=REEXTRACT_CHUNK
    ):
        await store.save_extractions(
            [(article.id, read_article(article)) for article in stale], EXTRACTOR_VERSION
        )
        count += len(stale)
        after = stale[-1].id
    return count


class _Readers:
    """Reads the changed files, in order: here, or ahead in worker processes for many.

    Workers are forked from a fork server (never from this process: the store's threads
    exist) that has loaded what reading needs once (``bot._reader_preload``); where there is
    no fork server they are spawned. They ignore Ctrl-C (this process stops them), and are
    shut down with the ingest however it ends; what they read ahead is only ever written in
    file order, so an interrupted ingest leaves whole files.
    """

    def __init__(self, todo: list[tuple[Path, str, SourceFile | None, bool]]) -> None:
        self._todo = iter(todo)
        self._ahead: collections.deque[concurrent.futures.Future[_Read]] = collections.deque()
        self.pool: concurrent.futures.ProcessPoolExecutor | None = None
        workers = min(os.cpu_count() or 1, POOL_MAX_WORKERS)
        if POOL_MIN_FILES is not None and len(todo) >= POOL_MIN_FILES and workers > 1:
            self.pool = concurrent.futures.ProcessPoolExecutor(
                workers,
                mp_context=_worker_context(),
                initializer=_ignore_interrupts,
            )
            self._limit = workers * POOL_AHEAD_PER_WORKER

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: object, *exc_info: object) -> None:
        if self.pool is not None:
            # After a failure, what was read ahead is dropped without waiting for it.
            self.pool.shutdown(wait=exc_type is None, cancel_futures=True)

    async def next(self, path: Path) -> _Read:
        """What reading the next changed file (``path``) found."""
        if self.pool is None:
            item = next(self._todo)
            assert item[0] == path
            return _read_file(*item)
        while len(self._ahead) < self._limit and (item := next(self._todo, None)):
            self._ahead.append(self.pool.submit(_read_file, *item))
        return await asyncio.wrap_future(self._ahead.popleft())


def _worker_context() -> multiprocessing.context.BaseContext:
    """The fork server's context, preloading the extraction (spawn where there is none)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["bot._reader_preload"])
    return context


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _survey(
    directory: Path, recorded: dict[str, SourceFile]
) -> tuple[list[Path], list[_Read | None], list[tuple[Path, str]]]:
    """The corpus's files, what each unchanged (same size and mtime) or unreadable one
    reads as, known before anything is read, and the entries passed over with why.

    Run on a worker thread: it lists every directory and stats every file twice (50,000
    calls at 25,000 files: 0.6 s warm, 1 s from a cold cache, more on a stalled disk). On
    the event loop, the running bot's re-scan held every command for that long.
    """
    files, passed_over = survey_corpus(directory)
    checks = [_check(path, str(path), recorded.get(str(path))) for path in files]
    return files, checks, passed_over


def _check(path: Path, key: str, known: SourceFile | None) -> _Read | None:
    """What an unchanged or unreadable file reads as, without reading it (None: read it)."""
    stat = _stat(path, key, known)
    return stat if isinstance(stat, _Read) else None


def _stat(path: Path, key: str, known: SourceFile | None) -> _Read | os.stat_result:
    """The file's stat if it has to be read, else what it reads as."""
    try:
        stat = path.stat()
    except OSError as exc:
        return _Read(rejected=[(key, f"can't read file: {exc.strerror or exc}")])
    if known and known.size == stat.st_size and known.mtime_ns == stat.st_mtime_ns:
        return _Read(rejected=[(key, known.error)] if known.error else [], skipped=True)
    return stat


def _read_file(path: Path, key: str, known: SourceFile | None, trusted: bool = False) -> _Read:
    """Read, parse and extract one file (in this process or a worker); ``trusted``: a file
    of the bundled corpus, whose reviewed readings are kept.

    Never raises: whatever goes wrong with one file rejects that file, with its reason,
    and the ingest goes on to the next (start-up must not depend on a clean corpus).
    """
    try:
        return _read_file_or_raise(path, key, known, trusted)
    except Exception as exc:
        log.exception("reading %s failed", key)
        reason = f"can't read file: {type(exc).__name__}: {str(exc)[:200]}"
        return _Read(rejected=[(key, reason)])


def _read_file_or_raise(
    path: Path, key: str, known: SourceFile | None, trusted: bool = False
) -> _Read:
    stat = _stat(path, key, known)
    if isinstance(stat, _Read):
        return stat
    if stat.st_size > MAX_FILE_BYTES:
        # Refused by its size before a byte is read; remembered by size and time.
        reason = f"file is {stat.st_size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit"
        write = FileWrite("rejected", key, stat.st_size, stat.st_mtime_ns, "", error=reason)
        return _Read(write, [(key, reason)])
    try:
        data = read_limited(path)
    except OSError as exc:
        return _Read(rejected=[(key, f"can't read file: {exc.strerror or exc}")])
    sha256 = hashlib.sha256(data).hexdigest()
    if known and known.sha256 == sha256 and not known.error:
        return _Read(FileWrite("touched", key, stat.st_size, stat.st_mtime_ns), skipped=True)
    try:
        result = parse_document(data, path=key)
    except CorpusError as exc:
        write = FileWrite("rejected", key, stat.st_size, stat.st_mtime_ns, sha256, error=exc.reason)
        return _Read(write, [(key, exc.reason)], parsed=True)
    readings = read_parsed(result.articles, trusted=trusted)
    write = FileWrite(
        "articles",
        key,
        stat.st_size,
        stat.st_mtime_ns,
        sha256,
        readings,
        notes=[text_note(parsed, extraction) for parsed, extraction in readings],
    )
    return _Read(write, [(key, problem) for problem in result.problems], parsed=True)
