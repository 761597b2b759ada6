"""How the audit log names what is done in democratic management (collected by core.audit)."""

from liandong.core.audit import link_finder
from liandong.democracy.permissions import (
    congresses_visible_to,
    negotiations_visible_to,
    nominations_visible_to,
    proposals_visible_to,
)

APP_NAME = "民主管理"

ACTIONS = {
    "democracy.congress_created": "新建职代会",
    "democracy.congress_opened": "职代会开幕",
    "democracy.congress_closed": "职代会闭幕",
    "democracy.delegate_added": "添加职工代表",
    "democracy.agenda_added": "添加职代会议程",
    "democracy.vote_recorded": "登记表决结果",
    "democracy.proposal_submitted": "提交提案",
    "democracy.proposal_cosigned": "附议提案",
    "democracy.proposal_decided": "提案审查",
    "democracy.proposal_answered": "答复提案",
    "democracy.proposal_rated": "评价提案办理",
    "democracy.proposal_outstanding": "提案超期未办结",
    "democracy.disclosure_published": "发布厂务公开",
    "democracy.objection_received": "收到公示异议",
    "democracy.objection_resolved": "处理公示异议",
    "democracy.negotiation_created": "新建集体协商",
    "democracy.negotiation_round": "记录协商轮次",
    "democracy.negotiation_outcome": "登记协商结果",
    "democracy.contract_signed": "签订集体合同",
    "democracy.contract_expiry_reminder": "集体合同到期提醒",
    "democracy.case_created": "新建案例",
    "democracy.teaching_point": "登记教学点",
    "democracy.nomination_created": "新建劳模推荐",
    "democracy.nomination_reviewed": "审核劳模推荐",
    "democracy.nomination_confirmed": "确认劳模推荐",
}

LINKS = {
    "democracy.congress": link_finder(congresses_visible_to, "democracy:congress-detail"),
    "democracy.proposal": link_finder(proposals_visible_to, "democracy:proposal-detail"),
    "democracy.negotiation": link_finder(negotiations_visible_to, "democracy:negotiation-detail"),
    "democracy.nomination": link_finder(nominations_visible_to, "democracy:nomination-detail"),
}

TYPES = {
    "democracy.negotiationround": "协商轮次",
    "democracy.negotiationoutcome": "协商结果",
    "democracy.collectivecontract": "集体合同",
    "democracy.nominationreview": "推荐审核",
    "democracy.objection": "公示异议",
}
