"""Menu entries of accounts (core.extensions)."""

from liandong.accounts.models import Role, User
from liandong.accounts.permissions import can_manage_accounts, is_active_user
from liandong.core.extensions import NavItem


def has_own_profile(user: User) -> bool:
    return is_active_user(user) and user.role != Role.WORKER


NAV_ITEMS = [
    NavItem(
        label="账号管理", url_name="accounts:account-list", visible=can_manage_accounts, order=90
    ),
    NavItem(label="个人资料", url_name="accounts:profile", visible=has_own_profile, order=95),
]
