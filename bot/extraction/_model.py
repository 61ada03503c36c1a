"""The trained part of the extraction: linear models stored as plain JSON, run with plain
arithmetic (no training library at run time).

``extraction_model.json`` holds three models, trained by ``python -m bot.extraction.train``:
the action (multinomial logistic regression over frame, rule and word features), the scope
(the same over scope features) and the confidence (a logistic calibration over how sure the
action model is and how clear the place evidence is, fitted on cross-validated predictions).
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.data import DATA_DIR, DataFileError
from bot.extraction._frames import Hit
from bot.extraction._frames import features as frame_features
from bot.extraction._frames import lexicon as frames_lexicon
from bot.models import Place

if TYPE_CHECKING:
    from bot.extraction import Reading

MODEL_FILE = "extraction_model.json"
_WORD = re.compile(r"[^\W\d_]{2,}")
# Words read from the lead for the model: its first characters carry the news.
_LEAD_WORDS = 300
# Letters of a word kept as its stem (see _stems).
_STEM_LETTERS = 5
# Rule scores enter the model divided by this, and at most _RULE_CAP after.
_RULE_SCALE = 10.0
_RULE_CAP = 3.0
# Prefixes of the action features read from the lead: the rest are the headline's view.
_LEAD_PREFIXES = ("l:", "lw:", "ls:")


@dataclass(frozen=True, slots=True)
class Linear:
    """A linear model: per class a bias and a weight per named feature."""

    classes: tuple[str, ...]
    bias: tuple[float, ...]
    weights: dict[str, tuple[float, ...]]

    def scores(self, features: dict[str, float]) -> list[float]:
        """Bias plus the weighted sum of the features, per class."""
        weights = self.weights
        rows = [self.bias]
        for name, value in features.items():
            row = weights.get(name)
            if row is not None:
                rows.append(row if value == 1.0 else [weight * value for weight in row])
        # Column sums in one pass: far quicker than adding row by row.
        totals = [sum(column) for column in zip(*rows, strict=True)]
        return totals

    def probabilities_and_headline(
        self, features: dict[str, float], binary: Linear | None = None
    ) -> tuple[dict[str, float], dict[str, float], float | None]:
        """Class probabilities from all the features and from the headline's alone (those not
        read from the lead, _LEAD_PREFIXES), and ``binary``'s probability of its class over
        the same features, in one pass over the features."""
        weights = self.weights
        other = binary.weights if binary is not None else {}
        headline, lead = [self.bias], []
        binary_total = binary.bias[0] if binary is not None else 0.0
        for name, value in features.items():
            row = weights.get(name)
            if row is not None:
                row = row if value == 1.0 else [weight * value for weight in row]
                (lead if name.startswith(_LEAD_PREFIXES) else headline).append(row)
            one = other.get(name)
            if one is not None:
                binary_total += one[0] * value
        headline_totals = [sum(column) for column in zip(*headline, strict=True)]
        totals = headline_totals
        if lead:
            lead_totals = [sum(column) for column in zip(*lead, strict=True)]
            totals = [a + b for a, b in zip(headline_totals, lead_totals, strict=True)]
        binary_probability = _sigmoid(binary_total) if binary is not None else None
        return self._softmax(totals), self._softmax(headline_totals), binary_probability

    def probabilities(self, features: dict[str, float]) -> dict[str, float]:
        """Class probabilities (softmax; a single class is a logistic regression's positive)."""
        return self._softmax(self.scores(features))

    def _softmax(self, totals: list[float]) -> dict[str, float]:
        if len(self.classes) == 1:
            return {self.classes[0]: _sigmoid(totals[0])}
        top = max(totals)
        exps = [math.exp(total - top) for total in totals]
        whole = sum(exps)
        return {label: value / whole for label, value in zip(self.classes, exps, strict=True)}

    def to_json(self) -> dict[str, object]:
        """The model as plain data: its names sorted, then every name's weights in a row, in
        millionths. The fits round weights to six places, so the integers are exact, and the
        JSON parser reads integers three times as fast as decimals: the action model's 460,000
        weights made most of the bot's start-up cost of loading the model."""
        names = sorted(self.weights)
        return {
            "classes": list(self.classes),
            "bias": list(self.bias),
            "names": names,
            "millionths": [round(weight * 1e6) for name in names for weight in self.weights[name]],
        }

    @classmethod
    def from_json(cls, data: dict[str, object], where: str) -> Linear:
        """Read a model written by :meth:`to_json`, checking its shape."""
        try:
            classes = tuple(str(c) for c in data["classes"])  # type: ignore[union-attr]
            bias = tuple(float(b) for b in data["bias"])  # type: ignore[union-attr]
            names = [str(name) for name in data["names"]]  # type: ignore[union-attr]
            # Dividing an integer by 1e6 gives the double nearest the six-place decimal, as
            # parsing the decimal would; a non-number raises TypeError.
            weights_flat = [w / 1e6 for w in data["millionths"]]  # type: ignore[union-attr]
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise DataFileError(f"{MODEL_FILE}: {where}: {exc}") from exc
        width = len(classes)
        if len(bias) != width or len(weights_flat) != width * len(names):
            raise DataFileError(f"{MODEL_FILE}: {where}: rows must have one weight per class")
        # One row of ``width`` weights per name, in the names' order.
        rows = [tuple(weights_flat[i : i + width]) for i in range(0, len(weights_flat), width)]
        weights = dict(zip(names, rows, strict=True))
        if len(weights) != len(names):
            raise DataFileError(f"{MODEL_FILE}: {where}: a name is listed twice")
        return cls(classes, bias, weights)


def _sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)


def _words(text: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(text)]


def _stems(words: list[str]) -> Iterable[str]:
    """The first letters of each longer word: one feature for "prohibits", "prohibited" and
    "prohibición", or "regulate", "regulación" and "regulamenta" (grouped CV, 5 letters of
    headline and lead words: is_policy 0.807 -> 0.820, action 0.753 -> 0.756)."""
    return (word[:_STEM_LETTERS] for word in words if len(word) > _STEM_LETTERS)


def _bag(prefix: str, items: Iterable[str], out: dict[str, float]) -> None:
    for item in items:
        out[prefix + item] = 1.0


def action_features(reading: Reading) -> dict[str, float]:
    """What the action model weighs: frames, rule scores, words and places."""
    out: dict[str, float] = {}
    _bag("", frame_features(reading.title_hits, "t:"), out)
    _bag("", frame_features(reading.lead_hits, "l:"), out)
    frame = reading.frame
    if frame.predicates:
        out[f"f:{frame.actor}>{frame.predicates[0]}>{frame.stage}>{frame.negated}"] = 1.0
        out[f"f:pred={frame.predicates[0]}>{frame.negated}"] = 1.0
    for label, score in reading.rule_scores.items():
        out[f"rule={label}"] = min(score / _RULE_SCALE, _RULE_CAP)
    if reading.rule_action is not None:
        out[f"rule_top={reading.rule_action}"] = 1.0
    title = _words(reading.fields["title"])
    _bag("w:", title, out)
    _bag("b:", (f"{a}_{b}" for a, b in itertools.pairwise(title)), out)
    _bag("s:", _stems(title), out)
    lead = _words(reading.fields["excerpt"][:_LEAD_WORDS])
    _bag("ls:", _stems(lead), out)
    _bag("lw:", lead, out)
    # No pairs of lead words: they helped before the stems (grouped CV, action 0.752 -> 0.756);
    # with the stems, over 2,160 items, every field reads as well or better without them
    # (action 0.768 -> 0.775) and the model and its training are smaller.
    located = reading.located
    if located.governments:
        out[f"level={located.governments[0].level}"] = 1.0
    if located.company_first_in_title:
        out["company_first_in_title"] = 1.0
    if located.title_opens_with:
        # The place or company a headline opens with acts, as its body would ("Shanghai
        # introduces ...", "China brings in ..."): grouped CV over 3,076 items, action 0.793 ->
        # 0.795, is_policy within 0.001, confidence >= 0.8 on 24.2% -> 25.6% (78.7% -> 79.9%
        # right); two other fold assignments the same way.
        out[f"opens={located.title_opens_with}"] = 1.0
        if frame.predicates:
            out[f"opens={located.title_opens_with}>{frame.predicates[0]}"] = 1.0
    _bag("company_in:", located.company_fields, out)
    # Not the item's language: the readers of other languages sought policy news (three in
    # four Spanish items are policy, against one in two English ones), so a language's weight
    # learnt a collection's habit, not the news. Without it (grouped CV over 3,076 items):
    # is_policy 0.807 -> 0.810, action 0.788 -> 0.791, in other languages is_policy 0.661 ->
    # 0.689; the other fields within 0.001.
    return out


def scope_features(reading: Reading, action: str, main: Place | None) -> dict[str, float]:
    """What the scope model weighs: scope rule scores, actors, the action, the place's level."""
    out: dict[str, float] = {}
    for label, score in reading.scope_scores.items():
        if score:
            out[f"srule={label}"] = min(score / _RULE_SCALE, _RULE_CAP)
    _bag("", (f"t:{h.kind}={h.label}" for h in reading.title_hits if h.kind == "actor"), out)
    _bag("", (f"l:{h.kind}={h.label}" for h in reading.lead_hits if h.kind == "actor"), out)
    out[f"action={action}"] = 1.0
    out[f"level={main.level if main else None}"] = 1.0
    # Who acts and what they do, together: a police force adopting FR is police use, a
    # council banning it is the city's own (grouped CV: scope 0.727 -> 0.737).
    out[f"actor_action={reading.frame.actor}>{action}"] = 1.0
    out[f"level_action={main.level if main else None}>{action}"] = 1.0
    # Whose use a headline's opening place or company does (grouped CV over 3,076 items:
    # scope 0.763 -> 0.766; two other fold assignments +0.002 and +0.003).
    if reading.located.title_opens_with:
        out[f"opens={reading.located.title_opens_with}>{action}"] = 1.0
    # Without the languages' stop words: "to" and "and" say nothing of whose use is meant, yet
    # weighed as words they tipped a coalition's call to end a city's use to "private" (the
    # seed item; grouped CV over 3,042 items: scope 0.7546 -> 0.7541, other fields unchanged).
    stop = frames_lexicon().stop_words
    title = [w for w in _words(reading.fields["title"]) if w not in stop]
    lead = [w for w in _words(reading.fields["excerpt"][:_LEAD_WORDS]) if w not in stop]
    _bag("w:", title, out)
    _bag("lw:", lead, out)
    _bag("s:", _stems(title), out)
    _bag("ls:", _stems(lead), out)
    return out


def confidence_features(
    reading: Reading,
    probabilities: dict[str, float],
    places: tuple[Place, ...],
    headline_probabilities: dict[str, float] | None = None,
    policy_probability: float | None = None,
) -> dict[str, float]:
    """How sure the action model is, whether the headline alone reads the same, and how
    clear the place evidence is."""
    ranked = [*sorted(probabilities.values(), reverse=True), 0.0]
    action = max(probabilities, key=probabilities.__getitem__)
    out = {
        "p_top": ranked[0],
        "margin": ranked[0] - ranked[1],
        "is_none": float(action == "none"),
        "frame_complete": float(reading.frame.actor is not None and bool(reading.frame.predicates)),
    }
    predicates = reading.frame.predicates
    if predicates and action != "none":
        # Whether what the headline's frame says was done is a way to the action read.
        fits = frames_lexicon().predicate_actions.get(predicates[0], frozenset())
        out["frame_fits"] = float(action in fits)
    if policy_probability is not None:
        # How sure the policy model is of the side the reading took.
        out["policy_side_p"] = policy_probability if action != "none" else 1 - policy_probability
    if headline_probabilities:
        out["headline_p"] = headline_probabilities.get(action, 0.0)
        out["headline_agrees"] = float(
            max(headline_probabilities, key=headline_probabilities.__getitem__) == action
        )
    if reading.rule_action is not None:
        out["rule_agrees"] = float(reading.rule_action == action)
    weights = reading.located.weights
    main = places[0] if places else None
    out[f"action={action}"] = 1.0
    if action != "none":
        out["no_place"] = float(main is None)
        out["places"] = min(len(weights), 5) / 5
        if main is not None:
            out[f"level={main.level}"] = 1.0
            out["seat_agrees"] = float(main.level == reading.frame.seat)
            provider = reading.located.provider
            if provider is not None and provider.country:
                out["outlet_country"] = float(main.country == provider.country)
        if main is not None and main in reading.located.choices:
            out["ambiguous"] = float(reading.located.choices[main] > 1)
        if main is not None and main in weights:
            out["place_share"] = weights[main] / (sum(weights.values()) or 1.0)
            out["place_in_title"] = float(main in reading.located.in_title)
    return out


@dataclass(frozen=True, slots=True)
class Model:
    """The three trained models and the features each reads."""

    action: Linear
    scope: Linear
    calibration: Linear
    # Whether the action model weighs the wording rules of actions.yaml (then they are run).
    reads_action_rules: bool = True
    # Policy news or not, over the action model's features (one class: "policy"): fitted for
    # that one boundary, it tells policy news from the rest better than the action model's
    # "none" does (see bot/extraction/__init__.py: decide).
    policy: Linear | None = None

    action_features = staticmethod(action_features)
    scope_features = staticmethod(scope_features)

    def confidence(
        self,
        reading: Reading,
        probabilities: dict[str, float],
        places: tuple[Place, ...],
        headline_probabilities: dict[str, float] | None = None,
        policy_probability: float | None = None,
    ) -> float:
        """The probability that the reading (action, and main place for policy) is right."""
        features = confidence_features(
            reading, probabilities, places, headline_probabilities, policy_probability
        )
        return self.calibration.probabilities(features)[self.calibration.classes[0]]

    def to_json(self) -> dict[str, object]:
        """The models as plain data."""
        data: dict[str, object] = {
            "action": self.action.to_json(),
            "scope": self.scope.to_json(),
            "calibration": self.calibration.to_json(),
            "reads_action_rules": self.reads_action_rules,
        }
        if self.policy is not None:
            data["policy"] = self.policy.to_json()
        return data

    @classmethod
    def from_json(cls, data: object) -> Model:
        """Read models written by :meth:`to_json`."""
        if not isinstance(data, dict) or {"action", "scope", "calibration"} - set(data):
            raise DataFileError(f"{MODEL_FILE}: needs action, scope and calibration models")
        parts = (Linear.from_json(data[part], part) for part in ("action", "scope", "calibration"))
        policy = Linear.from_json(data["policy"], "policy") if "policy" in data else None
        return cls(
            *parts, reads_action_rules=bool(data.get("reads_action_rules", True)), policy=policy
        )


@functools.cache
def model() -> Model:
    """Load the shipped models (once)."""
    path = DATA_DIR / MODEL_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataFileError(
            f"{path}: cannot load: {exc} (retrain: python -m bot.extraction.train)"
        ) from exc
    return Model.from_json(data)


__all__ = ["MODEL_FILE", "Hit", "Linear", "Model", "model"]
