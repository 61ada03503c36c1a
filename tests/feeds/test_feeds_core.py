"""The feeds core against a loopback HTTP server: taking, skipping, politeness, health."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.errors import BanwatchError
from bot.feeds import NOT_FR, Feeds
from bot.store import Store
from tests.feeds.conftest import Clock, loopback_settings
from tests.feeds.support import FR_POLICY, FeedServer, atom, item, rss
from tests.feeds.support import NOT_FR as NOT_FR_ITEM


async def add(feeds: Feeds, server: FeedServer, path: str = "/feed.xml") -> int:
    feed = await feeds.add(server.url(path), actor_id="mod")
    return feed.id


async def test_fr_policy_item_is_taken_and_other_news_skipped(
    feeds: Feeds, feed_server: FeedServer, store: Store
) -> None:
    policy = item(**FR_POLICY)
    other = item(**NOT_FR_ITEM)
    feed_server.serve("/feed.xml", rss([policy, other]))
    feed_id = await add(feeds, feed_server)
    assert await feeds.poll_due(wait=True) == 1
    feed = await store.feed(feed_id)
    assert feed is not None and feed.items_taken == 1 and feed.items_skipped == 1
    assert feed.title == "Example News" and feed.last_success_at and not feed.failures
    [article] = [a for a in await store.all_articles() if a.url == policy["link"]]
    assert article.origin == "feed" and article.title == FR_POLICY["title"]
    assert article.extraction is not None and article.extraction.is_policy
    assert article.extraction.places[0].key == "city:US:MA:Springfield"
    assert article.excerpt.startswith("SPRINGFIELD, Mass.")
    assert not [a for a in await store.all_articles() if a.url == other["link"]]
    why = await feeds.why(other["link"])
    assert NOT_FR in why and "skipped" in why and "not stored" in why
    assert "taken into the corpus as article " + article.id in await feeds.why(policy["link"])
    listing = await feeds.list_text()
    assert "items taken 1 · skipped 1" in listing and f"1 {NOT_FR}" in listing
    assert "2 entries, 2 new: 1 taken, 1 skipped" in listing


async def test_atom_feeds_are_read(feeds: Feeds, feed_server: FeedServer, store: Store) -> None:
    feed_server.serve("/atom.xml", atom([item(**FR_POLICY)]), content_type="application/atom+xml")
    await add(feeds, feed_server, "/atom.xml")
    await feeds.poll_due(wait=True)
    [feed] = await store.feeds()
    assert feed.items_taken == 1 and feed.title == "Example Atom"


async def test_unchanged_feed_costs_a_304(
    feeds: Feeds, feed_server: FeedServer, clock: Clock, store: Store
) -> None:
    served = feed_server.serve("/feed.xml", rss([item(**NOT_FR_ITEM)]))
    feed_id = await add(feeds, feed_server)
    await feeds.poll_due(wait=True)
    clock.now += 3600
    await feeds.poll_due(wait=True)
    first, second = feed_server.paths_requested("/feed.xml")
    assert "If-None-Match" not in first
    assert second["If-None-Match"] == served.etag
    feed = await store.feed(feed_id)
    assert feed is not None and "304" in str(feed.last_result) and feed.items_skipped == 1


async def test_last_modified_is_sent_back(
    feeds: Feeds, feed_server: FeedServer, clock: Clock
) -> None:
    stamp = "Wed, 02 Dec 2026 10:00:00 GMT"
    feed_server.serve("/feed.xml", rss([]), headers={"Last-Modified": stamp})
    await add(feeds, feed_server)
    await feeds.poll_due(wait=True)
    clock.now += 3600
    await feeds.poll_due(wait=True)
    assert feed_server.paths_requested("/feed.xml")[1]["If-Modified-Since"] == stamp


async def test_polls_follow_the_interval_with_bounded_jitter(
    feeds: Feeds, feed_server: FeedServer, clock: Clock, store: Store
) -> None:
    feed_server.serve("/feed.xml", rss([]))
    feed_id = await add(feeds, feed_server)
    await feeds.poll_due(wait=True)
    feed = await store.feed(feed_id)
    assert feed is not None
    assert clock.now + 60 <= feed.next_poll_at <= clock.now + 60 * 1.1
    assert await feeds.poll_due(wait=True) == 0  # not due yet


async def test_an_entry_is_judged_once_and_a_restart_takes_nothing_twice(
    feed_server: FeedServer, store: Store, clock: Clock
) -> None:
    feed_server.serve("/feed.xml", rss([item(**FR_POLICY), item(**NOT_FR_ITEM)]))
    first = Feeds(store, loopback_settings(), clock=clock)
    await first.add(feed_server.url("/feed.xml"), actor_id="mod")
    await first.poll_due(wait=True)
    await first.close()
    count = await store.count_articles()
    # A new process, and the server forgot its validators: the same entries come again.
    feed_server.serve("/feed.xml", rss([item(**FR_POLICY), item(**NOT_FR_ITEM)]))
    second = Feeds(store, loopback_settings(), clock=clock)
    clock.now += 3600
    await second.poll_due(wait=True)
    await second.close()
    [feed] = await store.feeds()
    assert feed.items_taken == 1 and feed.items_skipped == 1
    assert await store.count_articles() == count
    assert "2 entries, 0 new" in str(await second.list_text())


async def test_a_story_already_in_the_corpus_is_skipped_as_known(
    feeds: Feeds, feed_server: FeedServer, store: Store
) -> None:
    policy = item(**FR_POLICY)
    feed_server.serve("/one.xml", rss([policy]))
    # The same story under a tracking-parameter variant of its URL, in another feed.
    variant = dict(policy, link=policy["link"] + "?utm_source=rss", guid="other-guid")
    feed_server.serve("/two.xml", rss([variant]))
    await add(feeds, feed_server, "/one.xml")
    await feeds.poll_due(wait=True)
    await add(feeds, feed_server, "/two.xml")
    await feeds.poll_due(wait=True)
    one, two = await store.feeds()
    assert one.items_taken == 1 and two.items_taken == 0 and two.items_skipped == 1
    assert "already known as article" in await feeds.why(variant["link"])


async def test_aggregator_items_match_on_source_and_title(
    feeds: Feeds, feed_server: FeedServer, store: Store
) -> None:
    gazette = item(**FR_POLICY, link="https://gazette.example/news/ban")
    feed_server.serve("/gazette.xml", rss([gazette], title="Springfield Gazette"))
    await feeds.add(feed_server.url("/gazette.xml"), actor_id="mod")
    await feeds.poll_due(wait=True)
    [stored] = await store.all_articles()
    assert stored.provider_domain == "gazette.example"
    google = item(
        FR_POLICY["title"] + " - Springfield Gazette",
        FR_POLICY["summary"],
        link="https://news.google.com/rss/articles/CBMiExampleToken?oc=5",
        source=("Springfield Gazette", "https://www.gazette.example"),
    )
    feed_server.serve("/google.xml", rss([google], title="facial recognition ban - Google News"))
    await feeds.add(feed_server.url("/google.xml"), actor_id="mod")
    await feeds.poll_due(wait=True)
    assert await store.count_articles() == 1
    assert "already known as article " + stored.id in await feeds.why(google["link"])


async def test_entries_without_link_or_date_or_dated_ahead(
    feeds: Feeds, feed_server: FeedServer, store: Store
) -> None:
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    no_link = item("Oakland bans facial recognition", "Oakland's council voted.", link=None)
    no_link["guid"] = "tag:news.example,2026:1"
    undated = item(
        "Portland, Oregon city council votes to ban facial recognition technology",
        "The council voted unanimously on Wednesday.",
        published=None,
    )
    ahead = item(
        "Boston City Council bans facial recognition",
        "BOSTON — The council voted 13-0 to ban city use of facial recognition.",
        published=future,
    )
    feed_server.serve("/feed.xml", rss([no_link, undated, ahead]))
    await add(feeds, feed_server)
    await feeds.poll_due(wait=True)
    [feed] = await store.feeds()
    assert feed.items_taken == 2 and feed.items_skipped == 1
    by_url = {a.url: a for a in await store.all_articles()}
    today = dt.datetime.now(dt.UTC).date()
    assert by_url[undated["link"]].published_at.date() == today  # type: ignore[union-attr]
    assert by_url[ahead["link"]].published_at.date() == today  # type: ignore[union-attr]
    listing = await feeds.list_text()
    assert "1 no link to the article" in listing
    assert "1 no date" in listing and "1 date in the future" in listing
    assert "date in the future" in await feeds.why(ahead["link"])


async def test_old_entries_of_a_new_feed_are_not_news(
    feeds: Feeds, feed_server: FeedServer, store: Store
) -> None:
    old = item(**FR_POLICY, published=dt.datetime(2020, 1, 6, tzinfo=dt.UTC))
    feed_server.serve("/feed.xml", rss([old]))
    await add(feeds, feed_server)
    await feeds.poll_due(wait=True)
    assert await store.count_articles() == 0
    assert "older than 7 days when first seen" in await feeds.why(old["link"])


async def test_hostile_titles_are_kept_as_text(
    feeds: Feeds, feed_server: FeedServer, store: Store
) -> None:
    title = "@everyone <@123> [click](https://evil.example) Chicago bans facial recognition"
    feed_server.serve("/feed.xml", rss([item(title, "Chicago's council voted to ban it.")]))
    await add(feeds, feed_server)
    await feeds.poll_due(wait=True)
    [article] = await store.all_articles()
    assert article.title.startswith("@everyone")
    assert "[click](https://evil.example)" in article.title


async def test_skipped_entries_are_forgotten_after_30_days(
    feeds: Feeds, feed_server: FeedServer, clock: Clock, store: Store
) -> None:
    other = item(**NOT_FR_ITEM)
    feed_server.serve("/feed.xml", rss([other]))
    await add(feeds, feed_server)
    await feeds.poll_due(wait=True)
    assert NOT_FR in await feeds.why(other["link"])
    clock.now += 29 * 86400
    assert await feeds.forget_old_skipped() == 0
    clock.now += 2 * 86400
    assert await feeds.forget_old_skipped() == 1
    assert "No feed showed" in await feeds.why(other["link"])


async def test_add_remove_and_find(feeds: Feeds, feed_server: FeedServer, store: Store) -> None:
    feed_server.serve("/feed.xml", rss([]))
    feed_id = await add(feeds, feed_server)
    with pytest.raises(BanwatchError, match=f"already listed as #{feed_id}"):
        await add(feeds, feed_server)
    with pytest.raises(BanwatchError, match="5 to 1440 minutes"):
        await feeds.add(feed_server.url("/x"), actor_id="mod", every_minutes=1)
    other = await feeds.add(feed_server.url("/y"), actor_id="mod", every_minutes=30)
    assert other.interval_seconds == 1800
    removed = await feeds.remove(f"#{feed_id}", actor_id="mod")
    assert removed.url == feed_server.url("/feed.xml")
    with pytest.raises(BanwatchError, match="No feed"):
        await feeds.remove(str(feed_id), actor_id="mod")
    assert [f.id for f in await store.feeds()] == [other.id]
    actions = [entry.action for entry in await store.audit_entries()]
    assert actions.count("feeds.add") == 2 and actions.count("feeds.remove") == 1
    assert "Polled now" in await feeds.check(other.url)


async def test_check_polls_now(feeds: Feeds, feed_server: FeedServer, store: Store) -> None:
    feed_server.serve("/feed.xml", rss([item(**FR_POLICY)]))
    feed_id = await add(feeds, feed_server)
    text = await feeds.check(str(feed_id))
    assert text.startswith("Polled now: 1 entries, 1 new: 1 taken")
    assert "All 1 feeds will be polled" in await feeds.check()


async def test_a_bug_backs_the_feed_off_instead_of_looping(
    feeds: Feeds, feed_server: FeedServer, store: Store, clock: Clock, monkeypatch, caplog
) -> None:
    import bot.feeds

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("parser bug")

    monkeypatch.setattr(bot.feeds, "parse_feed", broken)
    feed_server.serve("/feed.xml", rss([item(**FR_POLICY)]))
    feed_id = await add(feeds, feed_server)
    await feeds.poll_due(wait=True)
    feed = await store.feed(feed_id)
    assert feed is not None and feed.failures == 1 and feed.next_poll_at > clock.now + 60
    assert feed.last_error == "banwatch failed on this feed (RuntimeError; logged)"
    assert "polling feed #1 failed unexpectedly" in caplog.text


async def test_a_busy_database_leaves_the_feed_due_and_loses_nothing(
    feeds: Feeds, feed_server: FeedServer, store: Store, monkeypatch, caplog
) -> None:
    import sqlite3

    feed_server.serve("/feed.xml", rss([item(**FR_POLICY)]))
    feed_id = await add(feeds, feed_server)
    real = store.record_feed_poll

    async def busy(*args: object, **kwargs: object) -> None:
        monkeypatch.setattr(store, "record_feed_poll", real)
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(store, "record_feed_poll", busy)
    await feeds.poll_due(wait=True)
    assert "the database was busy" in caplog.text and "ERROR" not in caplog.text
    assert await store.count_articles() == 0
    assert await feeds.poll_due(wait=True) == 1  # still due: polled again at once
    feed = await store.feed(feed_id)
    assert feed is not None and feed.items_taken == 1 and feed.failures == 0
