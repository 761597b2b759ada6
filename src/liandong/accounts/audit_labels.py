"""How the audit log names what accounts do (collected by core.audit.audit_vocabulary)."""

from liandong.accounts.permissions import accounts_visible_to
from liandong.core.audit import link_finder

APP_NAME = "账号"

ACTIONS = {
    "accounts.account_created": "新建账号",
    "accounts.account_disabled": "停用账号",
    "accounts.account_enabled": "启用账号",
    "accounts.account_updated": "修改账号",
    "accounts.invitation_issued": "发出开通邀请",
    "accounts.invitation_redeemed": "通过邀请开通账号",
    "accounts.invitation_revoked": "撤销开通邀请",
    "accounts.logged_in": "登录",
    "accounts.logged_out": "退出登录",
    "accounts.login_failed": "登录失败",
    "accounts.login_locked": "登录失败次数过多，暂时锁定",
    "accounts.mobile_changed": "更换手机号",
    "accounts.password_reset_issued": "发出重设密码链接",
    "accounts.password_set": "设置密码",
    "accounts.profile_updated": "修改个人资料",
    "accounts.setup": "初始化管理员账号",
    "accounts.token_issued": "签发接口令牌",
    "accounts.worker_account_created": "开通职工账号",
}

FIELDS = {
    "username": "登录名",
    "reason": "原因",
}

LINKS = {"accounts.user": link_finder(accounts_visible_to, "accounts:account-detail")}

TYPES = {"accounts.apitoken": "接口令牌", "accounts.accountsession": "登录会话"}
