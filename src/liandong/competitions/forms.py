from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from liandong.accounts.models import User
from liandong.competitions.models import (
    Contest,
    ContestStatus,
    Level,
    PrizeTier,
    Round,
    Segment,
)
from liandong.competitions.selectors import judge_pool
from liandong.organizations.models import Organization
from liandong.workers.models import Worker

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ContestForm(forms.ModelForm):
    class Meta:
        model = Contest
        fields = [
            "name",
            "level",
            "profession",
            "hosts",
            "undertakers",
            "co_organizers",
            "venue",
            "starts_on",
            "status",
            "occupation_keywords",
            "min_age",
            "max_age",
            "employer_kinds",
            "drop_extremes_from",
            "team_size",
            "team_rule",
            "team_best_n",
            "rounding",
            "chief_judge",
        ]
        widgets = {"starts_on": DATE}

    # Stored as codes joined by commas ("enterprise,outlet"); a person picks labelled kinds.
    employer_kinds = forms.MultipleChoiceField(
        label="单位类型",
        required=False,
        choices=Organization.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="报名职工的工作单位须是所选类型之一；都不选即不限",
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            kinds = self.instance.employer_kinds.split(",")
            self.initial["employer_kinds"] = [k.strip() for k in kinds if k.strip()]
        judges = cast(forms.ModelChoiceField, self.fields["chief_judge"])
        judges.queryset = judge_pool(organization)
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            c for c in ContestStatus.choices if c[0] != ContestStatus.PUBLISHED
        ]

    def clean_employer_kinds(self) -> str:
        return ",".join(self.cleaned_data.get("employer_kinds") or [])


class RoundForm(forms.ModelForm):
    class Meta:
        model = Round
        fields = [
            "name",
            "station",
            "venue",
            "starts_on",
            "ends_on",
            "advance_rule",
            "advance_value",
            "per_group",
        ]
        help_texts = {"station": "巡回赛的站点，如：万象站、云南站；不巡回的比赛不填"}
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class SegmentForm(forms.ModelForm):
    class Meta:
        model = Segment
        fields = ["name", "weight", "full_marks", "tie_break"]


class PrizeTierForm(forms.ModelForm):
    class Meta:
        model = PrizeTier
        fields = ["name", "count", "percent", "for_teams"]


class JudgeAssignForm(forms.Form):
    judge = forms.ModelChoiceField(label="评委", queryset=User.objects.none())

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["judge"]).queryset = judge_pool(organization)


class WorkerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Worker) -> str:
        return f"{obj.name}（{obj.employer.name}，{obj.occupation or '—'}）"


class WorkersChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Worker) -> str:
        return f"{obj.name}（{obj.employer.name}）"


# A province's roster runs to a million workers: the drop-downs offer the first ones matching
# the name typed in the search box (any visible worker is accepted when posted).
CHOICES_SHOWN = 200


def _offer(field: forms.ModelChoiceField, workers: QuerySet[Worker], q: str) -> None:
    field.queryset = workers
    shown = workers.filter(name__contains=q) if q else workers
    field.widget.choices = [
        *([("", "---------")] if not isinstance(field, forms.ModelMultipleChoiceField) else []),
        *((w.pk, field.label_from_instance(w)) for w in shown[:CHOICES_SHOWN]),
    ]


class RegisterForm(forms.Form):
    worker = WorkerChoice(
        label="职工",
        queryset=Worker.objects.none(),
        help_text=f"最多列出 {CHOICES_SHOWN} 人；可先按姓名搜索",
    )
    group = forms.CharField(label="组别", max_length=40, required=False)

    def __init__(self, *args: Any, workers: QuerySet[Worker], q: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(cast(forms.ModelChoiceField, self.fields["worker"]), workers, q)


class TeamForm(forms.Form):
    name = forms.CharField(label="代表队名称", max_length=100)
    workers = WorkersChoice(
        label="队员", queryset=Worker.objects.none(), widget=forms.SelectMultiple(attrs={"size": 8})
    )
    group = forms.CharField(label="组别", max_length=40, required=False)

    def __init__(self, *args: Any, workers: QuerySet[Worker], q: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(cast(forms.ModelChoiceField, self.fields["workers"]), workers, q)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="审核结果", choices=[("approve", "通过"), ("reject", "不通过")]
    )
    note = forms.CharField(label="审核意见", max_length=200, required=False)


class CorrectionForm(forms.Form):
    score = forms.CharField(label="更正后的分数", max_length=12)
    reason = forms.CharField(label="更正原因", max_length=200)


class NominateForm(forms.Form):
    target = forms.ModelChoiceField(label="推荐到", queryset=Contest.objects.none())

    def __init__(self, *args: Any, targets: QuerySet[Contest], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["target"]).queryset = targets


class UploadForm(forms.Form):
    file = forms.FileField(label="理论考试成绩表（xlsx）")
    submit = forms.BooleanField(label="上传后直接提交（提交后锁定）", required=False)


class ContestBackEntryForm(forms.Form):
    """补录竞赛: a contest decided before the platform, with its published results."""

    name = forms.CharField(label="竞赛名称", max_length=160)
    level = forms.ChoiceField(label="级别", choices=Level.choices, initial=Level.CITY)
    profession = forms.CharField(label="职业（工种）", max_length=60)
    starts_on = forms.DateField(
        label="比赛日期", widget=DATE, help_text="已举办的日期：不能晚于今天，最多补录两年内的竞赛"
    )
    venue = forms.CharField(label="比赛地点", max_length=120, required=False)
    hosts = forms.CharField(label="主办单位", max_length=300, required=False)
    undertakers = forms.CharField(label="承办单位", max_length=300, required=False)
    results = forms.CharField(
        label="成绩名单",
        max_length=500_000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="每行一名选手，各列用逗号或 Tab 分隔（可从表格直接粘贴）："
        "职工编号或身份证号, 名次, 奖项, 总分, 组别；除第一列外均可留空",
    )
