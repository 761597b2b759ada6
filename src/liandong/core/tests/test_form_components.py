"""The shared form components (core/templates/components): a refused long form shows at its top
a summary whose links lead to each field at fault; a short one its messages by the fields."""

import re

from django import forms
from django.template.loader import render_to_string


class LongForm(forms.Form):
    name = forms.CharField(label="姓名")
    mobile = forms.CharField(label="手机号")
    city = forms.CharField(label="所在城市")
    note = forms.CharField(label="说明", required=False)
    kinds = forms.MultipleChoiceField(
        label="单位类型",
        choices=[("a", "企业"), ("b", "网点")],
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self) -> dict:
        raise forms.ValidationError("整张表的问题")


class ShortForm(forms.Form):
    name = forms.CharField(label="姓名")


def test_a_refused_long_form_links_each_fault_from_a_summary_at_the_top() -> None:
    form = LongForm(data={"name": "", "mobile": "", "city": "兰州"})
    html = render_to_string("components/form_card.html", {"form": form})
    summary = re.search(r'<div class="form-errors error-summary".*?</div>', html, re.S)
    assert summary, html
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group())
    assert [target for target, _ in links] == ["id_name", "id_mobile", "id_kinds"]
    assert links[0][1].startswith("姓名：")
    assert "整张表的问题" in summary.group()
    assert html.index("error-summary") < html.index('id="id_name"')  # above the fields
    for target, _ in links:
        assert f'id="{target}"' in html  # every link leads somewhere
    # A group of choices is a fieldset with its legend, not a label around the whole group.
    assert "<legend>单位类型</legend>" in html


def test_a_short_form_keeps_its_messages_by_the_fields() -> None:
    html = render_to_string("components/form_card.html", {"form": ShortForm(data={})})
    assert "error-summary" not in html
    assert 'class="field-error"' in html
    assert (
        render_to_string("components/form_card.html", {"form": LongForm()}).count("form-errors")
        == 0
    )
