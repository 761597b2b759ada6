import pytest
from django.test import Client

from liandong.core.tests.client import submit_page_form
from liandong.core.tests.query_counts import ROWS, SIGNED_IN, measure
from liandong.notifications import services
from liandong.notifications.models import Delivery, Message, Preference


def tell(user, n, **kwargs):
    services.notify(
        "notifications.test",
        [user],
        context={"note": f"第{n}条"},
        event_key=f"v{n}",
        link=f"/r/{n}/",
        **kwargs,
    )


@pytest.fixture
def staff(world):
    return world.users["staff_a"]


@pytest.fixture
def browser(staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    return client


def test_inbox_newest_first_with_links_and_the_header_count(world, staff, browser):
    tell(staff, 1)
    tell(staff, 2, urgent=True)
    tell(world.users["staff_b"], 3)
    page = browser.get("/notifications/").content.decode()
    assert page.index("测试消息：第2条") < page.index("测试消息：第1条")
    assert "第3条" not in page
    assert "紧急" in page
    first = Message.objects.get(event_key="v1")
    assert f'href="/notifications/{first.pk}/"' in page
    assert 'aria-label="2 条未读"' in page
    # opening a message follows its link and marks it read
    response = browser.get(f"/notifications/{first.pk}/")
    assert (response.status_code, response["Location"]) == (302, "/r/1/")
    assert 'aria-label="1 条未读"' in browser.get("/notifications/").content.decode()


def test_an_outside_link_is_not_followed(world, staff, browser):
    services.notify(
        "notifications.test", [staff], context={}, event_key="x", link="https://evil.example/"
    )
    message = Message.objects.get()
    assert browser.get(f"/notifications/{message.pk}/")["Location"] == "/notifications/"


def test_mark_one_and_all_read_with_the_pages_forms(world, staff, browser):
    tell(staff, 1)
    tell(staff, 2)
    newest = Message.objects.get(event_key="v2")  # the first row's form
    response = submit_page_form(browser, "/notifications/", {"message": newest.pk})
    assert response.status_code == 302
    newest.refresh_from_db()
    assert newest.read_at is not None
    assert Message.objects.get(event_key="v1").read_at is None
    submit_page_form(browser, "/notifications/", {"all": "1"})
    assert not Message.objects.filter(read_at__isnull=True).exists()
    assert "没有未读消息" in browser.get("/notifications/?unread=1").content.decode()
    # without the page's token: refused, nothing changes
    tell(staff, 3)
    assert (
        submit_page_form(browser, "/notifications/", {"all": "1"}, with_token=False).status_code
        == 403
    )
    assert Message.objects.filter(read_at__isnull=True).count() == 1


def test_preferences_page_saves_the_checkboxes(world, staff, browser):
    page = browser.get("/notifications/preferences/").content.decode()
    assert 'value="notifications.test/email"' in page
    assert "测试消息" in page
    submit_page_form(browser, "/notifications/preferences/", {"on": "notifications.test/sms"})
    assert set(
        Preference.objects.filter(user=staff, kind="notifications.test").values_list(
            "channel", "enabled"
        )
    ) == {("email", False)}
    page = browser.get("/notifications/preferences/").content.decode()
    assert 'value="notifications.test/email" aria-label="测试消息 电子邮件">' in page  # unchecked


def test_failed_deliveries_page_and_retry(world, staff):
    staff.email = "a@example.org"
    staff.save(update_fields=["email"])
    tell(staff, 1, organization_id=world.union_a.pk)
    tell(staff, 2, organization_id=world.union_b.pk)
    Delivery.objects.update(status="failed", last_error="SMTP 拒收")
    mine = Delivery.objects.get(event_key="v1")
    admin = Client(enforce_csrf_checks=True)
    admin.force_login(world.users["admin_a"])
    page = admin.get("/notifications/deliveries/").content.decode()
    assert "SMTP 拒收" in page
    assert "测试消息：第1条" in page
    assert "第2条" not in page
    response = submit_page_form(admin, "/notifications/deliveries/", {"delivery": mine.pk})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status in ("pending", "sent")


@pytest.mark.parametrize("rows", ROWS)
def test_inbox_queries(world, staff, browser, rows, django_assert_num_queries):
    for n in range(rows):
        tell(staff, n)
    # the page of messages (one SELECT)
    response = measure(browser, "/notifications/", SIGNED_IN + 1, django_assert_num_queries)
    assert response.content.decode().count("测试消息：") == rows


# -- group robots -------------------------------------------------------------------------------


@pytest.fixture
def admin_browser(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["admin_a"])
    return client


def test_an_admin_adds_a_robot_to_its_organization_with_a_sealed_secret(world, admin_browser):
    from liandong.core import crypto
    from liandong.core.models import AuditLog
    from liandong.notifications.models import WebhookEndpoint

    refused = submit_page_form(
        admin_browser,
        "/notifications/webhooks/",
        {"name": "联络员工作群", "url": "ftp://robot.example.invalid/x"},
    )
    assert refused.status_code == 200
    assert "Webhook 地址" in refused.content.decode()
    assert not WebhookEndpoint.objects.exists()
    page = admin_browser.get("/notifications/webhooks/").content.decode()
    assert 'name="kinds" value="demands.routed"' in page  # the boxes the admin ticks
    done = admin_browser.post(
        "/notifications/webhooks/",
        {
            "csrfmiddlewaretoken": admin_browser.cookies["csrftoken"].value,
            "name": "联络员工作群",
            "flavor": "dingtalk",
            "url": "https://oapi.dingtalk.example.invalid/robot/send?access_token=t",
            "keyword": "",
            "secret": "SEC123",
            "kinds": ["demands.routed", "demands.escalated"],
        },
    )
    assert done.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.organization == world.union_a
    assert endpoint.kinds == ["demands.escalated", "demands.routed"]
    assert crypto.decrypt(endpoint.secret_cipher) == "SEC123"
    page = admin_browser.get("/notifications/webhooks/").content.decode()
    assert "联络员工作群" in page
    assert "诉求派至本单位" in page  # the kinds by their labels
    assert "SEC123" not in page
    assert AuditLog.objects.filter(action="notifications.webhook_created").exists()


def test_a_disabled_robot_hears_no_new_event_and_another_organizations_is_404(world, admin_browser):
    from liandong.notifications.models import WebhookEndpoint

    mine = WebhookEndpoint.objects.create(
        organization=world.union_a, name="甲群", url="https://robot.example.invalid/a"
    )
    theirs = WebhookEndpoint.objects.create(
        organization=world.union_b, name="乙群", url="https://robot.example.invalid/b"
    )
    page = admin_browser.get("/notifications/webhooks/").content.decode()
    assert "甲群" in page
    assert "乙群" not in page
    token = admin_browser.cookies["csrftoken"].value
    answer = admin_browser.post(
        f"/notifications/webhooks/{theirs.pk}/disable/", {"csrfmiddlewaretoken": token}
    )
    assert answer.status_code == 404
    answer = admin_browser.post(
        f"/notifications/webhooks/{mine.pk}/disable/", {"csrfmiddlewaretoken": token}
    )
    assert answer.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.is_active, theirs.is_active) == (False, True)
    services.notify(
        "notifications.test",
        [],
        context={"note": "停用后"},
        event_key="after-disable",
        organizations=[world.union_a.pk],
    )
    assert not Delivery.objects.filter(event_key="after-disable").exists()


@pytest.mark.parametrize("rows", ROWS)
def test_robot_list_queries(world, admin_browser, rows, django_assert_num_queries):
    from liandong.notifications.models import WebhookEndpoint

    WebhookEndpoint.objects.bulk_create(
        WebhookEndpoint(
            organization=world.union_a, name=f"群{n}", url=f"https://robot.example.invalid/{n}"
        )
        for n in range(rows)
    )
    # the organization (the header) and the robots (one SELECT)
    response = measure(
        admin_browser, "/notifications/webhooks/", SIGNED_IN + 1, django_assert_num_queries
    )
    assert response.content.decode().count("robot-row") == rows


def test_an_activity_page_shows_its_managers_who_was_told(world, browser):
    """The record's page, through its own object (``{% delivery_status activity %}``): the
    SMS and inbox rows of notices about it, to its managers only."""
    from liandong.activities.tests.factories import make_activity
    from liandong.notifications.templatetags.notifications_status import target_of

    activity = make_activity(world.union_a)
    assert target_of(activity) == f"activities.activity:{activity.pk}"
    tell(
        world.users["admin_a"],
        1,
        target=target_of(activity),
        mobiles=["13919318888"],
    )
    page = browser.get(f"/activities/{activity.pk}/").content.decode()
    assert "消息送达情况" in page
    assert "站内消息 1 条" in page
    assert "139****8888" in page  # masked, as everywhere
    worker = Client(enforce_csrf_checks=True)
    worker.force_login(world.users["worker_a"])
    assert "消息送达情况" not in worker.get(f"/activities/{activity.pk}/").content.decode()
