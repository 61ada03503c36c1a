"""Reading both corpus formats, and refusing bad files with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.corpus import (
    MAX_FILE_BYTES,
    CorpusError,
    _load_yaml_fast,
    _NoAliasSafeLoader,
    canonical_url,
    clean_body,
    load_yaml,
    parse_document,
)
from tests.conftest import SEEDS_DIR

PLAIN_SEED = SEEDS_DIR / "000_0d1ef0c9cc388d2d.txt"
YAML_SEED = SEEDS_DIR / "002_da0adec2a5986680.txt"


def parse(path: Path):
    return parse_document(path.read_bytes(), path=str(path))


def test_seeds_are_copied_unchanged() -> None:
    shared = SEEDS_DIR.parent.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared is not beside the project")
    for original in shared.iterdir():
        assert (SEEDS_DIR / original.name).read_bytes() == original.read_bytes()


def test_plain_text_seed_fields() -> None:
    result = parse(PLAIN_SEED)
    assert result.problems == []
    [article] = result.articles
    assert article.title == "Chicago-Area Groups Demand End to Facial Recognition Amid Concerns"
    assert article.excerpt.startswith("Illinois law prohibits businesses")
    assert article.provider_name == "NBCUniversal, Inc."
    assert article.topics == ["facial recognition"]
    assert article.body.startswith("There are new calls to end")
    assert "Contact Us" not in article.body
    assert article.body.endswith('use of this technology."')


def test_front_matter_seed_has_document_and_related_items() -> None:
    result = parse(YAML_SEED)
    assert result.problems == []
    titles = [article.title for article in result.articles]
    assert titles[0] == "Coalition calls for Chicago to end use of facial recognition technology"
    assert len(titles) == 10  # the document and its nine related entries
    main = result.articles[0]
    assert main.provider_name == "WGN-TV" and main.provider_domain == "wgntv.com"
    assert main.published_at is not None and main.published_at.isoformat().startswith("2020-02-04")
    assert main.parent_index is None
    assert all(article.parent_index == 0 for article in result.articles[1:])
    veridium = next(a for a in result.articles if a.title.startswith("Veridium"))
    assert veridium.provider_domain == "prnewswire.com"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://www-wwlp-com.cdn.ampproject.org/c/s/www.wwlp.com/news/a/b/amp/",
            "wwlp.com/news/a/b",
        ),
        ("https://www.wwlp.com/news/a/b/", "wwlp.com/news/a/b"),
        ("https://www.wwlp.com/news/a/b/?utm_source=tw&utm_medium=x", "wwlp.com/news/a/b"),
        ("https://www.masslive.com/news/x.html?outputType=amp", "masslive.com/news/x.html"),
        ("https://www.governing.com/security/X.html?AMP", "governing.com/security/X.html"),
        ("https://example.com/story?id=7&fbclid=abc", "example.com/story?id=7"),
    ],
)
def test_canonical_url_strips_amp_cdn_and_tracking(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_clean_body_drops_trailing_boilerplate() -> None:
    text = "First paragraph.\n\nSecond one.\n\nAdvertisement\n\nContact Us\nPrivacy Policy\n"
    assert clean_body(text) == "First paragraph.\n\nSecond one."


BAD_FILES = {
    "malformed YAML": (b"---\ntitle: [unclosed\n---\n", "malformed YAML"),
    "missing title": (b"---\nexcerpt: no headline here\n---\n", "missing title"),
    "unterminated front matter": (b"---\ntitle: x\n", "never ends"),
    "bad encoding": ("---\ntitle: caf\xe9\n---\n".encode("latin-1"), "not UTF-8"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    "huge": (b"x" * (MAX_FILE_BYTES + 1), "limit"),
    "empty": (b"   \n\n", "empty"),
    "python object": (
        b"---\ntitle: !!python/object/apply:os.system ['echo pwned']\n---\n",
        "malformed YAML",
    ),
    "alias bomb": (
        b"---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\ntitle: boom\n---\n",
        "aliases",
    ),
    "bad date": (b"---\ntitle: A headline\npublishedDateTime: not a date at all\n---\n", "date"),
    "not a mapping": (b"---\n- just\n- a list\n---\n", "not a mapping"),
    # YAML reads an unquoted date as a timestamp; an impossible one can't be built.
    "impossible unquoted date": (
        b"---\ntitle: A headline\npublishedDateTime: 2019-02-30\n---\n",
        "can't be read",
    ),
    "impossible unquoted timestamp in a related item": (
        b"---\ntitle: A headline\nrelated:\n  - title: B\n"
        b"    publishedDateTime: 2021-13-01T10:00:00Z\n---\n",
        "can't be read",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_raise_clear_errors_naming_the_file(case: str) -> None:
    data, reason = BAD_FILES[case]
    with pytest.raises(CorpusError) as excinfo:
        parse_document(data, path="corpus/bad.md")
    assert excinfo.value.path == "corpus/bad.md"
    assert reason in excinfo.value.reason
    assert "corpus/bad.md" in str(excinfo.value)


def test_bad_related_item_is_reported_and_others_kept() -> None:
    data = (
        b"---\ntitle: Main story\nrelated:\n  - title: Good related\n"
        b"    publishedDateTime: 2020-02-01T00:00:00Z\n  - excerpt: no title\n"
        b"  - title: Bad date\n    publishedDateTime: yesterday-ish\n---\n"
    )
    result = parse_document(data, path="x.md")
    assert [a.title for a in result.articles] == ["Main story", "Good related"]
    assert len(result.problems) == 2
    assert any("related item 2: missing title" in p for p in result.problems)
    assert any("related item 3" in p and "date" in p for p in result.problems)


def test_hostile_long_title_is_cut_cleanly() -> None:
    data = ("---\ntitle: '" + "@everyone **bold** " * 200 + "'\n---\n").encode()
    [article] = parse_document(data, path="x.md").articles
    assert len(article.title) <= 501
    assert article.title.endswith("…")


def test_stable_ids_ignore_amp_variants() -> None:
    a = parse_document(
        b"---\ntitle: T\nwebUrl: https://www.x.com/a/amp/?utm_source=q\n---\n", path="a"
    )
    b = parse_document(b"---\ntitle: T2\nwebUrl: https://x.com/a\n---\n", path="b")
    assert a.articles[0].stable_id() == b.articles[0].stable_id()


@pytest.mark.parametrize(
    "text",
    [
        YAML_SEED.read_text(encoding="utf-8").split("\n---\n")[0].removeprefix("---\n"),
        "title: Plain\npublishedDateTime: 2020-02-04T18:51:00Z\ncount: 3\nflag: no\nempty:\n",
        "title: 'quoted: colon'\nrelated:\n  - {title: flow, url: 'https://x.example/a'}\n",
        "title: ünïcödé ✓\nexcerpt: >\n  folded\n  text\n",
        "",
    ],
)
def test_fast_yaml_reads_what_the_pure_python_loader_reads(text: str) -> None:
    assert load_yaml(text, path="f") == yaml.load(text, Loader=_NoAliasSafeLoader)
    if yaml.__with_libyaml__:
        assert _load_yaml_fast(text) == (True, load_yaml(text, path="f"))


@pytest.mark.parametrize(
    "text",
    [
        "title: [unclosed\n",
        "a: &x 1\nb: *x\ntitle: t\n",
        "title: !!python/object/apply:os.system ['echo pwned']\n",
        "title: a\n\tb: tab\n",
    ],
)
def test_fast_yaml_rejects_with_the_pure_python_wording(text: str) -> None:
    with pytest.raises(CorpusError) as fast:
        load_yaml(text, path="f")
    with pytest.raises(yaml.YAMLError) as slow:
        yaml.load(text, Loader=_NoAliasSafeLoader)
    assert fast.value.reason.startswith("malformed YAML")
    problem = getattr(slow.value, "problem", None) or str(slow.value).splitlines()[0]
    assert fast.value.reason.endswith(problem)


def test_the_readmes_plain_text_example_is_dated_by_its_published_line() -> None:
    import re
    from pathlib import Path

    from bot.corpus import parse_document

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("2. **Plain text**") :]
    match = re.search(r"```text\n(.*?)\n\s*```", section, re.S)
    assert match, "the README shows a plain-text file"
    text = "\n".join(line.strip() for line in match.group(1).splitlines())
    assert "Published:" in text
    [article] = parse_document(text.encode(), path="example.txt").articles
    assert article.published_at is not None
    assert article.published_at.date().isoformat() == "2020-02-25"
    assert article.title == "Springfield council votes to ban police facial recognition"
