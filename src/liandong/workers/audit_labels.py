"""How the audit log names what is done to the roster (collected by core.audit)."""

from liandong.core.audit import link_finder
from liandong.workers.permissions import workers_visible_to

APP_NAME = "职工名册"

ACTIONS = {
    "workers.created": "新增职工",
    "workers.updated": "修改职工信息",
    "workers.imported": "导入职工名册",
    "workers.exported": "导出职工名册",
    "workers.pii_viewed": "查看完整个人信息",
    "workers.honour_added": "登记荣誉",
    "workers.honour_removed": "删除荣誉",
}

FIELDS = {
    "rows": "行数",
    "created": "新增",
    "updated": "更新",
    "rejected": "退回行数",
    "fields": "字段",
}

LINKS = {"workers.worker": link_finder(workers_visible_to, "workers:worker-detail")}
