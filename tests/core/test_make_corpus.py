"""The benchmark corpus generator: deterministic, every action, files the parser reads."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from bench.make_corpus import (
    LEADS,
    MALFORMED_KINDS,
    SEARCH_CANDIDATES,
    TITLES,
    TITLES_BY_KIND,
    iter_documents,
    main,
    malformed_bytes,
    write_corpus,
)
from bot.corpus import CorpusError, canonical_url, iter_corpus_files, parse_document
from bot.taxonomy import ACTIONS

DOCUMENTS = 200


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    directory = tmp_path_factory.mktemp("corpus") / "seed7"
    return directory, write_corpus(DOCUMENTS, directory, seed=7)


def tree(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in iter_corpus_files(directory)}


def test_same_seed_writes_the_same_bytes(corpus, tmp_path: Path) -> None:
    directory, stats = corpus
    again = write_corpus(DOCUMENTS, tmp_path / "again", seed=7)
    assert tree(tmp_path / "again") == tree(directory)
    assert again == stats


def test_another_seed_writes_another_corpus(corpus, tmp_path: Path) -> None:
    directory, _ = corpus
    write_corpus(DOCUMENTS, tmp_path / "other", seed=8)
    first, other = tree(directory), tree(tmp_path / "other")
    assert len(other) == DOCUMENTS
    assert set(first) != set(other)
    assert sorted(first.values()) != sorted(other.values())


def test_every_taxonomy_action_has_templates() -> None:
    assert set(TITLES) == set(ACTIONS)
    assert set(LEADS) == set(ACTIONS)
    assert all(len(TITLES[action]) >= 5 for action in ACTIONS)  # several wordings each
    for (action, kind), templates in TITLES_BY_KIND.items():
        assert templates, f"no headline for {action} about a {kind}"


def test_every_action_occurs_in_a_corpus() -> None:
    actions = Counter(s.action for d in iter_documents(400, seed=3) for s in d.stories)
    assert set(actions) == set(ACTIONS)
    share = actions["none"] / sum(actions.values())
    assert 0.2 < share < 0.35


def test_good_files_parse_and_malformed_ones_are_rejected(corpus) -> None:
    directory, stats = corpus
    files = iter_corpus_files(directory)
    assert len(files) == stats.documents == DOCUMENTS
    assert len({p.parent for p in files}) == 1  # 500 files per subdirectory
    articles = rejected = 0
    for path in files:
        try:
            result = parse_document(path.read_bytes(), path=str(path))
        except CorpusError as exc:
            assert exc.reason
            rejected += 1
            continue
        assert result.problems == []
        articles += len(result.articles)
    assert rejected == stats.malformed >= 1
    assert articles == stats.articles
    assert 3 < stats.articles / stats.documents < 5


def test_documents_match_what_the_parser_reads() -> None:
    for document in iter_documents(60, seed=11):
        if document.malformed:
            with pytest.raises(CorpusError):
                parse_document(document.data, path=document.path)
            continue
        result = parse_document(document.data, path=document.path)
        assert [a.title for a in result.articles] == [s.title for s in document.stories]


@pytest.mark.parametrize("kind", MALFORMED_KINDS)
def test_each_kind_of_malformed_file_is_rejected(kind: str) -> None:
    with pytest.raises(CorpusError) as caught:
        parse_document(malformed_bytes(kind, random.Random(1)), path=kind)
    assert caught.value.reason


def test_duplicates_share_a_canonical_url(corpus) -> None:
    directory, stats = corpus
    urls: Counter[str] = Counter()
    for path in iter_corpus_files(directory):
        try:
            result = parse_document(path.read_bytes(), path=str(path))
        except CorpusError:
            continue
        urls.update(canonical_url(a.url) for a in result.articles if a.url)
    assert stats.duplicates > 0
    assert any(count > 1 for count in urls.values())


def test_places_and_search_terms(corpus) -> None:
    directory, stats = corpus
    assert "Chicago, IL" in stats.places
    assert len(stats.places) > 100
    assert len(stats.search_terms) >= 40
    assert set(stats.search_terms) <= set(SEARCH_CANDIDATES)
    text = "\n".join(
        f"{a.title}\n{a.excerpt}\n{a.body}"
        for path in iter_corpus_files(directory)
        if not (data := path.read_bytes()).startswith(b"\x89PNG")
        for a in _articles(data, str(path))
    ).lower()
    for term in stats.search_terms:
        assert term in text, term


def _articles(data: bytes, path: str) -> list:
    try:
        return parse_document(data, path=path).articles
    except CorpusError:
        return []


def test_refuses_a_directory_with_files(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(FileExistsError):
        write_corpus(5, tmp_path)


def test_command_line_prints_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["20", str(tmp_path / "cli"), "--seed", "2"]) == 0
    out = capsys.readouterr().out.strip()
    assert len(out.splitlines()) == 1
    assert out.startswith("20 documents, ")
    assert "articles" in out and "malformed" in out


@pytest.mark.parametrize("text", ["0", "-5", "many"])
def test_a_count_below_one_or_not_a_number_is_refused(text: str) -> None:
    import argparse

    from bench.make_corpus import positive_int

    with pytest.raises(argparse.ArgumentTypeError):
        positive_int(text)
    assert positive_int("3") == 3
