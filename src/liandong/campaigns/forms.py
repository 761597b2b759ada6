from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from liandong.campaigns.selectors import measure_choices, reported_choices
from liandong.organizations.models import Organization

DATE = forms.DateInput(attrs={"type": "date"})


class CampaignForm(forms.Form):
    owner: "forms.ModelChoiceField[Organization]" = forms.ModelChoiceField(
        queryset=Organization.objects.none(), label="牵头工会"
    )
    name = forms.CharField(label="行动名称", max_length=120)
    starts_on = forms.DateField(label="开始日期", widget=DATE)
    ends_on = forms.DateField(label="结束日期", widget=DATE)
    description = forms.CharField(label="行动内容", required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, owners: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = owners


class CampaignEditForm(forms.Form):
    name = forms.CharField(label="行动名称", max_length=120)
    starts_on = forms.DateField(label="开始日期", widget=DATE)
    ends_on = forms.DateField(label="结束日期", widget=DATE)
    description = forms.CharField(label="行动内容", required=False, widget=forms.Textarea)
    result = forms.CharField(label="行动成效", required=False, widget=forms.Textarea)


class TargetForm(forms.Form):
    organization: "forms.ModelChoiceField[Organization]" = forms.ModelChoiceField(
        queryset=Organization.objects.none(), label="工会"
    )
    measure = forms.ChoiceField(label="指标", choices=[])
    value = forms.IntegerField(label="目标值", min_value=1, max_value=10_000_000)

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organization"]).queryset = organizations
        cast(forms.ChoiceField, self.fields["measure"]).choices = measure_choices()


class TaskForm(forms.Form):
    title = forms.CharField(label="任务名称", max_length=120)
    description = forms.CharField(label="任务要求", required=False, widget=forms.Textarea)
    due_on = forms.DateField(label="完成期限", required=False, widget=DATE)


class ReleaseForm(forms.Form):
    reason = forms.CharField(label="撤销揭榜原因", max_length=200)


class CompleteForm(forms.Form):
    completed_on = forms.DateField(label="完成日期", widget=DATE)
    result = forms.CharField(label="完成情况", widget=forms.Textarea)


class MilestoneForm(forms.Form):
    title = forms.CharField(label="节点", max_length=120)
    due_on = forms.DateField(label="节点期限", widget=DATE)


class MilestoneDoneForm(forms.Form):
    milestone = forms.IntegerField(widget=forms.HiddenInput)
    done_on = forms.DateField(label="完成日期", widget=DATE)
    note = forms.CharField(label="完成说明", max_length=300, required=False)


class ProgressForm(forms.Form):
    organization: "forms.ModelChoiceField[Organization]" = forms.ModelChoiceField(
        queryset=Organization.objects.none(), label="填报单位"
    )
    measure = forms.ChoiceField(label="指标", choices=[])
    count = forms.IntegerField(label="数量", min_value=1, max_value=1_000_000)
    occurred_on = forms.DateField(label="日期", widget=DATE)
    evidence = forms.CharField(label="佐证说明", max_length=300)

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organization"]).queryset = organizations
        cast(forms.ChoiceField, self.fields["measure"]).choices = reported_choices()
