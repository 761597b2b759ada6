from datetime import date
from typing import Any, cast

from django import forms
from django.utils import timezone

from liandong.core.forms import ListedChoices, LongSelect
from liandong.meetings.selectors import FIRST_YEAR, LAST_YEAR
from liandong.organizations.models import Organization
from liandong.reports.selectors import ReportFilters


class DashboardFilterForm(forms.Form):
    """Year, or a date range inside one year; a region (an organization of the subtree); an
    industry. Bad input is reported in Chinese and the page shows the current year."""

    year = forms.IntegerField(
        label="年度", min_value=FIRST_YEAR, max_value=LAST_YEAR, required=False
    )
    start = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    org = forms.ModelChoiceField(
        label="地区 / 单位",
        queryset=Organization.objects.none(),
        required=False,
        empty_label=None,
        widget=LongSelect,
    )
    industry = forms.ChoiceField(label="行业", required=False)

    def __init__(self, *args, unions=None, industries=(), **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        org = cast(forms.ModelChoiceField, self.fields["org"])
        org.iterator = ListedChoices
        if unions is not None:
            org.queryset = unions
        cast(forms.ChoiceField, self.fields["industry"]).choices = [
            ("", "全部行业"),
            *[(i, i) for i in industries],
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "截止日期不能早于起始日期。")
        if start and end and start.year != end.year:
            self.add_error("end", "日期范围须在同一年度内。")
        return data

    def filters(self) -> ReportFilters:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        start: date | None = data.get("start")
        end: date | None = data.get("end")
        year = data.get("year") or (start or end or today).year
        if start and start.year != year:
            start = None
        if end and end.year != year:
            end = None
        return ReportFilters(year=year, start=start, end=end, industry=data.get("industry") or "")


class AnnualReportForm(forms.Form):
    """The annual report's year (not after this one) and its format."""

    year = forms.IntegerField(label="年度", min_value=FIRST_YEAR)
    format = forms.ChoiceField(
        label="格式", choices=[("docx", "Word（.docx）"), ("pdf", "PDF")], required=False
    )

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError("年度不能晚于今年。")
        return year
