"""One implementation of each banwatch command; the console and the cogs are faces over it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import re
import time
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot import places, tracker
from bot.config import ServerConfig
from bot.data import BUNDLED_CORPUS
from bot.errors import AmbiguousPlace, BanwatchError, PlaceNotFound
from bot.models import Article, Event, Jurisdiction, Place
from bot.privacy import Privacy
from bot.review import Review
from bot.settings import Settings
from bot.store import Store
from bot.summary import event_note
from bot.taxonomy import STATUSES
from bot.tracker import (
    STATUS_KEEPS,
    JurisdictionStatus,
    brief,
    derive_status,
    status_from_sample,
)

if TYPE_CHECKING:
    from bot.alerts.service import Alerts
    from bot.articles import Moderation
    from bot.feeds import Feeds, FeedSettings
    from bot.ingest import IngestSummary, Progress
    from bot.map.service import Maps
    from bot.petitions import Petitions

__all__ = ["AmbiguousPlace", "Banwatch", "BanwatchError", "PlaceChoice", "PlaceNotFound"]

log = logging.getLogger(__name__)

# A typed name this close (0-100) to exactly one known place is taken to mean it.
TYPO_SCORE = 85
SUGGESTION_SCORE = 70
MAX_QUERY_CHARS = 200
MAX_NEWS_DAYS = 36_500
# How many of the events a status rests on carry a summary of their source.
STATUS_SUMMARIES = 3
# Places whose brief status is kept in memory (a few kB each), the most recently asked
# first to stay; also how many of the busiest ``keep_statuses`` works out ahead.
STATUS_CACHE_PLACES = 4096
# A timeline lists every event; only the latest this many carry a summary of their source.
TIMELINE_NOTES = 100
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
PLACE_KEY = re.compile(r"^(city|county|state|national|company):[A-Z]{0,3}:[^:]*(:[^:]+)?$")


def _ran_out(result: JurisdictionStatus) -> bool:
    """Whether a kept answer's measure has reached the end of its term since it was worked
    out (no event moves the place's version when a moratorium runs out)."""
    return result.ends is not None and tracker.current_day() >= result.ends


@dataclass(frozen=True, slots=True)
class PlaceChoice:
    """An autocomplete suggestion: what to show and what to send back."""

    label: str
    value: str


def _clip_query(text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise BanwatchError("Tell me which place, e.g. `Chicago` or `Springfield, MA`.")
    return text[:MAX_QUERY_CHARS]


@dataclass(frozen=True, slots=True)
class _KnownPlaces:
    """The known jurisdictions with what look-ups need precomputed (built once per change)."""

    source: tuple[Jurisdiction, ...]
    by_key: dict[str, Jurisdiction]
    # Case-folded name -> jurisdictions so called ("cook" also finds "Cook County").
    by_name: dict[str, list[Jurisdiction]]
    # What autocomplete matches: the name shown and the USPS code ("nj", "ma"), folded.
    labels: list[str]
    displays: list[str]
    by_display: list[Jurisdiction]
    # Typo matching compares whole names of at least four letters (codes are matched exactly).
    fuzzy_pool: list[Jurisdiction]
    fuzzy_names: list[str]

    @classmethod
    def build(cls, known: tuple[Jurisdiction, ...]) -> _KnownPlaces:
        by_name: dict[str, list[Jurisdiction]] = defaultdict(list)
        for jurisdiction in known:
            folded = jurisdiction.name.casefold()
            by_name[folded].append(jurisdiction)
            if jurisdiction.level == "county" and folded.endswith(" county"):
                by_name[folded.removesuffix(" county")].append(jurisdiction)
        displays = [j.display for j in known]
        return cls(
            source=known,
            by_key={j.key: j for j in known},
            by_name=dict(by_name),
            labels=[
                f"{display} {j.state or ''}".casefold()
                for display, j in zip(displays, known, strict=True)
            ],
            displays=displays,
            by_display=[j for _, j in sorted(zip(displays, known, strict=True), key=_first)],
            fuzzy_pool=[j for j in known if len(j.name) >= 4],
            fuzzy_names=[j.name.casefold() for j in known if len(j.name) >= 4],
        )


def _first(item: tuple[str, Jurisdiction]) -> str:
    return item[0]


class Banwatch:
    """The application core, and its one composition root: corpus, tracker and look-ups over
    one :class:`Store`, and each feature's service, built once here with its settings.

    The faces (cogs, console pages) use the services, never the store.
    """

    def __init__(
        self,
        store: Store,
        corpus_dir: Path,
        *,
        signer_retention_days: int | None = None,
        bundled_corpus: bool = False,
        feeds: FeedSettings | None = None,
        settings: Settings | None = None,
        home_guild_id: int | None = None,
    ) -> None:
        self.store = store
        self.corpus_dir = corpus_dir
        self.signer_retention_days = signer_retention_days
        self._feed_settings = feeds
        self._settings = settings
        # Whether ingest loads the corpus bundled inside the package too (the settings say
        # yes unless told otherwise; tests and benches build the app without it).
        self.bundled_corpus = bundled_corpus
        self.privacy = Privacy(store)
        self.config = ServerConfig(store)
        # The server whose moderators manage feeds and review readings (None: the one server
        # the bot is in).
        self.home_guild_id = home_guild_id
        self.review = Review(self)
        self._known: _KnownPlaces | None = None
        # Place key -> (the place's version when derived, the answer), least recent first.
        self._status_cache: OrderedDict[str, tuple[int, JurisdictionStatus]] = OrderedDict()

    async def _known_places(self) -> _KnownPlaces:
        """The known places, indexed; rebuilt only when the store's list changes."""
        known = await self.store.known_jurisdictions()
        if self._known is None or self._known.source is not known:
            self._known = _KnownPlaces.build(known)
        return self._known

    @classmethod
    def from_settings(cls, store: Store, settings: Settings) -> Banwatch:
        """The app as the settings configure it (``banwatch run``, the command line)."""
        return cls(
            store,
            settings.corpus_dir,
            signer_retention_days=settings.signer_retention_days,
            bundled_corpus=settings.bundled_corpus,
            settings=settings,
            home_guild_id=settings.home_guild_id,
        )

    # Each feature's service is built once, on first use, with its module: a command-line
    # look-up uses none of them, and importing them all was a third of its time.

    @functools.cached_property
    def articles(self) -> Moderation:
        """Moderators' article commands."""
        from bot.articles import Moderation

        return Moderation(self)

    @functools.cached_property
    def alerts(self) -> Alerts:
        """Channel alerts: subscriptions, matching, the outbox."""
        from bot.alerts.service import Alerts

        return Alerts(self)

    @functools.cached_property
    def petitions(self) -> Petitions:
        """Petitions and their signers."""
        from bot.petitions import DEFAULT_RETENTION_DAYS, Petitions

        days = self.signer_retention_days
        return Petitions(self, retention_days=DEFAULT_RETENTION_DAYS if days is None else days)

    @functools.cached_property
    def feeds(self) -> Feeds:
        """The news feeds polled into the corpus (their settings read from the environment's
        settings when given, else the defaults)."""
        from bot.feeds import Feeds, feed_settings

        chosen = self._feed_settings
        if chosen is None and self._settings is not None:
            chosen = feed_settings(self._settings)
        return Feeds(self.store, chosen)

    @functools.cached_property
    def map(self) -> Maps:
        """The map of statuses."""
        from bot.map.service import Maps

        return Maps(self)

    async def close(self) -> None:
        """Release what the services opened (a feed poll's HTTP session)."""
        if "feeds" in self.__dict__:
            await self.feeds.close()

    # -- command syncs ----------------------------------------------------------------------

    async def synced_tree_hash(self, scope: str) -> str | None:
        """The hash of the command tree last synced to ``scope`` ('global' or a guild id)."""
        return await self.store.synced_tree_hash(scope)

    async def record_tree_sync(self, scope: str, tree_hash: str) -> None:
        """Remember that the command tree with ``tree_hash`` was synced to ``scope``."""
        await self.store.record_tree_sync(scope, tree_hash)

    # -- corpus -------------------------------------------------------------------------------

    async def ingest(
        self, directory: Path | None = None, *, progress: Progress | None = None
    ) -> IngestSummary:
        """Load or refresh the corpus directory (by default the configured one, after the
        bundled corpus when it is on; when it is off, what it had loaded is dropped)."""
        # With the extractor: imported only when ingesting.
        from bot.ingest import CorpusDirectoryMissing, IngestSummary, ingest_corpus

        if directory is not None:
            return await ingest_corpus(self.store, directory, progress=progress)
        if not self.corpus_dir.is_dir():
            # Said before the bundled corpus is read: a typo in the setting fails at once.
            raise CorpusDirectoryMissing(f"corpus directory {self.corpus_dir} does not exist")
        if self.bundled_corpus:
            bundled = await ingest_corpus(self.store, BUNDLED_CORPUS, progress=progress)
        else:
            bundled = IngestSummary(retracted=await self._drop_bundled())
        summary = await ingest_corpus(self.store, self.corpus_dir, progress=progress)
        return summary.add(bundled)

    async def _drop_bundled(self) -> list[str]:
        """Retract what an earlier ingest loaded from the bundled corpus (it was turned off)."""
        prefix = str(BUNDLED_CORPUS.resolve()) + "/"
        gone = [path for path in await self.store.source_paths() if path.startswith(prefix)]
        return await self.store.forget_source_files(gone)

    async def refresh(
        self, max_age_seconds: float, *, progress: Progress | None = None
    ) -> IngestSummary | None:
        """Ingest the corpus unless an ingest of it began less than ``max_age_seconds`` ago
        (in any process on this database: a look-up, ``banwatch ingest``, the bot's re-scan);
        None when it was that fresh.

        A file edited in place leaves its folder's time alone, so knowing whether anything
        changed means looking at every file: this rule bounds how stale a look-up can be
        instead of paying that on each one.
        """
        last = await self.store.corpus_refreshed_at(str(self.corpus_dir.resolve()))
        if last is not None and 0 <= time.time() - last < max_age_seconds:
            return None
        return await self.ingest(progress=progress)

    async def rejected_files(self) -> list[tuple[str, str]]:
        """The corpus files the last ingest refused, with the reason, by path."""
        return await self.store.rejected_files(str(self.corpus_dir.resolve()))

    # -- places -------------------------------------------------------------------------------

    async def resolve_place(self, query: str) -> Jurisdiction:
        """The one jurisdiction ``query`` means; raises AmbiguousPlace or PlaceNotFound.

        Known places (those some article names) come first; a place only the gazetteer knows
        still resolves, with no events. A key (``city:US:MA:Springfield``, as autocomplete and
        pick menus send) resolves directly.
        """
        text = _clip_query(query)
        index = await self._known_places()
        by_key = index.by_key
        if text in by_key:
            return by_key[text]
        if PLACE_KEY.match(text):
            return _jurisdiction(Place.from_key(text))
        wanted = await self._read_place_query(text)
        if wanted.level in ("state", "national"):
            region = Place(
                level=wanted.level,
                country=wanted.country or ("US" if wanted.level == "state" else None),
                state=wanted.state if wanted.level == "state" else None,
            )
            # "Washington" or "New York" may also be a tracked city of that name.
            cities = _match_known(index, wanted.name, None, None)
            cities += _match_known(index, text, None, None)
            cities = [j for j in dict.fromkeys(cities) if j.level in ("city", "county")]
            if cities:
                raise AmbiguousPlace(
                    text, [by_key.get(region.key) or _jurisdiction(region), *cities]
                )
            return by_key.get(region.key) or _jurisdiction(region)
        matches = _match_known(index, wanted.name, wanted.state, wanted.country)
        if len(matches) > 1 and wanted.level == "city":
            # "Milwaukee, WI" is the city; its county is asked for as "Milwaukee County".
            cities = [j for j in matches if j.level == "city"]
            if len(cities) == 1 and all(j.level == "county" for j in matches if j not in cities):
                return cities[0]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise AmbiguousPlace(text, matches, tracked=True)
        fuzzy = _fuzzy_known(index, wanted.name, wanted.state)
        strong = [j for j, score in fuzzy if score >= TYPO_SCORE]
        if len(strong) == 1:
            return strong[0]
        if len(strong) > 1:
            raise AmbiguousPlace(text, strong)
        lookup = places.county_candidates if wanted.level == "county" else places.city_candidates
        gazetteer = [
            p
            for p in lookup(wanted.name)
            if (wanted.state is None or p.state == wanted.state)
            and (wanted.country is None or p.country == wanted.country)
        ]
        if len(gazetteer) == 1:
            return _jurisdiction(gazetteer[0])
        if len(gazetteer) > 1:
            # None of them is tracked (a tracked one would have matched above): say so.
            raise AmbiguousPlace(text, [_jurisdiction(p) for p in gazetteer], tracked=False)
        raise PlaceNotFound(text, [j for j, _ in fuzzy])

    async def _read_place_query(self, text: str) -> places.PlaceQuery:
        """:func:`bot.places.parse_place_query`, remembered in the database.

        Reading a place needs the gazetteer, and building it costs a process half a second:
        more than a command-line look-up takes otherwise. So a process that has not built it
        reads the answer a process (of the same gazetteer version) stored before.
        """
        if places.gazetteer_built():
            return places.parse_place_query(text)
        version = places.places_version()
        known = await self.store.read_place_query(version, text)
        if known is None:
            known = places.parse_place_query(text)
            await self.store.save_place_query(version, text, known)
        return known

    async def place_choices(self, typed: str, limit: int = 25) -> list[PlaceChoice]:
        """Known places for autocomplete, forgiving of case and typos, best first."""
        index = await self._known_places()
        typed = " ".join((typed or "").split())[:MAX_QUERY_CHARS].casefold()
        if not typed:
            ranked = index.by_display[:limit]
        else:
            from rapidfuzz import fuzz, process  # on first use: look-ups by name need none

            # One pass in C over every label; a label holding what was typed scores 100 here
            # and is then ranked above typos: first those starting with it, then the rest.
            found = process.extract(
                typed,
                index.labels,
                scorer=fuzz.partial_ratio,
                score_cutoff=SUGGESTION_SCORE,
                limit=None,
            )
            scored = []
            for label, score, position in found:
                if label.startswith(typed):
                    score = 200.0
                elif typed in label:
                    score = 150.0
                scored.append((-score, index.displays[position], position))
            scored.sort()
            ranked = [index.source[position] for _, _, position in scored[:limit]]
        return [PlaceChoice(label=j.display[:100], value=j.key[:100]) for j in ranked]

    # -- tracker ------------------------------------------------------------------------------

    async def status(self, query: str) -> JurisdictionStatus:
        """The brief status of the place ``query`` names (:func:`bot.tracker.brief`), with
        summaries of the sources it shows first.

        Kept until the place's events change; worked out from the few events that decide
        it (:class:`bot.tracker.StatusSample`), so a place with thousands of events costs
        what one with three does.
        """
        result = await self._status_of(await self.resolve_place(query))
        if not result.events and result.jurisdiction.level in ("state", "national"):
            result = dataclasses.replace(result, within=await self._tracked_within(result))
        return result

    async def _tracked_within(self, result: JurisdictionStatus) -> tuple[Jurisdiction, ...]:
        """The places with events inside a state or country, by name."""
        region = result.jurisdiction
        versions = await self.store.place_versions()
        inside = [
            j
            for key, j in (await self._known_places()).by_key.items()
            if key in versions
            and j.key != region.key
            and j.country == region.country
            and (region.level == "national" or j.state == region.state)
        ]
        return tuple(sorted(inside, key=lambda j: j.display))

    async def _status_of(self, jurisdiction: Jurisdiction) -> JurisdictionStatus:
        """The brief status of one jurisdiction, kept or worked out afresh."""
        kept = self._status_cache.get(jurisdiction.key)
        if kept is not None and (kept[1].jurisdiction != jurisdiction or _ran_out(kept[1])):
            kept = None
        # One trip to the database either way: the version, and the sample only if the
        # kept answer is out of date.
        version, sample = await self.store.status_sample(
            jurisdiction.key, STATUS_KEEPS, unless_version=kept[0] if kept else None
        )
        if sample is None and kept is not None:
            self._status_cache.move_to_end(jurisdiction.key)
            result = kept[1]
        else:
            assert sample is not None  # no kept answer: the store always samples
            result = status_from_sample(jurisdiction, sample)
            self._keep_status(version, result)
        await self._add_notes(result, self._summarised(result))
        await self._add_reviews(result, [*result.basis, *result.pending, *result.events])
        return result

    async def add_reviews(self, results: Sequence[JurisdictionStatus]) -> None:
        """Fill in the review states of what each answer's status rests on (in one read for
        them all), so that ``result.unconfirmed(threshold)`` can say whether it is only
        uncertain automatic readings (the map marks those)."""
        wanted = [
            event.article_id
            for result in results
            for event in result.basis
            if event.article_id not in result.reviews
        ]
        states = await self.store.review_states(wanted) if wanted else {}
        for result in results:
            for event in result.basis:
                if event.article_id in states:
                    result.reviews[event.article_id] = states[event.article_id]

    async def _add_reviews(self, result: JurisdictionStatus, events: Sequence[Event]) -> None:
        """Each event's review state (reviewed, or automatic with its confidence), kept with
        the answer: a review or a new reading moves the place's version, and the answer."""
        missing = [event.article_id for event in events if event.article_id not in result.reviews]
        if missing:
            result.reviews.update(await self.store.review_states(missing))

    @staticmethod
    def _summarised(result: JurisdictionStatus) -> list[Event]:
        """The events a status answer summarises that have no summary yet: what the status
        rests on and what is pending beside it (the answer leads with them); the other
        events it lists are headlines with their links."""
        summarised = dict.fromkeys([*result.basis[-STATUS_SUMMARIES:], *result.pending[-3:]])
        return [event for event in summarised if event.article_id not in result.notes]

    def _kept_status(self, jurisdiction: Jurisdiction, version: int) -> JurisdictionStatus | None:
        """The kept answer for the place if its events have not changed since."""
        kept = self._status_cache.get(jurisdiction.key)
        if (
            kept is None
            or kept[0] != version
            or kept[1].jurisdiction != jurisdiction
            or _ran_out(kept[1])
        ):
            return None
        self._status_cache.move_to_end(jurisdiction.key)
        return kept[1]

    def _keep_status(self, version: int, result: JurisdictionStatus) -> None:
        """Keep a brief answer (a few events each) until the place's version moves."""
        self._status_cache[result.jurisdiction.key] = (version, result)
        self._status_cache.move_to_end(result.jurisdiction.key)
        while len(self._status_cache) > STATUS_CACHE_PLACES:
            self._status_cache.popitem(last=False)

    async def keep_statuses(self) -> int:
        """Work out and keep the status of every place with events (the busiest
        :data:`STATUS_CACHE_PLACES`), with the summaries it leads with; returns how many.

        ``banwatch run`` does this once it serves: a question then costs two small reads
        (the list's and the place's version numbers, both in SQLite's own cache) and no
        others. Asked first, a place's status read a dozen pages scattered over the file;
        where the OS keeps little of the file cached, each came from the disk (1-4 ms).
        """
        busiest = await self.store.place_versions(busiest=STATUS_CACHE_PLACES)
        known = (await self._known_places()).by_key
        kept = 0
        # One place at a time, as a question about it would be answered: a few events each
        # in memory (all of a first /cities' 200 places at once peaked at 50 MB), and the
        # bot answers questions in between.
        for key in busiest:
            if key in known:
                await self._status_of(known[key])
                kept += 1
        return kept

    async def _derived(
        self, jurisdictions: Sequence[Jurisdiction], versions: dict[str, int]
    ) -> dict[str, JurisdictionStatus]:
        """Each place's brief status, kept until its events change.

        ``versions`` are the store's numbers for the places, read before this call: they move
        with every change to a place's events, from any process. (Read first, a change
        racing this call leaves the kept answer older than its number, never newer.)
        """
        results: dict[str, JurisdictionStatus] = {}
        stale: list[Jurisdiction] = []
        for jurisdiction in jurisdictions:
            kept = self._kept_status(jurisdiction, versions.get(jurisdiction.key, 0))
            if kept is not None:
                results[jurisdiction.key] = kept
            else:
                stale.append(jurisdiction)
        # Many places at once (a first /cities): their events in a few big reads is quicker
        # than a sample of each.
        by_key = {j.key: j for j in stale}
        async for key, events in self.store.events_by_place(list(by_key)):
            jurisdiction = by_key[key]
            result = brief(derive_status(jurisdiction, events, in_order=True))
            results[key] = result
            self._keep_status(versions.get(key, 0), result)
        return results

    async def timeline(self, query: str) -> JurisdictionStatus:
        """The status with every event; the latest carry source summaries.

        Derived afresh, not from the kept status answers: its hundred summaries would stay
        in memory with them.
        """
        jurisdiction = await self.resolve_place(query)
        events = await self.store.place_events([jurisdiction.key])
        result = derive_status(jurisdiction, events, in_order=True)
        await self._add_notes(result, result.events[-TIMELINE_NOTES:])
        await self._add_reviews(result, result.events)
        return result

    async def _add_notes(self, result: JurisdictionStatus, events: Sequence[Event]) -> None:
        """A short summary of each event's source: as stored with the item, else worked out
        from the article's text (an item stored before notes were, or made policy news by a
        correction)."""
        ids = [event.article_id for event in events]
        stored = await self.store.article_notes(ids)
        result.notes.update(stored)
        missing = [article_id for article_id in ids if article_id not in stored]
        if missing:
            for article_id, article in (await self.store.article_texts(missing)).items():
                result.notes[article_id] = event_note(article)

    async def cities(
        self, status: str | None = None, state: str | None = None
    ) -> list[JurisdictionStatus]:
        """Jurisdictions with a status other than ``no_action``, or with exactly ``status``,
        optionally within one state (code or name)."""
        if status:
            status = status.strip().lower()
            if status not in STATUSES:
                raise BanwatchError(
                    f"Unknown status {status!r}. Choose one of: {', '.join(STATUSES)}."
                )
        state_code = None
        versions = await self.store.place_versions()
        known = (await self._known_places()).by_key
        if state:
            state_code = places.state_code(state.strip()) or state.strip()
            folded = state_code.casefold()
            if not places.state_code(state.strip()) and not any(
                (j.state or "").casefold() == folded for j in known.values()
            ):
                raise BanwatchError(
                    f"{state.strip()[:40]!r} is not a state banwatch knows. Give a US state's"
                    " code or name (`MA`, `Massachusetts`), or a region's name."
                )
        places_with_events = [known[key] for key in versions if key in known]
        if state_code:
            wanted = state_code.casefold()
            places_with_events = [
                j for j in places_with_events if (j.state or "").casefold() == wanted
            ]
        results = []
        for result in (await self._derived(places_with_events, versions)).values():
            if status and result.status != status:
                continue
            if not status and result.status == "no_action":
                # Lawsuits or settlements alone put no measure in place; list them on request.
                continue
            results.append(result)
        order = {name: index for index, name in enumerate(STATUSES)}
        results.sort(key=lambda r: (order[r.status], r.jurisdiction.display))
        # What each status rests on, so that a list can mark the unconfirmed ones.
        await self.add_reviews(results)
        return results

    # -- articles -----------------------------------------------------------------------------

    async def search(self, query: str, limit: int = 10) -> list[Article]:
        """Full-text search of the corpus."""
        # Control characters (a NUL ends SQLite's reading of the text) separate words.
        text = " ".join(CONTROL_CHARACTERS.sub(" ", query or "").split())[:MAX_QUERY_CHARS]
        if not text:
            raise BanwatchError("Tell me what to search for, e.g. `clearview`.")
        return await self.store.search_articles(text, limit=limit)

    async def news(
        self, place: str | None = None, days: int | None = None, limit: int = 10
    ) -> list[Article]:
        """The latest policy items, optionally about one place and within the last days."""
        if days is not None and not 1 <= days <= MAX_NEWS_DAYS:
            raise BanwatchError(f"`days` must be between 1 and {MAX_NEWS_DAYS}.")
        since = dt.datetime.now(dt.UTC) - dt.timedelta(days=days) if days else None
        place_keys = None
        if place:
            place_keys = [(await self.resolve_place(place)).key]
        return await self.store.latest_articles(
            since=since, place_keys=place_keys, policy_only=True, limit=limit
        )

    async def article(self, article_id: str) -> Article:
        """One article by id; raises BanwatchError when unknown."""
        article = await self.store.get_article((article_id or "").strip()[:40])
        if article is None:
            raise BanwatchError(f"No article with id {article_id[:40]!r}.")
        return article


def _jurisdiction(place: Place) -> Jurisdiction:
    """A jurisdiction no article names yet (from the gazetteer or a key)."""
    return Jurisdiction(place.key, place.level, place.name, place.state, place.country)


def _same(a: str | None, b: str | None) -> bool:
    return (a or "").casefold() == (b or "").casefold()


def _match_known(
    index: _KnownPlaces, name: str, state: str | None, country: str | None
) -> list[Jurisdiction]:
    """Known jurisdictions called ``name`` (case-insensitive), within state/country if given."""
    matches = list(index.by_name.get(name.casefold(), ()))
    if state:
        matches = [j for j in matches if _same(j.state, state)]
    if country:
        matches = [j for j in matches if _same(j.country, country)]
    return matches


def _fuzzy_known(
    index: _KnownPlaces, name: str, state: str | None
) -> list[tuple[Jurisdiction, float]]:
    """Known jurisdictions whose whole name is close to ``name`` (a typo), best first.

    Whole-string similarity, not partial: "Xyzzyville" must not match "IL" by containing it.
    Two-letter codes are left out; they are matched exactly elsewhere.
    """
    from rapidfuzz import fuzz, process  # on first use: an exact name needs none

    pool = index.fuzzy_pool
    if state:
        pool = [j for j in pool if _same(j.state, state)]
    results = process.extract(
        name.casefold(),
        [j.name.casefold() for j in pool] if state else index.fuzzy_names,
        scorer=fuzz.ratio,
        score_cutoff=SUGGESTION_SCORE,
        limit=10,
    )
    return [(pool[position], score) for _, score, position in results]
