"""``liandong setup``: the first union and its first administrator on an empty database."""

import getpass
from pathlib import Path
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from liandong.accounts.models import Role, User
from liandong.core.audit import audit_log
from liandong.organizations.models import Organization
from liandong.organizations.services import organization_create

NOT_EMPTY = (
    "数据库中已有{what}，setup 只用于全新安装，未做任何更改。"
    "请用已有的管理员账号登录，在“账号管理”中添加账号。"
)


class Command(BaseCommand):
    help = (
        "首次安装：在已迁移的空数据库中创建根工会和它的第一位管理员，并打印登录地址。"
        " / First install: create the root union and its first administrator."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--union-name", help="根工会名称，如 甘肃省总工会")
        parser.add_argument("--union-code", help="根工会编码（组织机构唯一编码）")
        parser.add_argument("--city", default=None, help="所在城市")
        parser.add_argument("--admin-username", help="管理员用户名")
        parser.add_argument("--admin-name", help="管理员姓名")
        parser.add_argument(
            "--admin-password", help="管理员密码（脚本中建议用 --admin-password-file）"
        )
        parser.add_argument("--admin-password-file", help="从文件第一行读取管理员密码")
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000", help="站点地址，用于打印登录链接"
        )
        parser.add_argument(
            "--no-input", action="store_true", help="不提问：缺少的参数即报错（供脚本使用）"
        )

    def _ask(self, label: str, value: str | None, no_input: bool, default: str = "") -> str:
        if value:
            return value.strip()
        if no_input:
            if default:
                return default
            raise CommandError(f"缺少参数：{label}（--no-input 时必须用参数给出）")
        while True:
            answer = input(f"{label}{f'（默认 {default}）' if default else ''}：").strip()
            if answer or default:
                return answer or default
            self.stderr.write("不能为空。")

    def _password(self, options: dict[str, Any], username: str) -> str:
        if options["admin_password_file"]:
            path = Path(options["admin_password_file"])
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except OSError as error:
                raise CommandError(f"无法读取密码文件 {path}：{error.strerror}") from error
            password = lines[0] if lines else ""
        elif options["admin_password"]:
            password = options["admin_password"]
        elif options["no_input"]:
            raise CommandError("缺少参数：管理员密码（--admin-password 或 --admin-password-file）")
        else:
            while True:
                password = getpass.getpass("管理员密码：")
                if password != getpass.getpass("再次输入密码："):
                    self.stderr.write("两次输入的密码不一致。")
                    continue
                try:
                    validate_password(password, User(username=username))
                except ValidationError as error:
                    self.stderr.write("；".join(error.messages))
                    continue
                return password
        try:
            validate_password(password, User(username=username))
        except ValidationError as error:
            raise CommandError("管理员密码不符合要求：" + "；".join(error.messages)) from error
        return password

    def handle(self, *args: Any, **options: Any) -> None:
        self._refuse_unless_empty()
        no_input = options["no_input"]
        union_name = self._ask("根工会名称", options["union_name"], no_input)
        union_code = self._ask("根工会编码", options["union_code"], no_input)
        city = self._ask("所在城市", options["city"], no_input, default="-")
        username = self._ask("管理员用户名", options["admin_username"], no_input)
        name = self._ask("管理员姓名", options["admin_name"], no_input)
        password = self._password(options, username)
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError as error:
            raise CommandError("管理员用户名只能包含字母、数字和 @/./+/-/_") from error
        try:
            self._create(union_name, union_code, city, username, name, password)
        except ValidationError as error:
            raise CommandError("无法创建：" + "；".join(error.messages)) from error
        url = options["url"].rstrip("/") + "/accounts/login/"
        self.stdout.write(self.style.SUCCESS(f"已创建根工会“{union_name}”和管理员 {username}。"))
        self.stdout.write(f"登录地址：{url}")
        self.stdout.write("登录后在“账号管理”中为工作人员、成员单位联络员和评委创建账号。")

    @transaction.atomic
    def _create(
        self, union_name: str, union_code: str, city: str, username: str, name: str, password: str
    ) -> None:
        self._refuse_unless_empty()  # nothing appeared while the prompts waited
        if Organization.objects.filter(code=union_code).exists():
            raise CommandError(NOT_EMPTY.format(what=f"编码为 {union_code} 的组织"))
        union = organization_create(
            actor=None,
            name=union_name,
            code=union_code,
            kind=Organization.Kind.UNION,
            level=Organization.Level.PROVINCE,
            city="" if city == "-" else city,
            union_status=Organization.UnionStatus.FOUNDED,
        )
        admin = User.objects.create_user(
            username=username,
            password=password,
            display_name=name,
            role=Role.UNION_ADMIN,
            organization=union,
            managed_by=union,
        )
        audit_log(actor=None, action="accounts.setup", target=admin, target_repr=username)

    def _refuse_unless_empty(self) -> None:
        if Organization.objects.filter(
            parent__isnull=True, kind__in=["union", "federation"]
        ).exists():
            raise CommandError(NOT_EMPTY.format(what="根工会"))
        if User.objects.exists():
            raise CommandError(NOT_EMPTY.format(what="账号"))
