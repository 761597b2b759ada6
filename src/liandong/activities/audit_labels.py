"""How the audit log names what is done in service activities (collected by core.audit)."""

from typing import Any

from django.urls import reverse

from liandong.activities.permissions import (
    activities_visible_to,
    budget_lines_visible_to,
    can_edit_register,
    expenses_visible_to,
    homes_visible_to,
    merchants_visible_to,
    partner_units_visible_to,
)
from liandong.core.audit import link_finder

APP_NAME = "服务活动"

ACTIONS = {
    "activities.created": "新建活动",
    "activities.updated": "修改活动",
    "activities.published": "发布活动",
    "activities.back_entered": "补录活动",
    "activities.applied": "报名活动",
    "activities.withdrawn": "退出报名",
    "activities.drawn": "抽签",
    "activities.promoted": "候补递补",
    "activities.nominated": "推荐人选",
    "activities.notice_published": "发布公示",
    "activities.confirmed": "确认参加名单",
    "activities.checked_in": "活动签到",
    "activities.feedback": "评价活动",
    "activities.served": "登记服务人次",
    "activities.booked": "预约职工之家",
    "activities.booking_cancelled": "取消预约",
    "activities.home_created": "新建职工之家",
    "activities.home_updated": "修改职工之家",
    "activities.budget_created": "新建经费预算",
    "activities.expense_recorded": "登记支出",
    "activities.seed_committed": "导入活动数据",
    "activities.budget_updated": "修改经费预算",
    "activities.expense_override_requested": "申请超预算支出",
    "activities.expense_override_approved": "批准超预算支出",
    "activities.expense_override_rejected": "驳回超预算支出",
    "activities.expense_reversed": "冲销支出",
    "activities.partner_unit_created": "新增疗休养合作单位",
    "activities.partner_unit_updated": "修改疗休养合作单位",
    "activities.merchant_created": "新增本地商户",
    "activities.merchant_updated": "修改本地商户",
    "activities.merchant_deactivated": "停止与商户合作",
    "activities.merchant_reactivated": "恢复与商户合作",
}

FIELDS = {
    "people": "服务人次",
    "amount": "金额",
    "places": "名额",
}


def _merchant_links(viewer: Any, ids: list[str]) -> dict[str, str]:
    """A merchant's page is its edit page: only those the viewer may edit are linked."""
    if not ids:
        return {}
    merchants = merchants_visible_to(viewer).filter(pk__in=[int(i) for i in ids])
    return {
        str(m.pk): reverse("activities:merchant-edit", args=[m.pk])
        for m in merchants.select_related("owner")
        if can_edit_register(viewer, m.owner)
    }


LINKS = {
    "activities.activity": link_finder(activities_visible_to, "activities:activity-detail"),
    "activities.home": link_finder(homes_visible_to, "activities:home-detail"),
    "activities.budgetline": link_finder(budget_lines_visible_to, "activities:budget-line-detail"),
    "activities.expense": link_finder(expenses_visible_to, "activities:expense-detail"),
    "activities.partnerunit": link_finder(
        partner_units_visible_to, "activities:partner-unit-detail"
    ),
    "activities.merchant": _merchant_links,
}
