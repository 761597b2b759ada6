"""How the audit log names what is done in labour-dispute mediation (collected by core.audit)."""

from liandong.core.audit import link_finder
from liandong.mediation.permissions import cases_visible_to

APP_NAME = "劳动争议调解"

ACTIONS = {
    "mediation.case_opened": "受理调解案件",
    "mediation.party_updated": "修改调解当事人",
    "mediation.pii_viewed": "查看调解当事人完整身份证号和手机号",
    "mediation.mediators_assigned": "指派调解员",
    "mediation.session_recorded": "记录调解会谈",
    "mediation.agreed": "登记调解协议",
    "mediation.referred": "转劳动仲裁",
    "mediation.withdrawn": "登记申请人撤回",
    "mediation.extended": "延长调解期限",
    "mediation.time_limit_set": "设置调解时限",
    "mediation.reminder_due_soon": "调解期限将至提醒",
    "mediation.reminder_overdue": "调解超期提醒",
}

FIELDS = {
    "parties": "当事人",
    "mediators": "调解员",
    "demand": "来源诉求",
    "party": "当事人",
    "fields": "查看的字段",
    "purpose": "用途",
    "recipients": "提醒人数",
    "held_on": "调解日期",
    "place": "地点",
    "case_type": "案件类型",
    "working_days": "调解时限（工作日）",
}

LINKS = {"mediation.case": link_finder(cases_visible_to, "mediation:case-detail")}

TYPES = {
    "mediation.case": "调解案件",
    "mediation.party": "调解当事人",
    "mediation.session": "调解会谈",
    "mediation.timelimit": "调解时限",
}
