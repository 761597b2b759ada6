"""The demand category model (issue 18): accuracy on the fixed test split and on the
independent set, the confusion matrices, the 待分类 threshold, the routing check, the cost of a
suggestion and of a training on 10,000 examples. Prints markdown (pasted into bench/README.md).

    .venv/bin/python bench/bench_classifier.py
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liandong.settings.test")

import django

django.setup()

from liandong.demands import classify  # noqa: E402
from liandong.demands.demo import demo_rules  # noqa: E402
from liandong.demands.models import CATEGORY_LABELS, Category  # noqa: E402
from liandong.demands.services import TRIAGE_THRESHOLD, pick_rule  # noqa: E402


def confusion_table(confusion: dict[str, dict[str, int]]) -> str:
    cats = Category.values
    head = "| 实际 \\ 预测 | " + " | ".join(CATEGORY_LABELS[c] for c in cats) + " |"
    rule = "|---" * (len(cats) + 1) + "|"
    rows = [
        f"| {CATEGORY_LABELS[t]} | " + " | ".join(str(confusion[t][p] or "·") for p in cats) + " |"
        for t in cats
    ]
    return "\n".join([head, rule, *rows])


def threshold_rows(model: classify.Model, examples: list[classify.Example]) -> list[str]:
    lines = ["| 阈值 | 进入待分类 | 其余自动分类的首选准确率 |", "|---|---|---|"]
    for threshold in (0.3, 0.4, 0.5, 0.6):
        sure = [e for e in examples if model.suggest(e.text).confidence >= threshold]
        right = sum(model.suggest(e.text).category == e.category for e in sure)
        queued = 1 - len(sure) / len(examples)
        lines.append(
            f"| {threshold:.1f} | {queued:.1%} | {right / max(len(sure), 1):.1%} ({right}/{len(sure)}) |"
        )
    return lines


def routing(model: classify.Model) -> tuple[str, str]:
    rules, codes = demo_rules()
    raw = [json.loads(line) for line in (classify.DATA / "routing.jsonl").read_text().splitlines()]
    right = right_courier = courier = 0
    for row in raw:
        guess = model.suggest(row["text"]).category
        rule = pick_rule(rules, category=guess, industry=row["industry"], city=row["city"])
        ok = rule is not None and codes[rule.body_id] == row["body"]
        right += ok
        if row["industry"] == "快递":
            courier += 1
            right_courier += ok
    return (
        f"{right / len(raw):.1%} ({right}/{len(raw)})",
        f"{right_courier / courier:.1%} ({right_courier}/{courier})",
    )


def main() -> None:
    model = classify.model_at(classify.SHIPPED_MODEL)
    test, independent = classify.labelled("test"), classify.independent()
    scores = {
        "test": classify.evaluate(model, test),
        "independent": classify.evaluate(model, independent),
    }
    texts = [e.text for e in independent + test]
    started = time.perf_counter()
    for text in texts:
        model.suggest(text)
    per = (time.perf_counter() - started) / len(texts) * 1000
    started = time.perf_counter()
    classify.Model.load(classify.SHIPPED_MODEL)
    load_ms = (time.perf_counter() - started) * 1000
    train = classify.labelled("train")
    big = [classify.Example(f"{e.text}{n}", e.category) for n in range(8) for e in train][:10000]
    started = time.perf_counter()
    classify.train(big)
    train_s = time.perf_counter() - started
    all_routing, courier_routing = routing(model)
    print(
        f"model: {model.meta['examples']} training texts, digest {model.meta['digest'][:12]}, "
        f"trained {model.meta['trained_at']}"
    )
    print()
    print("| set | texts | top-1 | top-3 |")
    print("|---|---|---|---|")
    for name, label in (("test", "fixed test split"), ("independent", "independent set")):
        s = scores[name]
        print(f"| {label} | {s['n']} | {s['top1']:.1%} | {s['top3']:.1%} |")
    print(
        f"| routing check (all, category → demo rules) | {len(classify.independent())} | {all_routing} | |"
    )
    print(f"| routing check (快递 only, where category decides) | | {courier_routing} | |")
    print()
    print(
        f"suggest: {per:.3f} ms per text in process (mean of {len(texts)}); model load {load_ms:.0f} ms once per process; "
        f"training on {len(big):,} examples {train_s:.1f} s; threshold in use {TRIAGE_THRESHOLD}"
    )
    print()
    print("Independent set, confusion:\n")
    print(confusion_table(scores["independent"]["confusion"]))
    print("\nFixed test split, confusion:\n")
    print(confusion_table(scores["test"]["confusion"]))
    print("\n待分类 threshold on the fixed test split:\n")
    print("\n".join(threshold_rows(model, test)))
    print("\n待分类 threshold on the independent set:\n")
    print("\n".join(threshold_rows(model, independent)))


if __name__ == "__main__":
    main()
