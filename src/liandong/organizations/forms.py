from typing import Any, cast

from django import forms

from liandong.organizations.models import Organization

K = Organization.Kind
# Which kinds of node may hang under which: outlets only under enterprises; partner bodies
# are roots linked through partners, not children. Keyed by the stored value (a TextChoices
# member equals and hashes as its string), so that a model's ``kind`` looks it up.
CHILD_KINDS: dict[str, list[Organization.Kind]] = {
    K.UNION: [K.UNION, K.UNION_FEDERATION, K.ENTERPRISE],
    K.UNION_FEDERATION: [K.UNION, K.ENTERPRISE],
    K.ENTERPRISE: [K.OUTLET],
    K.OUTLET: [],
    K.AUTHORITY: [],
    K.ASSOCIATION: [],
}
# Kinds that may found (or be covered by) a union of their own.
FOUNDING_KINDS = {K.ENTERPRISE, K.OUTLET, K.ASSOCIATION}


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = [
            "name",
            "short_name",
            "code",
            "kind",
            "level",
            "industry",
            "city",
            "address",
            "union_status",
            "union_founded_on",
            "declared_head_count",
        ]
        widgets = {"union_founded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {
            "code": "全局唯一，如统一社会信用代码或内部编码",
            "short_name": "页面上显示的简称，可不填",
        }

    def __init__(self, *args: Any, parent: Organization | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A node's kind and code identify it to imports and other systems: fixed once made.
            del self.fields["kind"]
            self.fields["code"].disabled = True
        else:
            allowed = CHILD_KINDS.get(parent.kind, []) if parent else []
            cast(forms.ChoiceField, self.fields["kind"]).choices = [
                (k.value, k.label) for k in allowed
            ]
        self.fields["level"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind") or self.instance.kind
        status = data.get("union_status") or Organization.UnionStatus.NONE
        if status != Organization.UnionStatus.NONE and kind not in FOUNDING_KINDS:
            self.add_error("union_status", "只有企业、网点和行业协会需要填写建会状态")
        if data.get("union_founded_on") and status == Organization.UnionStatus.NONE:
            self.add_error("union_founded_on", "未建会的单位不应填写建会日期")
        return data


class TreeImportForm(forms.Form):
    file = forms.FileField(label="组织架构文件（.xlsx）")
    into = forms.CharField(
        label="导入到（单位编码）",
        max_length=40,
        required=False,
        help_text="不填则导入到本单位之下；可填本单位范围内某个单位的编码",
    )
    dry_run = forms.BooleanField(label="仅校验，不写入（试导入）", required=False)
