"""The category model learns from handling: a category a person chose is kept as a labelled
example (``correction_record``); the tick retrains once enough new ones arrived
(``retrain_if_due``) and the new model replaces the one in use only if it scores at least as
well on the fixed test split (``promote_if_better``). An admin may roll back to any earlier
version (``classifier_activate``)."""

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from liandong.accounts.models import User
from liandong.core.audit import audit_log
from liandong.demands import classify, config
from liandong.demands.models import CategoryCorrection, ClassifierVersion, Demand

# New corrections that make a retraining worthwhile, and at most one training per this many
# hours (a training takes seconds; the tick runs every minute).
RETRAIN_MIN_CORRECTIONS = 30
RETRAIN_MIN_HOURS = 6
# Mobile numbers, ID numbers (18 characters, the last may be X), any other run of 7+ digits
# (landlines, bank cards, 15-digit IDs), e-mail addresses.
_PERSONAL = re.compile(r"(?<!\d)(?:\d{17}[\dXx]|\d{7,})(?!\d)|[\w.+-]+@[\w-]+\.[\w.]+", re.ASCII)


def strip_personal(text: str) -> str:
    """The text without the numbers that identify a person ("＃" in their place)."""
    return _PERSONAL.sub("＃", (text or "").strip())


def correction_record(*, demand: Demand, suggested: str, category: str) -> CategoryCorrection:
    """Keep what a person chose for this text (inside the caller's transaction)."""
    return CategoryCorrection.objects.create(
        text=strip_personal(demand.description)[:2000],
        suggested=suggested or category,
        category=category,
        industry=demand.industry,
    )


def model_dir() -> Path:
    return Path(settings.DATA_DIR) / "classifier"


def _examples(corrections: list[CategoryCorrection]) -> list[classify.Example]:
    base = classify.labelled("train")
    return base + [classify.Example(c.text, c.category, c.industry, "train") for c in corrections]


@dataclass
class Outcome:
    version: ClassifierVersion
    promoted: bool
    reason: str


def active_scores() -> dict:
    """Scores of the model in use (the shipped one's are stored in its file)."""
    row = ClassifierVersion.objects.filter(is_active=True).first()
    if row is not None:
        return row.scores
    return classify.model_at(classify.SHIPPED_MODEL).meta.get("scores", {})


def better_or_equal(new: dict, old: dict) -> bool:
    """The rule of promotion: on the fixed test split, top-1 and top-3 no lower than now."""
    new_test, old_test = new.get("test", {}), old.get("test", {})
    return new_test.get("top1", 0) >= old_test.get("top1", 0) and new_test.get(
        "top3", 0
    ) >= old_test.get("top3", 0)


def classifier_train(
    *, actor: User | None = None, promote: str = "if_better", note: str = ""
) -> Outcome:
    """Train on the labelled set's training split plus every correction, score on the fixed test
    split and the independent set, store file and row; promote per ``promote`` ("if_better",
    "always", "never")."""
    corrections = list(CategoryCorrection.objects.order_by("id"))
    examples = _examples(corrections)
    version = (ClassifierVersion.objects.aggregate(v=Max("version"))["v"] or 1) + 1
    model = classify.train(examples, version=version, note=note)
    scores = classify.score(model)
    model.meta["scores"] = scores
    name = f"model-v{version}.npz"
    model.save(model_dir() / name)
    trained_at = parse_datetime(model.meta["trained_at"]) or timezone.now()
    with transaction.atomic():
        row = ClassifierVersion.objects.create(
            version=version,
            file_name=name,
            trained_at=trained_at,
            data_digest=model.meta["digest"],
            examples=len(examples),
            corrections=len(corrections),
            scores=scores,
            note=note[:200],
        )
        CategoryCorrection.objects.filter(
            pk__in=[c.pk for c in corrections], trained_in__isnull=True
        ).update(trained_in=row)
        audit_log(
            actor=actor,
            action="demands.classifier_trained",
            target=row,
            target_repr=f"分类模型 v{version}",
            changes={"examples": len(examples), "test": _brief(scores), "note": note[:200]},
        )
        if promote == "never":
            return Outcome(row, False, "未启用（按要求只训练）")
        if promote == "if_better" and not better_or_equal(scores, active_scores()):
            return Outcome(row, False, "测试集成绩低于在用模型，未启用")
        _activate(actor, row)
    return Outcome(row, True, "已启用")


def _brief(scores: dict) -> dict:
    return {k: scores.get("test", {}).get(k) for k in ("top1", "top3")}


def _activate(actor: User | None, row: ClassifierVersion | None) -> None:
    ClassifierVersion.objects.filter(is_active=True).update(is_active=False)
    if row is not None:
        ClassifierVersion.objects.filter(pk=row.pk).update(
            is_active=True, promoted_at=timezone.now()
        )
        row.is_active = True
    audit_log(
        actor=actor,
        action="demands.classifier_activated",
        target=row,
        target_repr=f"分类模型 {f'v{row.version}' if row else '内置版本'}",
        changes={"version": row.version if row else None},
    )
    config.invalidate()


@transaction.atomic
def classifier_activate(*, actor: User | None, row: ClassifierVersion | None) -> None:
    """Roll back (or forward) to ``row``; None: the model shipped with the package."""
    if row is not None and not (model_dir() / row.file_name).is_file():
        from django.core.exceptions import ValidationError

        raise ValidationError({"version": ["该版本的模型文件已不存在，不能启用"]}, code="missing")
    _activate(actor, row)


def retrain_if_due(dry_run: bool = False) -> str:
    """The tick's job: retrain when enough new corrections arrived since the last training."""
    fresh = CategoryCorrection.objects.filter(trained_in__isnull=True).count()
    if fresh < RETRAIN_MIN_CORRECTIONS:
        return f"新纠正样本（满 {RETRAIN_MIN_CORRECTIONS} 条重新训练）: {fresh}"
    last = (
        ClassifierVersion.objects.order_by("-trained_at")
        .values_list("trained_at", flat=True)
        .first()
    )
    if last and timezone.now() - last < timedelta(hours=RETRAIN_MIN_HOURS):
        return f"新纠正样本 {fresh} 条，距上次训练不足 {RETRAIN_MIN_HOURS} 小时"
    if dry_run:
        return f"将用 {fresh} 条新纠正样本重新训练"
    outcome = classifier_train(note=f"自动重训：新纠正样本 {fresh} 条")
    return f"v{outcome.version.version} {outcome.reason}"
