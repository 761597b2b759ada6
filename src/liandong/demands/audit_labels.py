"""How the audit log names what is done to demands (collected by core.audit)."""

from liandong.core.audit import link_finder
from liandong.demands.permissions import demands_visible_to

APP_NAME = "诉求"

ACTIONS = {
    "demands.submitted": "提交诉求",
    "demands.accepted": "受理诉求",
    "demands.replied": "答复诉求",
    "demands.transferred": "转办诉求",
    "demands.resolved": "办结诉求",
    "demands.returned": "退回诉求",
    "demands.rejected": "不予受理",
    "demands.assigned": "指派经办人",
    "demands.category_changed": "更改诉求类别",
    "demands.merged": "合并重复诉求",
    "demands.rated": "评价办理结果",
    "demands.agenda": "提交联席会议议题",
    "demands.breached": "诉求超出办理时限",
    "demands.escalated": "诉求逐级上报",
    "demands.reminded": "催办提醒",
    "demands.mobile_viewed": "查看诉求人手机号",
    "demands.rule_created": "新建分派规则",
    "demands.rule_deactivated": "停用分派规则",
    "demands.time_limit_set": "设置办理时限",
    "demands.calendar_set": "设置工作日历",
    "demands.triaged": "确定待分类诉求的类别",
    "demands.classifier_trained": "训练诉求分类模型",
    "demands.classifier_activated": "启用诉求分类模型",
}

FIELDS = {
    "to": "转至",
    "from": "原单位",
    "reply": "答复",
    "note": "说明",
    "rating": "评分",
}

LINKS = {"demands.demand": link_finder(demands_visible_to, "demands:demand-detail")}

TYPES = {
    "demands.routingrule": "分派规则",
    "demands.timelimit": "办理时限",
    "demands.calendarday": "工作日历",
    "demands.calendaryear": "工作日历年度",
}
