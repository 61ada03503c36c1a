"""Imported once by the fork server that starts ingest workers (``bot.ingest._Readers``).

Reading one sample document here loads the rules, the model and the gazetteer into the fork
server, so every worker forked from it starts with them: a spawned worker spent about a
second of CPU loading them, each worker of each pool. The fork server itself is a fresh
process (no store threads), so forking from it is safe where forking this one is not.
"""

from __future__ import annotations

from bot.corpus import parse_document
from bot.ingest import read_parsed

_SAMPLE = b"""---
title: Springfield council votes to pause police use of facial recognition
excerpt: The city council voted on Monday for a moratorium on face surveillance.
publishedDateTime: 2020-02-24T12:00:00Z
---
"""

read_parsed(parse_document(_SAMPLE, path="preload.md").articles)
