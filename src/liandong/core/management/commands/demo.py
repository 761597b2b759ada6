import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from liandong.core.demo import demo_load


class Command(BaseCommand):
    help = "Migrate, load the demo scenario, print one login per role, and serve on 127.0.0.1."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="Load the data and stop.")

    def handle(self, *args: object, port: int, no_serve: bool, **options: object) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        ctx = demo_load()
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。登录账号（每个角色一个）："))
        width = max(len(login[1]) for login in ctx["logins"])
        for role, username, password, where in ctx["logins"]:
            self.stdout.write(f"  {role:<8}  {username:<{width}}  密码 {password}  {where}")
        if ctx["more_logins"]:
            self.stdout.write("各模块的演示场景另有账号（密码同上）：")
            for module, who in ctx["more_logins"]:
                self.stdout.write(f"  {module}：{who}")
        self.stdout.write(f"工作人员登录： http://127.0.0.1:{port}/accounts/login/")
        outbox = (
            f"（验证码写入 {settings.LIANDONG_SMS_FILE}）"
            if "File" in settings.LIANDONG_SMS_BACKEND
            else ""
        )
        self.stdout.write(
            f"职工手机号登录：http://127.0.0.1:{port}/accounts/login/worker/ {outbox}"
        )
        self.stdout.write(
            f"邮件写入 {settings.EMAIL_FILE_PATH}/，短信写入 {settings.LIANDONG_SMS_FILE}"
            "；后台任务（消息发送、定时任务）由随演示启动的 liandong worker 执行。"
        )
        if not no_serve:
            self.start_worker()
            call_command("serve", port=port)

    def start_worker(self) -> None:
        """One ``liandong worker`` beside the server, so that the demo really delivers. It
        stops when this process (gunicorn, after serve's exec) ends: --exit-with-parent."""
        # The demo's mail goes to files in the data dir (the worker and gunicorn inherit it).
        os.environ.setdefault(
            "LIANDONG_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
        )
        subprocess.Popen(
            [sys.executable, "-m", "liandong", "worker", "--exit-with-parent"],
            env={**os.environ},
        )
