"""Tests for bot.extraction: the dev set, the seed corpus, invented headlines, hostile input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

import bot.extraction as extraction_module
from bot.data import DataFileError, data_files, load_yaml
from bot.extraction import EXTRACTOR_VERSION, extract
from bot.extraction import _frames as frames_module
from bot.extraction import _model as model_module
from bot.extraction import _rules as rules_module
from bot.models import Article, Extraction
from bot.places import gazetteer
from bot.taxonomy import ACTIONS, LEVELS, SCOPES

from ..conftest import SEEDS_DIR

UTC = dt.UTC


def make(
    title: str,
    excerpt: str = "",
    published: str | None = None,
    domain: str | None = None,
    body: str = "",
    url: str | None = None,
) -> Article:
    """An article as the corpus would give it."""
    return Article(
        id="test",
        title=title,
        excerpt=excerpt,
        body=body,
        url=url,
        published_at=dt.datetime.fromisoformat(published) if published else None,
        provider_domain=domain,
    )


def check_shape(result: Extraction) -> None:
    """Every extraction uses taxonomy names only."""
    assert result.action in ACTIONS
    assert result.scope in SCOPES
    assert result.is_policy == (result.action != "none")
    for place in result.places:
        assert place.level in LEVELS


# --- The dev set ---------------------------------------------------------------------------


# --- The seed corpus -----------------------------------------------------------------------


def _front_matter(path: Path) -> dict[str, Any]:
    """The YAML between the first two '---' lines of a seed file."""
    text = path.read_text(encoding="utf-8")
    _, block, _ = text.split("---\n", 2)
    return yaml.safe_load(block)


def _seed_articles() -> dict[str, Article]:
    """The seed items by title: the YAML file, its related items and the plain-text item."""
    data = _front_matter(SEEDS_DIR / "002_da0adec2a5986680.txt")
    items = [data, *data["related"]]
    articles = {}
    for item in items:
        published = item["publishedDateTime"]  # YAML reads the timestamp as a datetime
        if published.tzinfo is None:
            published = published.replace(tzinfo=UTC)
        articles[item["title"]] = Article(
            id=item["title"],
            title=item["title"],
            excerpt=item.get("excerpt", ""),
            url=item.get("webUrl"),
            published_at=published,
            provider_name=item["provider"]["name"],
            provider_domain=item["provider"]["domain"],
        )
    lines = [
        line.strip()
        for line in (SEEDS_DIR / "000_0d1ef0c9cc388d2d.txt").read_text().splitlines()
        if line.strip()
    ]
    articles[lines[1]] = Article(
        id="nbc", title=lines[1], excerpt=lines[2], body="\n\n".join(lines[3:])
    )
    return articles


SEEDS = _seed_articles()


def seed(prefix: str) -> Extraction:
    """Extract the seed item whose title starts with ``prefix``."""
    matches = [article for title, article in SEEDS.items() if title.startswith(prefix)]
    assert len(matches) == 1, prefix
    result = extract(matches[0])
    check_shape(result)
    return result


def test_seed_product_launch_is_not_policy() -> None:
    result = seed("Veridium Launches")
    assert result.action == "none"
    assert not result.is_policy
    assert result.event_date is None


@pytest.mark.parametrize(
    ("prefix", "action"),
    [
        ("Springfield City Council finalizes", "ordinance_debated"),
        ("Springfield City Council debates, postpones", "vote_postponed"),
        ("Choosing Not to Decide", "vote_postponed"),
    ],
)
def test_seed_springfield_is_springfield_massachusetts(prefix: str, action: str) -> None:
    result = seed(prefix)
    assert result.action == action
    assert result.place is not None
    assert (result.place.city, result.place.state, result.place.country) == (
        "Springfield",
        "MA",
        "US",
    )


def test_seed_springfield_dates() -> None:
    # "Wednesday" published late on Jan 29 US time (Jan 30 UTC); "Monday night" before Feb 4.
    assert seed("Springfield City Council finalizes").event_date == dt.date(2020, 1, 29)
    assert seed("Springfield City Council debates").event_date == dt.date(2020, 2, 3)


@pytest.mark.parametrize(
    "prefix",
    [
        "Coalition calls for Chicago",
        "Groups Call For Chicago PD",
        "Chicago-Area Groups Demand End",
    ],
)
def test_seed_chicago_coalition(prefix: str) -> None:
    result = seed(prefix)
    assert result.action == "campaign_or_petition"
    assert result.scope in ("police", "government")
    assert result.place is not None
    assert (result.place.city, result.place.state, result.place.country) == (
        "Chicago",
        "IL",
        "US",
    )


def test_seed_chicago_coalition_date() -> None:
    assert seed("Coalition calls for Chicago").event_date is None or seed(
        "Coalition calls for Chicago"
    ).event_date <= dt.date(2020, 2, 4)


def test_seed_moscow_court() -> None:
    result = seed("Moscow Court Case")
    assert result.action == "lawsuit_or_court_challenge"
    assert result.place is not None
    assert (result.place.city, result.place.country, result.place.level) == ("Moscow", "RU", "city")


def test_seed_facebook_settlement() -> None:
    for title in SEEDS:
        if title.startswith("Zuckerberg pledges"):
            result = extract(SEEDS[title])
            assert result.action == "settlement"
            assert result.scope == "private"
            assert "Facebook" in {place.company for place in result.places}
            # A company leads only for its own policy; Menlo Park is just its home.
            assert result.place is not None and result.place.level != "company"
            assert all(place.city != "Menlo Park" for place in result.places)


def test_seed_new_jersey_debate() -> None:
    result = seed("NJ lawmakers debate")
    assert result.action in ("ordinance_debated", "regulation_or_oversight_law")
    assert result.place is not None
    assert (result.place.level, result.place.state) == ("state", "NJ")
    assert result.scope == "police"
    assert result.event_date == dt.date(2020, 2, 3)


# --- Invented headlines: the rules must be general, not fitted to the dev set --------------

# (title, excerpt, published, domain, action, scope or None, (level, city, state, country) or None)
INVENTED = [
    (
        "Boston bans government use of facial recognition",
        "The Boston City Council voted unanimously Wednesday to ban city government from using "
        "facial recognition technology.",
        "2020-06-25",
        "wbur.org",
        "ban_enacted",
        "government",
        ("city", "Boston", "MA", "US"),
    ),
    (
        "San Francisco becomes first U.S. city to ban facial recognition by police and city "
        "agencies",
        "The Board of Supervisors voted 8-1 on Tuesday to ban the use of facial recognition by "
        "police and other city departments.",
        "2019-05-15",
        "nytimes.com",
        "ban_enacted",
        "government",
        ("city", "San Francisco", "CA", "US"),
    ),
    (
        "Somerville votes to ban facial recognition surveillance",
        "SOMERVILLE, Mass. — The City Council on Thursday night approved an ordinance banning "
        "municipal use of face surveillance.",
        "2019-06-28",
        "bostonglobe.com",
        "ban_enacted",
        "government",
        ("city", "Somerville", "MA", "US"),
    ),
    (
        "Portland, Maine voters approve ban on facial recognition",
        "Voters in Portland on Tuesday approved a ballot question strengthening the city's ban on "
        "facial recognition technology by police and city staff.",
        "2020-11-04",
        "apnews.com",
        "ban_enacted",
        "government",
        ("city", "Portland", "ME", "US"),
    ),
    (
        "Amazon extends moratorium on police use of Rekognition",
        "Amazon said on Tuesday it would extend indefinitely its moratorium on police use of its "
        "facial recognition software.",
        "2021-05-19",
        "reuters.com",
        "company_policy",
        "police",
        ("company", None, None, "US"),
    ),
    (
        "IBM exits facial recognition business, calls for police reform",
        "IBM will no longer offer general purpose facial recognition or analysis software, CEO "
        "Arvind Krishna said in a letter to Congress on Monday.",
        "2020-06-09",
        "theverge.com",
        "company_policy",
        None,
        ("company", None, None, "US"),
    ),
    (
        "Microsoft bans U.S. police departments from using enterprise AI tool for facial "
        "recognition",
        "Microsoft has changed its policy to ban U.S. police departments from using generative AI "
        "for facial recognition through the Azure OpenAI Service.",
        "2024-05-02",
        "techcrunch.com",
        "company_policy",
        "police",
        ("company", None, None, "US"),
    ),
    (
        "Illinois BIPA lawsuit filed against Clearview AI",
        "A class action lawsuit filed in Cook County accuses Clearview AI of violating the "
        "Biometric Information Privacy Act.",
        "2020-05-28",
        "chicagotribune.com",
        "lawsuit_or_court_challenge",
        "private",
        (None, None, "IL", "US"),
    ),
    (
        "EU proposes ban on facial recognition in public spaces",
        "The European Commission on Wednesday proposed rules that would ban real-time remote "
        "biometric identification in publicly accessible spaces, with exceptions.",
        "2021-04-21",
        "politico.eu",
        "ban_proposed",
        None,
        ("national", None, None, "EU"),
    ),
    (
        "Vermont law bans police use of facial recognition",
        "Gov. Phil Scott signed a bill Wednesday that prohibits law enforcement from using facial "
        "recognition technology.",
        "2020-10-08",
        "vtdigger.org",
        "ban_enacted",
        "police",
        ("state", None, "VT", "US"),
    ),
    (
        "UK court rules police use of facial recognition unlawful",
        "The Court of Appeal ruled on Tuesday that South Wales Police's use of automated facial "
        "recognition technology breached privacy rights.",
        "2020-08-11",
        "bbc.co.uk",
        "lawsuit_or_court_challenge",
        "police",
        # The force whose use was ruled on, inside the country the headline names.
        ("county", None, "Wales", "GB"),
    ),
    (
        "Facebook to pay $650 million to settle Illinois facial recognition suit",
        "A federal judge on Friday approved a $650 million settlement of a privacy lawsuit "
        "against Facebook over its photo tagging.",
        "2021-02-27",
        "apnews.com",
        "settlement",
        "private",
        ("state", None, "IL", "US"),
    ),
    (
        "Clearview AI fined £7.5m by UK privacy watchdog",
        "The Information Commissioner's Office has fined Clearview AI and ordered it to delete "
        "data of UK residents.",
        "2022-05-23",
        "theguardian.com",
        "agency_order_or_suspension",
        "private",
        ("national", None, None, "GB"),
    ),
    (
        "Italy's privacy regulator fines Clearview AI €20 million",
        "Italy's data protection authority said Clearview AI breached EU law and ordered it to "
        "delete data on Italians.",
        "2022-03-09",
        "reuters.com",
        "agency_order_or_suspension",
        "private",
        ("national", None, None, "IT"),
    ),
    (
        "Massachusetts lawmakers propose moratorium on government use of facial recognition",
        "A bill filed in the State House would pause government use of face surveillance until "
        "the Legislature acts.",
        "2019-06-10",
        "wbur.org",
        "moratorium_proposed",
        "government",
        ("state", None, "MA", "US"),
    ),
    (
        "Jackson, Mississippi bans police use of facial recognition",
        "The Jackson City Council voted unanimously on Tuesday to ban police from using facial "
        "recognition technology.",
        "2020-08-20",
        "clarionledger.com",
        "ban_enacted",
        "police",
        ("city", "Jackson", "MS", "US"),
    ),
    (
        "Madison City Council bans facial recognition by city agencies",
        "MADISON, Wis. (AP) — The Madison City Council voted early Wednesday to ban city agencies "
        "and police from using facial recognition technology.",
        "2020-12-02",
        "apnews.com",
        "ban_enacted",
        "government",
        ("city", "Madison", "WI", "US"),
    ),
    (
        "Washington state passes law regulating government use of facial recognition",
        "Gov. Jay Inslee signed legislation Tuesday requiring state and local agencies to get a "
        "warrant before using facial recognition.",
        "2020-04-01",
        "seattletimes.com",
        "regulation_or_oversight_law",
        "government",
        ("state", None, "WA", "US"),
    ),
    (
        "Police in Moscow use facial recognition to detain protesters",
        "Russian police have deployed facial recognition cameras across the Moscow metro to "
        "identify and detain people who joined protests.",
        "2021-04-28",
        "reuters.com",
        "use_expanded_or_adopted",
        "police",
        ("city", "Moscow", None, "RU"),
    ),
    (
        "London's Met Police to deploy live facial recognition cameras",
        "The Metropolitan Police will begin using live facial recognition cameras on London "
        "streets within a month.",
        "2020-01-24",
        "bbc.co.uk",
        "use_expanded_or_adopted",
        "police",
        ("city", "London", "England", "GB"),
    ),
    (
        "Advocates urge Boston to ban facial recognition",
        "Civil liberties groups are pressing the City Council to ban the technology.",
        "2020-05-10",
        "wbur.org",
        "campaign_or_petition",
        None,
        ("city", "Boston", "MA", "US"),
    ),
    (
        "Petition calls on Lowe's to stop using facial recognition in stores",
        "More than 20,000 people signed the petition.",
        "2021-07-14",
        None,
        "campaign_or_petition",
        "private",
        None,
    ),
    (
        "Veritone unveils new facial recognition tool for retailers",
        "The company's new product helps stores identify known shoplifters.",
        "2021-03-01",
        "businesswire.com",
        "none",
        None,
        None,
    ),
    (
        "Study finds facial recognition less accurate for darker-skinned women",
        "Researchers at MIT found error rates of up to 35 percent for darker-skinned women.",
        "2018-02-11",
        "nytimes.com",
        "none",
        None,
        None,
    ),
    (
        "Council approves license plate readers for downtown",
        "The council approved a contract for automated license plate readers.",
        "2021-01-01",
        None,
        "none",
        None,
        None,
    ),
    (
        "City council delays vote on facial recognition ban in Portland",
        "PORTLAND, Ore. — The Portland City Council postponed a vote Wednesday on two ordinances "
        "restricting facial recognition.",
        "2020-08-07",
        "oregonlive.com",
        "vote_postponed",
        "government",
        ("city", "Portland", "OR", "US"),
    ),
    (
        "Virginia lawmakers vote to lift ban on police use of facial recognition",
        "The General Assembly voted Friday to allow local police to use facial recognition with "
        "limits.",
        "2022-03-12",
        "richmond.com",
        "ban_repealed_or_weakened",
        "police",
        ("state", None, "VA", "US"),
    ),
    (
        "Texas sues Meta over facial recognition, seeking billions",
        "Texas Attorney General Ken Paxton filed suit Monday accusing Meta of capturing biometric "
        "data without consent.",
        "2022-02-15",
        "texastribune.org",
        "lawsuit_or_court_challenge",
        "private",
        ("state", None, "TX", "US"),
    ),
    (
        "San Diego pauses police facial recognition program",
        "San Diego police will stop using facial recognition on Jan. 1 after a state law took "
        "effect.",
        "2019-12-18",
        "voiceofsandiego.org",
        "agency_order_or_suspension",
        "police",
        ("city", "San Diego", "CA", "US"),
    ),
    (
        "New York City Council passes bill requiring NYPD to disclose surveillance tools",
        "The POST Act requires the NYPD to publish its policies for surveillance technologies "
        "including facial recognition.",
        "2020-06-18",
        "gothamist.com",
        "regulation_or_oversight_law",
        "police",
        ("city", "New York City", "NY", "US"),
    ),
    (
        "Georgia lawmakers weigh limits on facial recognition",
        "A House committee heard testimony Thursday on a bill to limit police use of facial "
        "recognition.",
        "2022-02-04",
        "ajc.com",
        "ordinance_debated",
        "police",
        ("state", None, "GA", "US"),
    ),
    (
        "Easthampton bans facial recognition technology",
        "EASTHAMPTON — The City Council voted Wednesday night to ban municipal use of facial "
        "recognition.",
        "2019-07-04",
        "gazettenet.com",
        "ban_enacted",
        "government",
        ("city", "Easthampton", "MA", "US"),
    ),
    (
        "Scottish police pause plans for live facial recognition",
        "Police Scotland said it would pause its plans to introduce live facial recognition.",
        "2020-02-11",
        "bbc.co.uk",
        "agency_order_or_suspension",
        "police",
        ("state", None, "Scotland", "GB"),
    ),
    (
        "Maine enacts nation's strongest statewide facial recognition law",
        "Gov. Janet Mills allowed the bill to become law, sharply limiting government use of "
        "facial recognition.",
        "2021-07-01",
        "pressherald.com",
        "regulation_or_oversight_law",
        None,
        ("state", None, "ME", "US"),
    ),
    (
        "Oakland considers banning facial recognition",
        "The Oakland Privacy Advisory Commission will take up a proposal to ban city use of "
        "facial recognition.",
        "2019-06-01",
        "eastbaytimes.com",
        # "considers" is a debate by the labelling guide (tests/data/LABELLING.md); the ban
        # proposed before it is a fair reading too.
        "ordinance_debated|ban_proposed",
        "government",
        ("city", "Oakland", "CA", "US"),
    ),
    (
        "Detroit police to use facial recognition on live video feeds, chief says",
        "The Detroit Police Department plans to expand its use of facial recognition software to "
        "live camera feeds.",
        "2019-07-10",
        "freep.com",
        "use_expanded_or_adopted",
        "police",
        ("city", "Detroit", "MI", "US"),
    ),
]


# Readings the trained model gets wrong today (cross-validated figures in README): kept as
# expected failures, strict, so that a fix shows.
KNOWN_MISSES = {
    "Oakland considers banning facial recognition": "scope read as all: 'city use' is no cue",
}


@pytest.mark.parametrize(
    ("title", "excerpt", "published", "domain", "action", "scope", "where"),
    [
        pytest.param(
            *case,
            id=case[0][:40],
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[case[0]])]
            if case[0] in KNOWN_MISSES
            else [],
        )
        for case in INVENTED
    ],
)
def test_invented_headlines(
    title: str,
    excerpt: str,
    published: str,
    domain: str | None,
    action: str,
    scope: str | None,
    where: tuple[str | None, str | None, str | None, str | None] | None,
) -> None:
    result = extract(make(title, excerpt, published, domain))
    check_shape(result)
    assert result.action in action.split("|")
    if scope is not None:
        assert result.scope == scope
    if where is not None:
        level, city, state, country = where
        place = result.place
        assert place is not None
        if level is not None:
            assert place.level == level
        if level != "county":
            assert place.city == city
        assert (place.state, place.country) == (state, country)


# --- Dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("excerpt", "published", "expected"),
    [
        ("The council voted Tuesday to ban it.", "2020-02-05", dt.date(2020, 2, 4)),
        ("The council voted Wednesday to ban it.", "2020-02-05", dt.date(2020, 2, 5)),
        ("On May 9, the council voted to ban it.", "2022-05-20", dt.date(2022, 5, 9)),
        ("The council voted on Dec. 15 to ban it.", "2021-01-10", dt.date(2020, 12, 15)),
        ("The council voted today to ban it.", "2021-06-01", dt.date(2021, 6, 1)),
        ("The council voted last night to ban it.", "2019-07-17", dt.date(2019, 7, 16)),
        ("The council voted on March 3, 2020 to ban it.", "2020-04-01", dt.date(2020, 3, 3)),
        # Dates after publication or when something takes effect are not the event.
        (
            "The council voted to ban it, effective January 1, 2021.",
            "2020-09-11",
            dt.date(2020, 9, 11),
        ),
        ("Last month, lawmakers voted to ban it.", "2021-03-29", None),
    ],
)
def test_event_dates(excerpt: str, published: str, expected: dt.date | None) -> None:
    result = extract(make("Council votes to ban facial recognition", excerpt, published))
    assert result.action == "ban_enacted"
    assert result.event_date == expected


def test_event_date_year_from_url_when_unpublished() -> None:
    article = make(
        "Clearview and ACLU reach settlement over facial recognition",
        "On May 9, Clearview AI and the ACLU reached a settlement.",
        url="https://example.com/2022/05/clearview-settlement/",
    )
    assert extract(article).event_date == dt.date(2022, 5, 9)


def test_no_date_without_publication_or_text() -> None:
    assert extract(make("Council votes to ban facial recognition")).event_date is None


# --- Places in text ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "excerpt", "domain", "state"),
    [
        ("Springfield council votes to ban facial recognition", "", "wwlp.com", "MA"),
        ("Springfield council votes to ban facial recognition", "", "sj-r.com", "IL"),
        ("Springfield council votes to ban facial recognition", "", "news-leader.com", "MO"),
        (
            "Springfield council votes to ban facial recognition",
            "SPRINGFIELD, Ill. (AP) — The council voted Monday.",
            None,
            "IL",
        ),
        (
            "Springfield council votes to ban facial recognition",
            "SPRINGFIELD, Mass. — The council voted Monday.",
            None,
            "MA",
        ),
        (
            "Springfield council votes to ban facial recognition",
            "The Springfield City Council in Oregon voted Monday.",
            None,
            "OR",
        ),
        ("Springfield, Ohio council votes to ban facial recognition", "", None, "OH"),
        # No evidence at all: the largest Springfield, never an invented one.
        ("Springfield council votes to ban facial recognition", "", None, "MO"),
    ],
)
def test_ambiguous_springfield(title: str, excerpt: str, domain: str | None, state: str) -> None:
    result = extract(make(title, excerpt, "2020-02-05", domain))
    assert result.place is not None
    assert (result.place.city, result.place.state) == ("Springfield", state)


@pytest.mark.parametrize(
    ("title", "excerpt", "expected"),
    [
        ("King County, Wash., bans facial recognition", "", ("county", "King County", "WA")),
        (
            "Cambridge votes to ban facial recognition",
            "The Massachusetts city's council voted.",
            ("city", "Cambridge", "MA"),
        ),
        (
            "Cambridge police trial facial recognition",
            "CAMBRIDGE, England — Police began trials.",
            ("city", "Cambridge", "England"),
        ),
        (
            "New York bans facial recognition in schools",
            "Gov. Andrew Cuomo signed the bill.",
            ("state", None, "NY"),
        ),
        (
            "New York City Council votes to ban facial recognition in housing",
            "",
            ("city", "New York City", "NY"),
        ),
        ("Telangana police expand facial recognition", "", ("state", None, "Telangana")),
        ("Portland, Or. bans facial recognition", "", ("city", "Portland", "OR")),
    ],
)
def test_places_like_a_reader(title: str, excerpt: str, expected: tuple) -> None:
    result = extract(make(title, excerpt, "2021-01-05"))
    place = result.place
    assert place is not None
    level, name, state = expected
    assert place.level == level
    assert place.name == (name or state)
    assert place.state == state


def test_an_accented_name_is_the_place_spelled_so() -> None:
    # Bogota, New Jersey shares the letters; the accent and the size say the capital,
    # even when the text also names a US company.
    result = extract(
        make(
            "Police in Bogotá roll out facial recognition on buses",
            "A U.S. company supplied the cameras to the city's police.",
        )
    )
    assert result.place is not None
    assert (result.place.city, result.place.country) == ("Bogotá", "CO")


def test_a_company_with_a_place_name_is_no_place() -> None:
    result = extract(
        make(
            "Regulator bars Metro Inc. from building a facial recognition database",
            "Quebec's access-to-information commission ordered the grocer to stop.",
        )
    )
    assert "Metro" not in {place.city for place in result.places}
    assert result.place is not None and result.place.country == "CA"


def test_national_lawmakers_in_english_news_naming_no_place_are_federal() -> None:
    result = extract(make("Senators introduce bill to ban federal use of facial recognition"))
    assert result.action != "none"
    assert result.place is not None
    assert (result.place.level, result.place.country) == ("national", "US")
    # The same story from an outlet whose country is known is that country's.
    senators = "Senators introduce bill to ban federal use of facial recognition"
    abroad = extract(make(senators, domain="smh.com.au"))
    assert abroad.place is not None
    assert (abroad.place.level, abroad.place.country) == ("national", "AU")


def test_company_leads_only_for_its_own_policy() -> None:
    own = extract(make("Microsoft will not sell facial recognition to police"))
    assert own.action == "company_policy"
    assert own.place is not None and own.place.company == "Microsoft"
    sued = extract(make("Clearview AI sued in Illinois over facial recognition database"))
    assert sued.action == "lawsuit_or_court_challenge"
    assert sued.place is not None and (sued.place.level, sued.place.state) == ("state", "IL")
    assert "Clearview AI" in {place.company for place in sued.places}


# --- Hostile input -------------------------------------------------------------------------


def test_empty_article() -> None:
    result = extract(make(""))
    check_shape(result)
    # Nothing to read: not policy, and said with next to no confidence.
    assert result.confidence is not None and result.confidence < 0.1
    assert result == Extraction(False, "none", "unknown", None, (), result.confidence)


def test_huge_body_is_read() -> None:
    # Speed on bodies like this is measured by bench/extraction_speed.py, not asserted here.
    body = ("Facial recognition council meeting in Springfield, Mass. voted to ban. " * 15000)[
        :1_000_000
    ]
    result = extract(make("Springfield bans facial recognition", body=body))
    check_shape(result)
    assert result.action == "ban_enacted"


def test_markdown_and_mentions_are_ignored() -> None:
    article = make(
        "**Boston** bans <@123456789> facial recognition <#42> ~~now~~",
        "> quoted https://example.com/boston?x=1 `code` <:emoji:123>",
    )
    result = extract(article)
    check_shape(result)
    assert result.action == "ban_enacted"
    assert result.place is not None and result.place.city == "Boston"


@pytest.mark.parametrize(
    "title",
    ["\x00\x01", "🙂" * 500, "((((((((((", "A" * 10_000, "St. St. St.", ", , , --", "<@>"],
)
def test_odd_titles_do_not_crash(title: str) -> None:
    check_shape(extract(make(title, title, "2020-01-01", "example.com", body=title)))


# --- Data files and version ----------------------------------------------------------------


def test_every_data_file_loads() -> None:
    names = {path.name for path in data_files()}
    assert {"actions.yaml", "scopes.yaml", "providers.yaml", "places.yaml", "frames.yaml"} <= names
    for path in data_files():
        assert isinstance(load_yaml(path.name), dict)
    assert frames_module.lexicon().by_word
    assert extraction_module.limits().caps
    assert model_module.model().action.weights
    assert rules_module.action_rules().rules
    assert rules_module.scope_rules().rules
    assert rules_module.provider_rules().providers
    assert gazetteer().cities


def test_a_country_code_yaml_reads_as_a_boolean_is_named() -> None:
    """A bare NO in places.yaml is YAML's false: Norway's news was placed in "False"."""
    from bot.places._gazetteer import _require_country

    with pytest.raises(DataFileError, match="quote codes"):
        _require_country(gazetteer(), False, "country_aliases")
    norway = extract(make("Norway's data watchdog seeks ban on facial recognition"))
    assert norway.place is not None and norway.place.country == "NO"


def test_version_names_code_and_data() -> None:
    base, _, digest = EXTRACTOR_VERSION.partition("-")
    assert base and len(digest) == 12


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("field_weights: {title: 1, excerpt: 1, body: 1}\nrules: []\n", "rules"),
        ("- a list\n", "mapping"),
        ("field_weights: {title: 1}\n", "field_weights"),
        ("key: [unclosed\n", "cannot load"),
    ],
)
def test_malformed_rule_files_name_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    (tmp_path / "actions.yaml").write_text(text)
    monkeypatch.setattr("bot.data.DATA_DIR", tmp_path)
    load_yaml.cache_clear()
    rules_module.action_rules.cache_clear()
    try:
        with pytest.raises(DataFileError, match=r"actions\.yaml") as error:
            rules_module.action_rules()
        assert message in str(error.value)
    finally:
        load_yaml.cache_clear()
        rules_module.action_rules.cache_clear()


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"action": "banned", "weight": 1, "patterns": ["x"]}, "unknown action"),
        ({"action": "none", "weight": 0, "patterns": ["x"]}, "weight"),
        ({"action": "none", "weight": 1, "patterns": ["("]}, "bad pattern"),
        ({"action": "none", "weight": 1, "patterns": ["{NOPE}"]}, "unknown term"),
        ({"action": "none", "weight": 1, "patterns": []}, "patterns"),
    ],
)
def test_malformed_rules_are_reported(rule: dict[str, Any], message: str) -> None:
    with pytest.raises(DataFileError, match=message):
        rules_module._rules([rule], "action", ACTIONS, {}, "actions.yaml")


@pytest.mark.parametrize(
    "title",
    [
        # A county-region name as a descriptor ("Kent-based") is no mention; found at the
        # start of an item it used to crash the extractor (the mention list was empty) ...
        "Kent-based firm launches facial recognition cameras",
        # ... and after another place it completed that other place's mention instead.
        "Essex Police expand facial recognition after Kent-based trial",
    ],
)
def test_a_county_named_as_a_descriptor_is_no_place(title: str) -> None:
    reading = extract(Article(id="x", title=title))
    assert all(place.county != "Kent" and place.city != "Kent" for place in reading.places)


@pytest.mark.parametrize(
    ("title", "excerpt", "expected"),
    [
        # A legislator's party and home town describe the person, not the news.
        (
            "Bill would limit police use of facial recognition in body cameras",
            "Assemblymember Jane Roe (D-Oakland) introduced a bill to set rules for how "
            "California officers may use facial recognition.",
            ("state", None, "CA", "US"),
        ),
        # A force's name is a word of who acts and names its city.
        ("NYPD stops using Clearview AI", "", ("city", "New York City", "NY", "US")),
        ("LAPD Bans Facial Recognition Platform", "", ("city", "Los Angeles", "CA", "US")),
        # A county sharing its name with small towns elsewhere is evidence of itself.
        (
            "Police pause live facial recognition after study",
            "Essex Police suspended the cameras after a review.",
            ("county", "Essex", "England", "GB"),
        ),
        # A landmark for where a smaller place lies is not the news's place.
        (
            "Second city bans facial recognition",
            "Somerville, Massachusetts, a suburb of Boston, banned the technology.",
            ("city", "Somerville", "MA", "US"),
        ),
        # National bodies whose name only one country uses stand for it.
        (
            "Knesset committee approves police facial recognition bill",
            "",
            ("national", None, None, "IL"),
        ),
        # First-level regions abroad, also written with local connectors.
        (
            "Bahia state expands facial recognition cameras",
            "",
            ("state", None, "Bahia", "BR"),
        ),
        (
            "Rio Grande do Sul cria banco de dados de reconhecimento facial",
            "A Assembleia Legislativa aprovou o projeto.",
            ("state", None, "Rio Grande do Sul", "BR"),
        ),
    ],
)
def test_places_of_general_classes(title: str, excerpt: str, expected: tuple) -> None:
    place = extract(make(title, excerpt, "2021-01-05")).place
    assert place is not None
    level, city, state, country = expected
    assert (place.level, place.country) == (level, country)
    assert place.state == state
    assert (place.city or place.county) == city


@pytest.mark.parametrize(
    ("title", "excerpt", "absent"),
    [
        # Title case capitalises every word: "Hit" is a verb here, not Hīt (Iraq).
        ("TikTok Hit With Biometric Privacy Suit", "Two Illinois families filed it.", "IQ"),
        # "Metrô" with its accent is the São Paulo metro, not Metro (Indonesia).
        (
            "Metrô segue impedido de usar reconhecimento facial",
            "A decisão vale para o Metrô.",
            "ID",
        ),
    ],
)
def test_common_words_and_misaccented_names_are_no_towns(
    title: str, excerpt: str, absent: str
) -> None:
    places = extract(make(title, excerpt, "2023-03-01")).places
    assert absent not in {place.country for place in places}


def test_the_common_words_list_is_up_to_date() -> None:
    from bot.places import common_words

    assert common_words.main(["--check"]) == 0, "run python -m bot.places.common_words"


@pytest.mark.parametrize(
    ("title", "main"),
    [
        # Abroad, border and immigration control at an airport is the nation's.
        ("Facial recognition gates go live at Manchester Airport", ("national", "GB", None)),
        ("Aeroporto de Lisboa testa reconhecimento facial no embarque", ("national", "PT", None)),
        # US airports are run by cities, counties and state authorities.
        ("Boston airport to use face-recognition system", ("city", "US", "Boston")),
        # A city's own body acting keeps the city.
        ("Lyon city council bans facial recognition at the airport", ("city", "FR", "Lyon")),
    ],
)
def test_an_airport_abroad_is_the_nations_news(
    title: str, main: tuple[str, str, str | None]
) -> None:
    places = extract(Article(id="x", title=title)).places
    assert places and (places[0].level, places[0].country, places[0].city) == main
