"""How the audit log names what is done in key-enterprise contact and agreements."""

from liandong.core.audit import link_finder
from liandong.outreach.permissions import (
    agreements_visible_to,
    key_enterprises_visible_to,
    visits_visible_to,
)

APP_NAME = "联系走访与协议"

ACTIONS = {
    "outreach.key_enterprise_added": "添加重点企业",
    "outreach.key_enterprise_updated": "修改重点企业联系",
    "outreach.visit_recorded": "登记走访",
    "outreach.problem_closed": "走访问题已解决",
    "outreach.visit_to_demand": "走访问题转为职工诉求",
    "outreach.visit_to_action_item": "走访问题转为督办事项",
    "outreach.agreement_created": "登记协议",
    "outreach.agreement_updated": "修改协议",
    "outreach.follow_up_added": "添加协议跟进事项",
    "outreach.expiry_noticed": "协议到期提醒",
    "outreach.document_downloaded": "下载协议文本",
}

FIELDS = {
    "parties": "签约方",
    "document_name": "协议文本",
    "expiry_noticed_for": "已提醒的到期日期",
}

LINKS = {
    "outreach.keyenterprise": link_finder(key_enterprises_visible_to, "outreach:key-detail"),
    "outreach.visit": link_finder(visits_visible_to, "outreach:visit-detail"),
    "outreach.agreement": link_finder(agreements_visible_to, "outreach:agreement-detail"),
}
