"""How the audit log names what is done to notifications (collected by core.audit)."""

APP_NAME = "消息通知"

ACTIONS = {
    "notifications.delivery_retried": "重新发送通知",
    "notifications.preferences_set": "设置通知方式",
    "notifications.webhook_created": "新建推送地址",
    "notifications.webhook_enabled": "启用推送地址",
    "notifications.webhook_disabled": "停用推送地址",
}

TYPES = {
    "notifications.delivery": "通知发送记录",
    "notifications.preference": "通知方式",
    "notifications.webhookendpoint": "推送地址",
}
