import json
import time

from django.core.management.base import BaseCommand, CommandParser

from liandong.demands import classify, learning


def _line(name: str, result: dict) -> str:
    return f"{name}: top-1 {result['top1']:.1%}, top-3 {result['top3']:.1%} ({result['n']} 条)"


class Command(BaseCommand):
    help = (
        "Train the demand category model on the labelled set's training split and every "
        "handler's correction; score it on the fixed test split and the independent set; use it "
        "if it scores at least as well on the test split as the model in use (--promote)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--promote",
            choices=["if-better", "always", "never"],
            default="if-better",
            help="when to put the new model in use (default: if-better)",
        )
        parser.add_argument(
            "--ship",
            action="store_true",
            help="write the package's default model (data/model.npz) from the labelled set "
            "alone, without the database: for a release of the project",
        )
        parser.add_argument("--note", default="", help="a note kept with the version")

    def handle(self, *args: object, promote: str, ship: bool, note: str, **options: object) -> None:
        started = time.perf_counter()
        if ship:
            examples = classify.labelled("train")
            model = classify.train(examples, version=1, note=note or "随软件发布的模型")
            model.meta["scores"] = scores = classify.score(model)
            model.save(classify.SHIPPED_MODEL)
            self.stdout.write(f"已写入 {classify.SHIPPED_MODEL}（{len(examples)} 条训练样本）")
        else:
            outcome = learning.classifier_train(promote=promote.replace("-", "_"), note=note)
            scores = outcome.version.scores
            self.stdout.write(
                f"分类模型 v{outcome.version.version}：{outcome.reason}"
                f"（{outcome.version.examples} 条训练样本，其中纠正样本 {outcome.version.corrections} 条）"
            )
        self.stdout.write(_line("固定测试集", scores["test"]))
        self.stdout.write(_line("独立测试集", scores["independent"]))
        self.stdout.write(f"用时 {time.perf_counter() - started:.1f} 秒")
        if options.get("verbosity", 1) and int(str(options.get("verbosity", 1))) > 1:
            self.stdout.write(json.dumps(scores, ensure_ascii=False, indent=1))
