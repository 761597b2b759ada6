"""The worker sign-in page (/accounts/login/worker/, beside the staff one): a code by SMS or
the worker's own password, both checked by ``workers.backends.WorkerMobileBackend``."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from liandong.accounts.forms import WorkerLoginForm
from liandong.accounts.services import login_check
from liandong.core.middleware import client_ip
from liandong.workers.signin import otp_send


def worker_login(request: HttpRequest) -> HttpResponse:
    form = WorkerLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        mobile = form.cleaned_data["mobile"]
        if request.POST.get("action") == "send":
            try:
                otp_send(mobile=mobile, ip=client_ip(request))
            except ValidationError as error:
                form.add_error("mobile", error)
            else:
                messages.info(request, "如果该手机号已登记，验证码已发送，请查收短信。")
        else:
            credentials = (
                {"otp": form.cleaned_data["code"]}
                if form.cleaned_data["code"]
                else {"password": form.cleaned_data["password"]}
            )
            if not any(credentials.values()):
                form.add_error("code", "请输入验证码或密码")
            else:
                try:
                    user = login_check(request=request, username=mobile, **credentials)
                except PermissionDenied as denied:
                    form.add_error(
                        None,
                        "手机号、验证码或密码不正确"
                        if str(denied).startswith("用户名")
                        else str(denied),
                    )
                else:
                    login(request, user)
                    return redirect("workers:me")
    return render(request, "workers/worker_login.html", {"form": form})


app_name = "worker_signin"
urlpatterns = [path("", worker_login, name="login")]
