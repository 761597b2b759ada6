"""How the audit log names what is done to the organization tree (collected by core.audit)."""

from liandong.core.audit import link_finder
from liandong.organizations.permissions import organizations_visible_to

APP_NAME = "组织架构"

ACTIONS = {
    "organizations.created": "新建组织",
    "organizations.updated": "修改组织",
    "organizations.moved": "调整上级组织",
    "organizations.imported": "导入组织架构",
    "organizations.exported": "导出组织架构",
    "organizations.partner_linked": "关联合作单位",
}

LINKS = {
    "organizations.organization": link_finder(
        organizations_visible_to, "organizations:organization-detail"
    )
}
