from typing import Any, cast

from django import forms

from liandong.democracy.models import Disclosure, Nomination, Proposal
from liandong.organizations.models import Organization
from liandong.workers.models import Worker

DATE = forms.DateInput(attrs={"type": "date"})


class CongressForm(forms.Form):
    enterprise: "forms.ModelChoiceField[Organization]" = forms.ModelChoiceField(
        queryset=None, label="企业"
    )
    term = forms.IntegerField(label="届", min_value=1, max_value=99)
    session = forms.IntegerField(label="次", min_value=1, max_value=99)
    title = forms.CharField(label="名称", max_length=120)
    held_on = forms.DateField(label="召开日期", widget=DATE)
    cosign_threshold = forms.IntegerField(
        label="附议人数下限", min_value=1, max_value=50, initial=2
    )
    frontline_quota = forms.IntegerField(
        label="一线职工代表比例下限（%）", min_value=0, max_value=100, initial=50
    )

    def __init__(self, *args: Any, enterprises: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["enterprise"]).queryset = enterprises


class DelegateForm(forms.Form):
    worker: "forms.ModelChoiceField[Worker]" = forms.ModelChoiceField(queryset=None, label="职工")
    constituency = forms.CharField(label="选区", max_length=60)
    is_frontline = forms.BooleanField(label="一线职工", required=False, initial=True)

    def __init__(self, *args: Any, workers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["worker"]).queryset = workers


class AgendaForm(forms.Form):
    title = forms.CharField(label="议程", max_length=200)


class VoteForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    present = forms.IntegerField(label="到会代表", min_value=0)
    votes_for = forms.IntegerField(label="赞成", min_value=0)
    votes_against = forms.IntegerField(label="反对", min_value=0)
    abstentions = forms.IntegerField(label="弃权", min_value=0)
    resolution = forms.CharField(
        label="决议（通过时记录）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProposalForm(forms.Form):
    title = forms.CharField(label="案由", max_length=120)
    category = forms.ChoiceField(label="类别", choices=Proposal.Category.choices)
    reasons = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 4}))
    measures = forms.CharField(label="建议措施", widget=forms.Textarea(attrs={"rows": 4}))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="审查结论",
        choices=[("accept", "立案"), ("convert", "转为意见建议"), ("reject", "不予立案")],
        widget=forms.RadioSelect,
    )
    department = forms.CharField(label="承办部门（立案时填写）", max_length=60, required=False)
    deadline = forms.DateField(label="办理期限（立案时填写）", required=False, widget=DATE)
    reason = forms.CharField(
        label="审查意见 / 理由", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label="承办部门答复", widget=forms.Textarea(attrs={"rows": 4}))


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label="您对办理结果的评价", choices=Proposal.Rating.choices, widget=forms.RadioSelect
    )


class ProposalFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, max_length=60)
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *Proposal.Status.choices]
    )


class DisclosureForm(forms.Form):
    enterprise: "forms.ModelChoiceField[Organization]" = forms.ModelChoiceField(
        queryset=None, label="企业"
    )
    category = forms.ChoiceField(label="类别", choices=Disclosure.Category.choices)
    title = forms.CharField(label="标题", max_length=120)
    body = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 4}))
    publish_on = forms.DateField(label="公开日期", widget=DATE)
    expires_on = forms.DateField(label="截止日期", required=False, widget=DATE)

    def __init__(self, *args: Any, enterprises: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["enterprise"]).queryset = enterprises


class NegotiationForm(forms.Form):
    organization: "forms.ModelChoiceField[Organization]" = forms.ModelChoiceField(
        queryset=None, label="企业 / 工会"
    )
    title = forms.CharField(label="名称", max_length=120)
    industry_wide = forms.BooleanField(label="行业性协商（企业方为行业协会）", required=False)
    union_side = forms.CharField(label="职工方", max_length=120)
    employer_side = forms.CharField(label="企业方 / 行业协会", max_length=120)
    topics = forms.CharField(
        label="协商议题", max_length=300, help_text="用顿号分隔，如：最低工资、工龄工资、劳模奖励"
    )
    started_on = forms.DateField(label="开始日期", widget=DATE)

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organization"]).queryset = organizations


class RoundForm(forms.Form):
    held_on = forms.DateField(label="日期", widget=DATE)
    summary = forms.CharField(label="协商情况", widget=forms.Textarea(attrs={"rows": 3}))


class OutcomeForm(forms.Form):
    topic = forms.CharField(label="议题", max_length=60)
    change = forms.DecimalField(label="变化", max_digits=12, decimal_places=2)
    unit = forms.CharField(label="单位", max_length=12, initial="元")


class ContractForm(forms.Form):
    title = forms.CharField(label="合同名称", max_length=120)
    signed_on = forms.DateField(label="签订日期", widget=DATE)
    effective_on = forms.DateField(label="生效日期", widget=DATE)
    expires_on = forms.DateField(label="到期日期", widget=DATE)
    enterprises_covered = forms.IntegerField(label="覆盖企业数", min_value=1, initial=1)
    workers_covered = forms.IntegerField(label="覆盖职工数", min_value=0)


class CaseForm(forms.Form):
    organization: "forms.ModelChoiceField[Organization]" = forms.ModelChoiceField(
        queryset=None, label="单位"
    )
    title = forms.CharField(label="标题", max_length=120)
    summary = forms.CharField(label="案例简介", widget=forms.Textarea(attrs={"rows": 4}))
    tags = forms.CharField(label="标签", max_length=200, required=False, help_text="用顿号分隔")
    teaching = forms.CharField(
        label="教学要点", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    attachment = forms.FileField(label="附件", required=False)

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organization"]).queryset = organizations


class TeachingPointForm(forms.Form):
    enterprise: "forms.ModelChoiceField[Organization]" = forms.ModelChoiceField(
        queryset=None, label="企业"
    )
    honour = forms.CharField(label="荣誉", max_length=120, required=False)
    since = forms.DateField(label="设立日期", widget=DATE)
    note = forms.CharField(
        label="特色做法", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, enterprises: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["enterprise"]).queryset = enterprises


class NominationForm(forms.Form):
    worker = forms.IntegerField(
        label="职工编号", min_value=1, help_text="在职工名册中职工详情页的地址里可以看到编号"
    )
    level = forms.ChoiceField(label="推荐级别", choices=Nomination.Level.choices)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    deeds = forms.CharField(label="主要事迹", widget=forms.Textarea(attrs={"rows": 5}))
    reviews_required = forms.IntegerField(label="审核层级数", min_value=1, max_value=4, initial=2)


class ReviewForm(forms.Form):
    approved = forms.TypedChoiceField(
        label="审核结论",
        choices=[("1", "同意推荐"), ("0", "不同意")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="审核意见", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ObjectionForm(forms.Form):
    body = forms.CharField(
        label="异议内容", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )
    contact = forms.CharField(
        label="联系电话（选填，仅用于核实回访）", required=False, max_length=20
    )


class ObjectionResolveForm(forms.Form):
    objection = forms.IntegerField(widget=forms.HiddenInput)
    upheld = forms.TypedChoiceField(
        label="核查结果",
        choices=[("0", "异议不成立"), ("1", "异议成立")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    finding = forms.CharField(label="核查结论", widget=forms.Textarea(attrs={"rows": 2}))


class FiguresForm(forms.Form):
    organization: "forms.ModelChoiceField[Organization]" = forms.ModelChoiceField(
        queryset=None, label="单位 / 园区", required=False
    )
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False)

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organization"]).queryset = organizations
