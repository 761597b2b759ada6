"""Category suggestion from a demand's text: a linear model over character n-grams.

Training (``train``, run by ``liandong train-classifier`` and by the tick when handlers have
corrected enough categories, see ``demands.learning``) uses scikit-learn: TF-IDF weights of the
text's 1- to 3-character sequences into a multinomial logistic regression. The result is saved
as plain arrays (vocabulary, IDF weights, coefficients; numpy's ``.npz``, no pickle) with its
version, training date, data digest and scores, and read back here without scikit-learn:
suggesting is a few dictionary look-ups and one small matrix product, well under a millisecond.

The demo ships ``data/model.npz``, trained on the app's own labelled set (``data/labelled.jsonl``,
see bench/README.md for its scores). A model promoted later lives in ``DATA_DIR/classifier/``
and is named by the active ``ClassifierVersion`` row (``active_path``)."""

import hashlib
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from threading import Lock
from typing import Any

import numpy as np

from liandong.demands.models import Category

DATA = Path(__file__).resolve().parent / "data"
SHIPPED_MODEL = DATA / "model.npz"
LABELLED_FILE = DATA / "labelled.jsonl"
INDEPENDENT_FILE = DATA / "independent.jsonl"
NGRAMS = (1, 3)
C_REGULARIZATION = 10.0
MIN_DF = 2
_DIGITS = re.compile(r"\d+")
_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, every number as "0", no spaces or punctuation:
    workers type "2000块" or "２千", with or without commas."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _DROP.sub("", _DIGITS.sub("0", text))


def ngrams(text: str) -> list[str]:
    """The character n-grams scikit-learn's ``analyzer="char"`` produces, in its order."""
    low, high = NGRAMS
    return [text[i : i + n] for n in range(low, high + 1) for i in range(len(text) - n + 1)]


@dataclass(frozen=True)
class Suggestion:
    """Every category with its probability, the likeliest first."""

    ranked: tuple[tuple[str, float], ...]

    @property
    def category(self) -> str:
        return self.ranked[0][0]

    @property
    def confidence(self) -> float:
        return self.ranked[0][1]

    @property
    def top3(self) -> list[tuple[str, float]]:
        return list(self.ranked[:3])


@dataclass
class Model:
    vocabulary: dict[str, int]
    idf: np.ndarray
    coef: np.ndarray  # features × classes
    intercept: np.ndarray
    classes: tuple[str, ...]
    meta: dict[str, Any] = field(default_factory=dict)

    def suggest(self, text: str) -> Suggestion:
        counts = Counter(ngrams(normalize(text)))
        index, weights = [], []
        for gram, count in counts.items():
            column = self.vocabulary.get(gram)
            if column is not None:
                index.append(column)
                weights.append((1.0 + math.log(count)) * self.idf[column])
        scores = self.intercept.copy()
        if index:
            values = np.asarray(weights)
            values /= math.sqrt(float(values @ values))
            scores += values @ self.coef[index]
        scores = np.exp(scores - scores.max())
        scores /= scores.sum()
        order = np.argsort(-scores, kind="stable")
        return Suggestion(tuple((self.classes[i], float(scores[i])) for i in order))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        vocabulary = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez_compressed(
            tmp,
            vocabulary=np.array(vocabulary),
            idf=self.idf.astype(np.float32),
            coef=self.coef.astype(np.float32),
            intercept=self.intercept.astype(np.float64),
            classes=np.array(self.classes),
            meta=np.array(json.dumps(self.meta, ensure_ascii=False, sort_keys=True)),
        )
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> "Model":
        with np.load(path, allow_pickle=False) as arrays:
            return cls(
                vocabulary={gram: i for i, gram in enumerate(arrays["vocabulary"].tolist())},
                idf=arrays["idf"].astype(np.float64),
                coef=arrays["coef"].astype(np.float64),
                intercept=arrays["intercept"].astype(np.float64),
                classes=tuple(arrays["classes"].tolist()),
                meta=json.loads(str(arrays["meta"])),
            )


# ---------------------------------------------------------------------------------------------
# Data and scores


@dataclass(frozen=True)
class Example:
    text: str
    category: str
    industry: str = ""
    split: str = "train"


def read_jsonl(path: Path) -> list[Example]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows.append(
                Example(row["text"], row["category"], row.get("industry", ""), row.get("split", ""))
            )
    return rows


def labelled(split: str | None = None) -> list[Example]:
    rows = read_jsonl(LABELLED_FILE)
    return [r for r in rows if split is None or r.split == split]


def independent() -> list[Example]:
    return read_jsonl(INDEPENDENT_FILE)


def digest(examples: Iterable[Example]) -> str:
    sha = hashlib.sha256()
    for example in examples:
        sha.update(f"{example.category}\t{example.text}\n".encode())
    return sha.hexdigest()


def evaluate(model: Model, examples: Sequence[Example]) -> dict[str, Any]:
    """Top-1 and top-3 accuracy and the confusion matrix (true → predicted → count)."""
    top1 = top3 = 0
    confusion: dict[str, dict[str, int]] = {
        c: dict.fromkeys(Category.values, 0) for c in Category.values
    }
    for example in examples:
        ranked = model.suggest(example.text).ranked
        top1 += ranked[0][0] == example.category
        top3 += example.category in {c for c, _ in ranked[:3]}
        confusion[example.category][ranked[0][0]] += 1
    n = len(examples) or 1
    return {
        "n": len(examples),
        "top1": round(top1 / n, 4),
        "top3": round(top3 / n, 4),
        "confusion": confusion,
    }


def train(examples: Sequence[Example], *, version: int = 0, note: str = "") -> Model:
    """A new model from ``examples`` (scikit-learn is needed here only)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(
        analyzer="char",
        ngram_range=NGRAMS,
        preprocessor=normalize,
        sublinear_tf=True,
        min_df=MIN_DF,
        dtype=np.float64,
    )
    matrix = vectorizer.fit_transform([e.text for e in examples])
    classifier = LogisticRegression(C=C_REGULARIZATION, solver="newton-cg", max_iter=1000)
    classifier.fit(matrix, [e.category for e in examples])
    vocabulary = {str(gram): int(i) for gram, i in vectorizer.vocabulary_.items()}
    return Model(
        vocabulary=vocabulary,
        idf=np.asarray(vectorizer.idf_, dtype=np.float64),
        coef=np.ascontiguousarray(classifier.coef_.T, dtype=np.float64),
        intercept=np.asarray(classifier.intercept_, dtype=np.float64),
        classes=tuple(str(c) for c in classifier.classes_),
        meta={
            "version": version,
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "examples": len(examples),
            "digest": digest(examples),
            "note": note,
        },
    )


def score(model: Model) -> dict[str, Any]:
    """The model's scores on the fixed test split and on the independent set, kept with it."""
    return {
        "test": evaluate(model, labelled("test")),
        "independent": evaluate(model, independent()),
    }


# ---------------------------------------------------------------------------------------------
# The model in use (one copy per process)

_models: dict[str, Model] = {}
_lock = Lock()


def model_at(path: Path) -> Model:
    key = str(path)
    model = _models.get(key)
    if model is None:
        with _lock:
            model = _models.get(key) or Model.load(path)
            _models[key] = model
    return model


def current() -> Model:
    """The active model (``config.classifier_path``, cached for ``config.TTL`` seconds; its file
    is read once per process), else the shipped one."""
    from liandong.demands import config

    path = config.classifier_path()
    if path:
        try:
            return model_at(Path(path))
        except OSError:
            pass  # a file removed by hand: the shipped model rather than an error at intake
    return model_at(SHIPPED_MODEL)


def suggest(text: str) -> Suggestion:
    return current().suggest(text)


def suggest_category(text: str) -> str:
    return suggest(text).category
