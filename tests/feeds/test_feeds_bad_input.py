"""Every kind of bad input the feeds issue names, each served by a loopback HTTP server:
a clear reason in the feed's health, nothing crashes, nothing else is lost.

No test sends traffic outside 127.0.0.0/8: refusals of other addresses use a resolver that
answers without DNS, and are refused before any connection.
"""

from __future__ import annotations

import asyncio
import gzip
import tracemalloc
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bot.errors import BanwatchError
from bot.feeds import Feeds, FetchLimits, parse_networks
from bot.feeds._fetch import GuardedResolver, retry_after_seconds
from bot.feeds._guard import AddressPolicy, FeedRefused
from bot.store import Store
from tests.feeds.conftest import Clock, loopback_settings
from tests.feeds.support import FR_POLICY, FeedServer, item, rss

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>Facial recognition &lol9;</title><link>https://news.example/a</link></item>
</channel></rss>"""


async def poll_once(feeds: Feeds, url: str) -> str:
    """Add ``url``, poll it once, and return its health."""
    feed = await feeds.add(url, actor_id="mod")
    await feeds.poll_due(wait=True)
    refreshed = await feeds.store.feed(feed.id)
    assert refreshed is not None and refreshed.last_polled_at
    return refreshed.last_error or ""


async def test_malformed_xml(feeds: Feeds, feed_server: FeedServer) -> None:
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Bad & worse</title></chan'
    feed_server.serve("/feed.xml", body)
    reason = await poll_once(feeds, feed_server.url("/feed.xml"))
    assert reason == "malformed XML: line 1, column 78: not well-formed (invalid token)"


async def test_malformed_xml_with_readable_entries_is_read_leniently(
    feeds: Feeds, feed_server: FeedServer, store: Store
) -> None:
    body = rss([item(**FR_POLICY)]).replace(b"</channel></rss>", b"<oops></channel></rss>")
    feed_server.serve("/feed.xml", body)
    assert await poll_once(feeds, feed_server.url("/feed.xml")) == ""
    [feed] = await store.feeds()
    assert feed.items_taken == 1 and "read leniently" in await feeds.list_text()


async def test_an_html_page_instead_of_a_feed(feeds: Feeds, feed_server: FeedServer) -> None:
    page = b"<!DOCTYPE html><html><head><title>News</title></head><body>Hi</body></html>"
    feed_server.serve("/page", page, content_type="text/html; charset=utf-8")
    assert "an HTML page, not a feed" in await poll_once(feeds, feed_server.url("/page"))


async def test_an_image_is_refused_before_reading(feeds: Feeds, feed_server: FeedServer) -> None:
    feed_server.serve("/logo.png", b"\x89PNG" + b"\x00" * 100, content_type="image/png")
    assert "sent image/png, not a feed" in await poll_once(feeds, feed_server.url("/logo.png"))


async def test_an_entity_expansion_bomb(feeds: Feeds, feed_server: FeedServer) -> None:
    feed_server.serve("/bomb.xml", BILLION_LAUGHS)
    tracemalloc.start()
    try:
        reason = await poll_once(feeds, feed_server.url("/bomb.xml"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "declares XML entities" in reason
    assert peak < 20 * 1024 * 1024


async def test_a_50_mb_feed_is_refused_while_reading(feeds: Feeds, feed_server: FeedServer) -> None:
    sent = 0

    async def endless(request: web.Request) -> web.StreamResponse:
        nonlocal sent
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await response.prepare(request)
        await response.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
        chunk = b"<item><title>x</title></item>" * 2000
        with __import__("contextlib").suppress(ConnectionError):
            while sent < 50 * 1024 * 1024:
                await response.write(chunk)
                sent += len(chunk)
        return response

    feed_server.route("/big.xml", endless)
    reason = await poll_once(feeds, feed_server.url("/big.xml"))
    assert "over the 5 MB limit" in reason and "stopped reading" in reason
    assert sent < 50 * 1024 * 1024


async def test_a_declared_50_mb_feed_is_refused_unread(
    feeds: Feeds, feed_server: FeedServer
) -> None:
    feed_server.serve("/big.xml", b"x" * (6 * 1024 * 1024))
    assert "over the 5 MB limit" in await poll_once(feeds, feed_server.url("/big.xml"))


async def test_a_gzip_bomb(feeds: Feeds, feed_server: FeedServer) -> None:
    bomb = gzip.compress(b"<rss>" + b" " * (40 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 1024 * 1024
    feed_server.serve("/bomb.xml", bomb, headers={"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        reason = await poll_once(feeds, feed_server.url("/bomb.xml"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "over the 5 MB limit once decompressed" in reason
    assert peak < 20 * 1024 * 1024


async def test_gzip_feeds_are_read(feeds: Feeds, feed_server: FeedServer, store: Store) -> None:
    body = gzip.compress(rss([item(**FR_POLICY)]))
    feed_server.serve("/feed.xml", body, headers={"Content-Encoding": "gzip"})
    assert await poll_once(feeds, feed_server.url("/feed.xml")) == ""
    assert (await store.feeds())[0].items_taken == 1


async def test_a_server_that_never_answers(store: Store, feed_server: FeedServer) -> None:
    async def hang(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    feed_server.route("/slow.xml", hang)
    feeds = Feeds(store, loopback_settings(limits=FetchLimits(timeout=0.3)))
    try:
        assert "no answer within 0.3 s" in await poll_once(feeds, feed_server.url("/slow.xml"))
    finally:
        await feeds.close()


async def test_a_redirect_loop(feeds: Feeds, feed_server: FeedServer) -> None:
    async def to_b(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/b")

    async def to_a(request: web.Request) -> web.StreamResponse:
        raise web.HTTPMovedPermanently("/a")

    feed_server.route("/a", to_b)
    feed_server.route("/b", to_a)
    reason = await poll_once(feeds, feed_server.url("/a"))
    assert reason.startswith("redirect loop:") and reason.count("->") == 2


async def test_too_many_redirects(feeds: Feeds, feed_server: FeedServer) -> None:
    async def onward(request: web.Request) -> web.StreamResponse:
        step = int(request.path.strip("/r"))
        raise web.HTTPFound(f"/r{step + 1}")

    for step in range(10):
        feed_server.route(f"/r{step}", onward)
    assert "more than 5 redirects" in await poll_once(feeds, feed_server.url("/r0"))
    assert len(feed_server.requests) == 6


async def test_redirects_are_followed_and_a_permanent_move_updates_the_address(
    feeds: Feeds, feed_server: FeedServer, store: Store
) -> None:
    async def moved(request: web.Request) -> web.StreamResponse:
        raise web.HTTPMovedPermanently("/feed.xml")

    async def found(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/feed.xml")

    feed_server.route("/old", moved)
    feed_server.route("/elsewhere", found)
    feed_server.serve("/feed.xml", rss([item(**FR_POLICY)]))
    assert await poll_once(feeds, feed_server.url("/old")) == ""
    [feed] = await store.feeds()
    assert feed.items_taken == 1 and feed.url == feed_server.url("/feed.xml")
    assert "moved permanently to" in await feeds.list_text()
    assert "feeds.moved" in [entry.action for entry in await store.audit_entries()]
    # A temporary redirect is followed, and the address kept.
    temporary = await feeds.add(feed_server.url("/elsewhere"), actor_id="mod")
    await feeds.poll_due(wait=True)
    kept = await store.feed(temporary.id)
    assert kept is not None and kept.url == feed_server.url("/elsewhere") and not kept.failures


async def test_a_redirect_to_127_0_0_1_when_loopback_is_not_allowed(store: Store) -> None:
    # A self-hosted feed on 127.0.0.2 is allowed; 127.0.0.1 is not.
    self_hosted = FeedServer(host="127.0.0.2")
    target = FeedServer()
    await self_hosted.start()
    await target.start()
    try:
        target.serve("/feed.xml", rss([item(**FR_POLICY)]))

        async def away(request: web.Request) -> web.StreamResponse:
            raise web.HTTPFound(target.url("/feed.xml"))

        self_hosted.route("/feed.xml", away)
        settings = loopback_settings(allowed_networks=parse_networks("127.0.0.2/32"))
        feeds = Feeds(store, settings)
        try:
            reason = await poll_once(feeds, self_hosted.url("/feed.xml"))
        finally:
            await feeds.close()
        assert reason == "refused: 127.0.0.1 is a loopback address"
        assert target.requests == []
        assert await store.count_articles() == 0
    finally:
        await self_hosted.close()
        await target.close()


async def test_a_redirect_to_a_name_that_resolves_to_a_private_address(
    store: Store, feed_server: FeedServer
) -> None:
    async def resolve(host: str, port: int) -> list[str]:
        return {"feeds.example": ["127.0.0.1"], "intranet.example": ["10.0.0.5"]}[host]

    async def inward(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(f"http://intranet.example:{feed_server.port}/secret")

    feed_server.route("/feed.xml", inward)
    feeds = Feeds(store, loopback_settings(), resolve=resolve)
    try:
        reason = await poll_once(feeds, f"http://feeds.example:{feed_server.port}/feed.xml")
    finally:
        await feeds.close()
    assert reason == "refused: intranet.example resolves to 10.0.0.5 is a private address"
    assert [path for path, _ in feed_server.requests] == ["/feed.xml"]


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.1.2.3", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("fd00:ec2::254", "private"),
        ("100.64.0.1", "reserved"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
    ],
)
async def test_names_resolving_to_refused_addresses_are_refused(address: str, kind: str) -> None:
    async def resolve(host: str, port: int) -> list[str]:
        return ["93.184.216.34", address]  # one bad address is enough

    resolver = GuardedResolver(AddressPolicy(), resolve)
    with pytest.raises(FeedRefused, match=f"news.example resolves to .* {kind}"):
        await resolver.resolve("news.example", 443)


async def test_a_public_name_resolves() -> None:
    async def resolve(host: str, port: int) -> list[str]:
        return ["93.184.216.34"]

    [record] = await GuardedResolver(AddressPolicy(), resolve).resolve("news.example", 443)
    assert record["host"] == "93.184.216.34" and record["port"] == 443


async def test_a_feed_whose_name_resolves_privately_is_not_added(store: Store) -> None:
    async def resolve(host: str, port: int) -> list[str]:
        return ["10.0.0.5"]

    feeds = Feeds(store, loopback_settings(), resolve=resolve)
    try:
        with pytest.raises(BanwatchError, match=r"resolves to 10\.0\.0\.5 is a private address"):
            await feeds.add("https://news.example/feed.xml", actor_id="mod")
    finally:
        await feeds.close()
    assert await store.count_feeds() == 0


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "not file:"),
        ("ftp://news.example/feed.xml", "not ftp:"),
        ("gopher://news.example/", "not gopher:"),
        ("javascript:alert(1)", "not javascript:"),
        ("news.example/feed.xml", "not no scheme"),
        ("http://user:secret@news.example/feed", "user name or password"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[::ffff:127.0.0.1]/feed", "loopback"),
        ("http://", "no host"),
    ],
)
def test_bad_addresses_are_refused(url: str, reason: str) -> None:
    with pytest.raises(FeedRefused, match=reason):
        AddressPolicy().check_url(url)


async def test_bad_addresses_are_refused_when_added(store: Store) -> None:
    feeds = Feeds(store, loopback_settings())
    try:
        with pytest.raises(BanwatchError, match="Can't add this feed: only http"):
            await feeds.add("file:///etc/passwd", actor_id="mod")
    finally:
        await feeds.close()


async def test_loopback_needs_the_setting(store: Store, feed_server: FeedServer) -> None:
    feed_server.serve("/feed.xml", rss([]))
    feeds = Feeds(store, loopback_settings(allowed_networks=()))
    try:
        with pytest.raises(BanwatchError, match=r"127\.0\.0\.1 is a loopback address"):
            await feeds.add(feed_server.url("/feed.xml"), actor_id="mod")
    finally:
        await feeds.close()
    assert feed_server.requests == []


@pytest.fixture
async def failing(store: Store, clock: Clock) -> AsyncIterator[Feeds]:
    feeds = Feeds(store, loopback_settings(), clock=clock)
    try:
        yield feeds
    finally:
        await feeds.close()


async def test_500s_back_off_then_fail_once_then_recover_once(
    failing: Feeds, feed_server: FeedServer, clock: Clock, store: Store
) -> None:
    async def broken(request: web.Request) -> web.StreamResponse:
        return web.Response(status=500, text="oops")

    feed_server.route("/feed.xml", broken)
    feed = await failing.add(feed_server.url("/feed.xml"), actor_id="mod", channel_id="42")
    delays = []
    for _ in range(4):
        before = clock.now
        await failing.poll_due(wait=True)
        polled = await store.feed(feed.id)
        assert polled is not None
        delays.append(polled.next_poll_at - before)
        clock.now = polled.next_poll_at
    assert 120 <= delays[0] <= 126 and 240 <= delays[1] <= 246 and 480 <= delays[2] <= 486
    assert delays[3] > delays[2]
    assert polled.failures == 4 and polled.failing_since
    assert "the server answered HTTP 500" in (polled.last_error or "")
    assert "FAILING since" in await failing.list_text()
    notices = await store.log_notices()
    assert len(notices) == 1 and "is failing (3 polls in a row failed)" in notices[0].text
    assert notices[0].guild_id is None and notices[0].fallback_channel_id == "42"
    # Fixed: one recovery notice, however many good polls follow.
    del feed_server.routes["/feed.xml"]
    feed_server.serve("/feed.xml", rss([item(**FR_POLICY)]))
    for _ in range(2):
        await failing.poll_due(wait=True)
        polled = await store.feed(feed.id)
        assert polled is not None
        clock.now = polled.next_poll_at
    assert polled.failures == 0 and polled.failing_since is None and polled.items_taken == 1
    texts = [notice.text for notice in await store.log_notices()]
    assert len(texts) == 2 and "has recovered" in texts[0]


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_is_honoured(
    failing: Feeds, feed_server: FeedServer, clock: Clock, store: Store, status: int
) -> None:
    async def busy(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, headers={"Retry-After": "7200"})

    feed_server.route("/feed.xml", busy)
    feed = await failing.add(feed_server.url("/feed.xml"), actor_id="mod")
    await failing.poll_due(wait=True)
    polled = await store.feed(feed.id)
    assert polled is not None and polled.next_poll_at >= clock.now + 7200
    assert f"HTTP {status}" in (polled.last_error or "") and "Retry-After 7200 s" in (
        polled.last_error or ""
    )


@pytest.mark.parametrize("status", [404, 410])
async def test_gone_feeds_fail_at_once(
    failing: Feeds, feed_server: FeedServer, store: Store, status: int
) -> None:
    async def gone(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status)

    feed_server.route("/feed.xml", gone)
    feed = await failing.add(feed_server.url("/feed.xml"), actor_id="mod")
    await failing.poll_due(wait=True)
    polled = await store.feed(feed.id)
    assert polled is not None and polled.failing_since and polled.failures == 1
    [notice] = await store.log_notices()
    assert "it is gone" in notice.text


def test_retry_after_dates_and_nonsense() -> None:
    import datetime as dt

    now = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
    assert retry_after_seconds("Sun, 06 Dec 2026 12:02:00 GMT", now) == 120
    assert retry_after_seconds("10", now) == 10
    assert retry_after_seconds("99999999", now) == 86_400
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


async def test_one_bad_feed_loses_nothing_of_another(
    feeds: Feeds, feed_server: FeedServer, store: Store
) -> None:
    feed_server.serve("/bomb.xml", BILLION_LAUGHS)
    feed_server.serve("/good.xml", rss([item(**FR_POLICY)]))
    await feeds.add(feed_server.url("/bomb.xml"), actor_id="mod")
    await feeds.add(feed_server.url("/good.xml"), actor_id="mod")
    assert await feeds.poll_due(wait=True) == 2
    bad, good = await store.feeds()
    assert bad.failures == 1 and good.items_taken == 1 and good.failures == 0
