"""Pages of the notifications app: the inbox, its read marks, the channel choices, and the
admins' list of failed deliveries. Every page asks permissions.py."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from liandong.core.forms import form_add_service_error
from liandong.core.paging import page_by_id
from liandong.notifications import services
from liandong.notifications.forms import WebhookForm
from liandong.notifications.kinds import OPTIONAL_CHANNELS, all_kinds
from liandong.notifications.models import Channel, Delivery, Preference
from liandong.notifications.permissions import (
    can_manage_deliveries,
    can_manage_webhooks,
    can_use_inbox,
    deliveries_visible_to,
    messages_visible_to,
    webhooks_visible_to,
)


def _cursor(request: HttpRequest) -> int | None:
    raw = request.GET.get("cursor", "")
    return int(raw) if raw.isdigit() else None


def _safe_link(request: HttpRequest, link: str) -> str:
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return link
    return ""


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    if not can_use_inbox(request.user):
        raise PermissionDenied
    unread_only = request.GET.get("unread") == "1"
    queryset = messages_visible_to(request.user)
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    page = page_by_id(queryset, cursor=_cursor(request))
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "unread_only": unread_only},
    )


@login_required
def message_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a message's link; opening it marks it read (a GET that only records the read)."""
    message = get_object_or_404(messages_visible_to(request.user), pk=pk)
    services.message_mark_read(user=request.user, message=message)  # type: ignore[arg-type]
    link = _safe_link(request, message.link)
    return HttpResponseRedirect(link or "/notifications/")


@login_required
@require_POST
def message_read(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(messages_visible_to(request.user), pk=pk)
    services.message_mark_read(user=request.user, message=message)  # type: ignore[arg-type]
    return redirect("notifications:inbox")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    if not can_use_inbox(request.user):
        raise PermissionDenied
    count = services.messages_mark_all_read(user=request.user)
    flash.success(request, f"已将 {count} 条消息标为已读。" if count else "没有未读消息。")
    return redirect("notifications:inbox")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_use_inbox(user):
        raise PermissionDenied
    kinds = sorted(all_kinds().values(), key=lambda k: k.key)
    if request.method == "POST":
        enabled = set()
        for value in request.POST.getlist("on"):
            kind_key, _, channel = value.partition("/")
            enabled.add((kind_key, channel))
        changed = services.preferences_set(user=user, enabled=enabled, kinds=kinds)
        flash.success(request, f"已保存（{changed} 项改动）。" if changed else "没有改动。")
        return redirect("notifications:preferences")
    stored = {
        (kind_key, channel): on
        for kind_key, channel, on in Preference.objects.filter(user=user).values_list(
            "kind", "channel", "enabled"
        )
    }
    rows = []
    for kind_ in kinds:
        cells = []
        for channel in OPTIONAL_CHANNELS:
            available = not (channel == Channel.SMS and not kind_.sms)
            cells.append(
                {
                    "value": f"{kind_.key}/{channel}",
                    "label": Channel(channel).label,
                    "available": available,
                    "checked": available
                    and stored.get((kind_.key, channel), channel in kind_.defaults),
                }
            )
        rows.append({"label": kind_.label, "cells": cells})
    channels = [Channel(c).label for c in OPTIONAL_CHANNELS]
    return render(request, "notifications/preferences.html", {"rows": rows, "channels": channels})


@login_required
def delivery_list(request: HttpRequest) -> HttpResponse:
    if not can_manage_deliveries(request.user):
        raise PermissionDenied
    status = request.GET.get("status", Delivery.Status.FAILED)
    if status not in Delivery.Status.values:
        status = Delivery.Status.FAILED
    queryset = (
        deliveries_visible_to(request.user)
        .filter(status=status)
        .select_related("recipient", "endpoint", "organization")
    )
    page = page_by_id(queryset, cursor=_cursor(request))
    return render(
        request,
        "notifications/delivery_list.html",
        {
            "page": page,
            "status": status,
            "statuses": [
                (value, label)
                for value, label in Delivery.Status.choices
                if value != Delivery.Status.PENDING
            ],
        },
    )


@login_required
@require_POST
def delivery_retry(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_manage_deliveries(request.user):
        raise PermissionDenied
    delivery = get_object_or_404(deliveries_visible_to(request.user), pk=pk)
    before = delivery.status
    delivery = services.delivery_retry(actor=request.user, delivery=delivery)
    if delivery.status == before:
        flash.error(request, "只有发送失败或未发送的消息可以重发。")
    else:
        flash.success(request, "已重新排队发送。")
    return redirect(f"/notifications/deliveries/?status={before}")


@login_required
def webhook_list(request: HttpRequest) -> HttpResponse:
    """The organization's group robots, and a form to add one (union admins)."""
    user = request.user
    if not can_manage_webhooks(user):
        raise PermissionDenied
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.webhook_endpoint_create(actor=user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            flash.success(request, f"已添加群机器人“{endpoint.name}”。")
            return redirect("notifications:webhook-list")
    labels = {key: kind_.label for key, kind_ in all_kinds().items()}
    endpoints = [
        (endpoint, [labels.get(key, key) for key in endpoint.kinds])
        for endpoint in webhooks_visible_to(user).order_by("-is_active", "name", "pk")
    ]
    return render(
        request,
        "notifications/webhook_list.html",
        {"form": form, "endpoints": endpoints, "organization": user.organization},
    )


def _webhook_set_active(request: HttpRequest, pk: int, *, active: bool) -> HttpResponse:
    if not can_manage_webhooks(request.user):
        raise PermissionDenied
    endpoint = get_object_or_404(webhooks_visible_to(request.user), pk=pk)
    services.webhook_endpoint_set_active(actor=request.user, endpoint=endpoint, active=active)
    flash.success(request, f"已{'启用' if active else '停用'}群机器人“{endpoint.name}”。")
    return redirect("notifications:webhook-list")


@login_required
@require_POST
def webhook_disable(request: HttpRequest, pk: int) -> HttpResponse:
    return _webhook_set_active(request, pk, active=False)


@login_required
@require_POST
def webhook_enable(request: HttpRequest, pk: int) -> HttpResponse:
    return _webhook_set_active(request, pk, active=True)
