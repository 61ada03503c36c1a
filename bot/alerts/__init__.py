"""Channel alerts: subscriptions, the outbox and its sender, with no Discord in sight.

``bot.alerts.service`` holds :class:`Alerts` and :func:`enqueue_guild_notice` (for other
features, e.g. petition milestones); ``bot.alerts.sender`` drains the outbox through a
:class:`~bot.alerts.sender.Poster` (Discord's in ``cogs/alerts/_delivery.py``, the
console's in ``bot/console/alerts.py``).
This package's ``__init__`` imports nothing so that the store can use its dataclasses.
"""
