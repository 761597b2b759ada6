from typing import Any, cast

from django import forms

from liandong.organizations.models import Organization
from liandong.training.models import Document, Lecturer

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class LecturerForm(forms.Form):
    organization: "forms.ModelChoiceField[Organization]" = forms.ModelChoiceField(
        queryset=None, label="所属讲师团（工会）"
    )
    name = forms.CharField(label="姓名", max_length=60)
    affiliation = forms.CharField(label="工作单位及职务", max_length=120)
    topics = forms.CharField(label="授课专题", max_length=300, help_text="用顿号或逗号分隔")
    mobile = forms.CharField(label="手机号", max_length=20, required=False)

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organization"]).queryset = organizations


class RevealForm(forms.Form):
    purpose = forms.CharField(label="查看原因", max_length=200, required=False)


class SessionForm(forms.Form):
    organization: "forms.ModelChoiceField[Organization]" = forms.ModelChoiceField(
        queryset=None, label="主办单位"
    )
    topic = forms.CharField(label="培训主题", max_length=120)
    starts_at = forms.DateTimeField(
        label="开始时间", widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    place = forms.CharField(label="地点", max_length=120, required=False)
    teaching_point = forms.ChoiceField(label="或在教学点", required=False)
    lecturers: "forms.ModelMultipleChoiceField[Lecturer]" = forms.ModelMultipleChoiceField(
        queryset=None, label="授课讲师", required=False, widget=forms.CheckboxSelectMultiple
    )
    congress = forms.ChoiceField(label="参训职代会（邀请其全体代表）", required=False)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(
        self,
        *args: Any,
        organizations: Any = None,
        lecturers: Any = None,
        congresses: list[tuple[str, str]] | None = None,
        teaching_points: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organization"]).queryset = organizations
        cast(forms.ModelMultipleChoiceField, self.fields["lecturers"]).queryset = lecturers
        cast(forms.ChoiceField, self.fields["congress"]).choices = [
            ("", "不邀请职代会代表"),
            *(congresses or []),
        ]
        cast(forms.ChoiceField, self.fields["teaching_point"]).choices = [
            ("", "—"),
            *((p, p) for p in teaching_points or []),
        ]


class AttendanceForm(forms.Form):
    workers = forms.TypedMultipleChoiceField(
        label="职工代表", coerce=int, widget=forms.CheckboxSelectMultiple
    )
    attended = forms.TypedChoiceField(
        label="标记为",
        choices=[("1", "已参训"), ("0", "未参训")],
        coerce=lambda v: v == "1",
        initial="1",
    )

    def __init__(self, *args: Any, invited: list[tuple[int, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["workers"]).choices = invited or []


class DocumentForm(forms.Form):
    organization: "forms.ModelChoiceField[Organization]" = forms.ModelChoiceField(
        queryset=None, label="编制单位"
    )
    kind = forms.ChoiceField(label="类型", choices=Document.Kind.choices)
    category = forms.CharField(
        label="分类", max_length=40, help_text="如：职代会、厂务公开、集体协商"
    )
    title = forms.CharField(label="标题", max_length=120)
    summary = forms.CharField(
        label="简介", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    body = forms.CharField(
        label="案例正文（案例必填）", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    file = forms.FileField(label="文件（手册、工具包、教材必传）", required=False)
    published = forms.BooleanField(label="向下级工会发布", required=False)

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organization"]).queryset = organizations


class VersionForm(forms.Form):
    file = forms.FileField(label="新版本文件")
    note = forms.CharField(label="修订说明", max_length=200, required=False)


class PublishForm(forms.Form):
    published = forms.BooleanField(label="向下级工会发布", required=False)


class FiguresForm(forms.Form):
    organization: "forms.ModelChoiceField[Organization]" = forms.ModelChoiceField(
        queryset=None, label="单位", required=False
    )
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False)

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organization"]).queryset = organizations
