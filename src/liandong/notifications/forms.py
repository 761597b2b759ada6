from django import forms

from liandong.notifications.kinds import all_kinds
from liandong.notifications.models import WebhookEndpoint


class WebhookForm(forms.Form):
    name = forms.CharField(label="名称", max_length=60, help_text="例如“联络员工作群”")
    flavor = forms.ChoiceField(
        label="类型", choices=WebhookEndpoint.Flavor.choices, initial=WebhookEndpoint.Flavor.WECOM
    )
    url = forms.CharField(
        label="Webhook 地址", max_length=500, help_text="在群机器人设置中复制，以 https:// 开头"
    )
    keyword = forms.CharField(
        label="关键词",
        max_length=40,
        required=False,
        help_text="钉钉机器人设置了“自定义关键词”时填写",
    )
    secret = forms.CharField(
        label="加签密钥",
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="钉钉、飞书机器人启用“加签”时填写；加密保存，不再显示",
    )
    kinds = forms.MultipleChoiceField(
        label="推送的消息",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="不选：推送本单位的全部消息",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["kinds"]
        if isinstance(field, forms.ChoiceField):
            field.choices = [
                (kind_.key, kind_.label)
                for kind_ in sorted(all_kinds().values(), key=lambda k: k.key)
                if kind_.webhook
            ]
