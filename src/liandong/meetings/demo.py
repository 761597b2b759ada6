"""The seed's two mechanisms of 甘肃省经贸工会 (see DESIGN.md, "Demo scenario"): the courier
mechanism with 省邮政管理局 and 省快递协会 (three meetings in 2026: 思想政治引领, 权益保障,
技能提升) and the beauty mechanism with 省美发美容工联会 and 省美容美发协会 (two meetings), with
their annual plans and action items, some done and some overdue. Written through the services,
so that the audit log tells the same story; history is then dated back."""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from liandong.meetings import services
from liandong.meetings.models import (
    ActionItem,
    CollaborationMode,
    Mechanism,
    Meeting,
    ProgressReport,
)
from liandong.notifications.services import muted

ZONE = ZoneInfo("Asia/Shanghai")

COURIER = {
    "name": "甘肃省快递行业联席会议",
    "industry": "快递",
    "mode": CollaborationMode.AUTHORITY,
    "members": [
        ("GS-YZJ", "孙立新", "市场监管处处长"),
        ("GS-KDXH", "何永平", "秘书长"),
        ("LZ-KDGL", "马小军", "副主席"),
    ],
    "description": "省经贸工会会同省邮政管理局、省快递协会，每季度召开一次联席会议，"
    "聚焦快递员思想政治引领、权益保障、技能提升，形成“年初议计划、年中抓落实、年末促总结”的闭环。",
    "plan": "围绕快递员“急难愁盼”，全年召开联席会议4次，重点推进集中建会、疗休养、节日慰问和技能提升。",
    "planned": [(3, "思想政治引领"), (6, "权益保障"), (9, "技能提升"), (12, "年度总结")],
    "targets": [
        ("疗休养", "GS-JMGH", 40, "人", 40, "甘南草原6天免费疗休养"),
        ("头部快递企业新建工会", "LZ-KDGL", 9, "家", 9, "依托兰州快递业工会联合会集中建会"),
        ("双十一 慰问快递员", "GS-JMGH", 2000, "人", 1350, "双十一、春节节点慰问"),
        ("选派骑手参加全国网约配送员技能竞赛", "GS-KDXH", 3, "人", 3, ""),
    ],
    "meetings": [
        (
            "2026年第一次联席会议",
            "思想政治引领",
            date(2026, 3, 12),
            "GS-JMGH",
            "省经贸工会三楼会议室",
            [
                (
                    "开展“党的创新理论进网点”宣讲，覆盖全省主要快递分拨中心和加盟网点。",
                    "GS-KDXH",
                    ["GS-JMGH"],
                    date(2026, 6, 30),
                    "宣讲 20 场",
                    None,
                    [
                        (40, "已在兰州、天水完成宣讲 8 场。"),
                        (100, "全年宣讲 22 场，覆盖快递员 3100 余人次。"),
                    ],
                ),
                (
                    "依托兰州快递业工会联合会，推动 9 家头部快递企业集中建会，并向加盟网点延伸。",
                    "LZ-KDGL",
                    ["GS-YZJ"],
                    date(2026, 7, 31),
                    "9 家企业建会",
                    "头部快递企业新建工会",
                    [
                        (60, "顺丰、中通、圆通等 6 家已完成建会。"),
                        (100, "9 家头部快递企业全部建会，网点覆盖持续推进。"),
                    ],
                ),
                (
                    "选派优秀骑手参加全国网约配送员技能竞赛。",
                    "GS-KDXH",
                    [],
                    date(2026, 8, 31),
                    "选派 3 人",
                    "选派骑手参加全国网约配送员技能竞赛",
                    [(100, "已选派 3 名骑手参赛。")],
                ),
            ],
        ),
        (
            "2026年第二次联席会议",
            "权益保障",
            date(2026, 6, 18),
            "GS-YZJ",
            "省邮政管理局会议室",
            [
                (
                    "组织 40 名快递员赴甘南开展为期 6 天的免费疗休养。",
                    "GS-JMGH",
                    ["GS-YZJ", "GS-KDXH"],
                    date(2026, 8, 31),
                    "40 人疗休养",
                    "疗休养",
                    [
                        (50, "名额已分配到各企业，人员已确定。"),
                        (100, "40 名快递员完成甘南 6 天疗休养。"),
                    ],
                ),
                (
                    "推动快递企业将末端派费保障、工龄工资纳入集体协商。",
                    "GS-YZJ",
                    ["GS-KDXH", "LZ-KDGL"],
                    date(2026, 10, 31),
                    "形成行业集体协商要点",
                    None,
                    [(30, "已召开 2 次企业座谈会。"), (60, "协商要点初稿已征求企业意见。")],
                ),
                (
                    "将工会服务延伸至加盟网点末梢，新增网点覆盖。",
                    "LZ-KDGL",
                    ["GS-KDXH"],
                    date(2026, 11, 15),
                    "网点覆盖率达到 80%",
                    None,
                    [(70, "新增覆盖网点 31 个。")],
                ),
            ],
        ),
        (
            "2026年第三次联席会议",
            "技能提升",
            date(2026, 9, 10),
            "GS-KDXH",
            "省快递协会培训中心",
            [
                (
                    "开展快递员职业技能培训。",
                    "GS-KDXH",
                    ["GS-JMGH"],
                    date(2026, 12, 31),
                    "培训 500 人次",
                    None,
                    [(45, "已举办 4 期，培训 226 人次。")],
                ),
                (
                    "在“双十一”期间为一线快递员送去慰问。",
                    "GS-JMGH",
                    ["GS-YZJ", "GS-KDXH"],
                    date(2026, 11, 30),
                    "慰问 2000 人",
                    "双十一 慰问快递员",
                    [(80, "慰问品已发放至 1350 名快递员。")],
                ),
                (
                    "推荐快递行业先进典型参评全国劳模。",
                    "GS-YZJ",
                    ["GS-JMGH"],
                    date(2026, 10, 15),
                    "推荐人选 1 名",
                    None,
                    [(100, "已按程序推荐 1 名快递员。")],
                ),
            ],
        ),
    ],
    "upcoming": (
        "2026年第四次联席会议（年度总结）",
        "年度总结",
        date(2026, 12, 16),
        "GS-JMGH",
        "省经贸工会三楼会议室",
    ),
}

BEAUTY = {
    "name": "甘肃省美发美容行业联席会议",
    "industry": "美发美容",
    "mode": CollaborationMode.FEDERATION,
    "members": [("GS-MFGL", "", "秘书长"), ("GS-MRXH", "", "会长")],
    "description": "针对美发美容从业者分散、组织化程度低的特点，共商解决行业职工实际困难、创新服务路径。",
    "plan": "组建行业工会联合会，策划“爱心义剪”公益活动，推动门店建会和技能培训。",
    "planned": [(4, "行业工会组建与服务路径"), (8, "行业职工实际困难")],
    "targets": [
        ("“爱心义剪”惠及群众", "GS-MFGL", 300, "人", 320, "走进社区、工地、养老院"),
        ("美发美容门店新建工会", "GS-MRXH", 10, "家", 4, ""),
        ("美发技师技能培训", "GS-MRXH", 2, "期", 0, ""),
    ],
    "meetings": [
        (
            "2026年第一次联席会议",
            "行业工会组建与服务路径",
            date(2026, 4, 22),
            "GS-JMGH",
            "省经贸工会二楼会议室",
            [
                (
                    "策划“爱心义剪”公益活动，组织技师走进社区、工地、养老院。",
                    "GS-MFGL",
                    ["GS-MRXH"],
                    date(2026, 9, 30),
                    "惠及群众 300 人以上",
                    "“爱心义剪”惠及群众",
                    [(50, "已在城关区 3 个社区开展。"), (100, "共开展 9 场，惠及群众 320 人。")],
                ),
                (
                    "推动美发美容门店建立工会，吸纳从业者入会。",
                    "GS-MRXH",
                    ["GS-MFGL"],
                    date(2026, 10, 31),
                    "新建门店工会 10 家",
                    "美发美容门店新建工会",
                    [(40, "已建会 4 家。")],
                ),
            ],
        ),
        (
            "2026年第二次联席会议",
            "行业职工实际困难",
            date(2026, 8, 20),
            "GS-MFGL",
            "兰州丝域养发馆培训室",
            [
                (
                    "开展美发技师技能培训 2 期。",
                    "GS-MRXH",
                    ["GS-JMGH"],
                    date(2026, 12, 20),
                    "培训 2 期",
                    "美发技师技能培训",
                    [],
                ),
                (
                    "建立美发美容从业者诉求收集渠道。",
                    "GS-MFGL",
                    ["GS-MRXH"],
                    date(2026, 10, 20),
                    "诉求收集渠道上线",
                    None,
                    [(50, "协会微信群收集渠道已建立，线上渠道开发中。")],
                ),
            ],
        ),
    ],
    "upcoming": None,
}


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=ZONE)


def _load_mechanism(spec: dict[str, Any], orgs: dict[str, Any]) -> None:
    if Mechanism.objects.filter(name=spec["name"]).exists():
        return
    convener = orgs["GS-JMGH"]
    mechanism = services.mechanism_create(
        actor=None,
        name=spec["name"],
        industry=spec["industry"],
        convening_union=convener,
        collaboration_mode=spec["mode"],
        description=spec["description"],
    )
    for code, liaison, title in spec["members"]:
        services.mechanism_member_add(
            actor=None,
            mechanism=mechanism,
            organization=orgs[code],
            liaison_name=liaison,
            liaison_title=title,
        )
    plan = services.plan_ensure(actor=None, mechanism=mechanism, year=2026)
    services.plan_update(actor=None, plan=plan, summary=spec["plan"])
    for month, topic in spec["planned"]:
        services.planned_meeting_add(actor=None, plan=plan, month=month, topic=topic)
    targets = {}
    for title, lead, value, unit, achieved, note in spec["targets"]:
        target = services.plan_target_add(
            actor=None,
            plan=plan,
            title=title,
            lead_body=orgs[lead],
            target_value=value,
            unit=unit,
            note=note,
        )
        services.plan_target_record(actor=None, target=target, achieved_value=achieved)
        targets[title] = target
    for index, (title, topic, day, host, place, resolutions) in enumerate(spec["meetings"]):
        meeting = services.meeting_schedule(
            actor=None,
            mechanism=mechanism,
            title=title,
            topic=topic,
            starts_at=_at(day),
            location=place,
            host_body=orgs[host],
        )
        services.agenda_item_add(actor=None, meeting=meeting, title=f"研究{topic}工作")
        if index == 0:
            services.agenda_item_add(
                actor=None, meeting=meeting, title="审议2026年度工作计划", kind="plan"
            )
        # History: the notice went out a week before the meeting.
        Meeting.objects.filter(pk=meeting.pk).update(
            status=Meeting.Status.NOTIFIED, notified_at=_at(day - timedelta(days=7))
        )
        meeting.refresh_from_db()
        services.meeting_mark_held(actor=None, meeting=meeting, held_on=day)
        services.meeting_record_attendance(
            actor=None,
            meeting=meeting,
            present=dict.fromkeys(mechanism.member_organization_ids(), ""),
        )
        if index == 0:
            services.plan_approve(actor=None, plan=plan, meeting=meeting)
        minutes = [
            f"{day.year}年{day.month}月{day.day}日，{mechanism.name}在{place}召开{title}，"
            f"围绕“{topic}”进行协商。会议议定以下事项："
        ]
        for number, (text, lead, co, deadline, output, target, reports) in enumerate(
            resolutions, 1
        ):
            minutes.append(f"{number}. {text}")
            item = services.resolution_record(
                actor=None,
                meeting=meeting,
                resolution=text,
                lead_body=orgs[lead],
                co_bodies=[orgs[c] for c in co],
                deadline=deadline,
                expected_output=output,
                target=targets.get(target) if target else None,
            )
            for step, (percent, report) in enumerate(reports):
                services.action_item_report(actor=None, item=item, percent=percent, text=report)
                when = min(
                    _at(day + timedelta(days=30 * (step + 1)), 16), _at(date(2026, 11, 20), 16)
                )
                ProgressReport.objects.filter(action_item=item, percent=percent).update(
                    created_at=when, organization=item.lead_body
                )
                if percent == 100:
                    ActionItem.objects.filter(pk=item.pk).update(
                        completed_on=min(when.date(), deadline)
                    )
        services.meeting_save_minutes(actor=None, meeting=meeting, minutes="\n".join(minutes))
        services.meeting_publish_minutes(actor=None, meeting=meeting)
        Meeting.objects.filter(pk=meeting.pk).update(
            minutes_published_at=_at(day + timedelta(days=3), 17)
        )
    if spec["upcoming"]:
        title, topic, day, host, place = spec["upcoming"]
        meeting = services.meeting_schedule(
            actor=None,
            mechanism=mechanism,
            title=title,
            topic=topic,
            starts_at=_at(day, 14),
            location=place,
            host_body=orgs[host],
        )
        services.agenda_item_add(actor=None, meeting=meeting, title="通报2026年度工作计划完成情况")
        services.agenda_item_add(actor=None, meeting=meeting, title="研究2027年度工作计划")


def load(ctx: dict[str, Any]) -> None:
    # The replay of the past tells nobody (no SMS to the demo's made-up numbers).
    with muted():
        _load(ctx)


def _load(ctx: dict[str, Any]) -> None:
    orgs = ctx["orgs"]
    for spec in (COURIER, BEAUTY):
        _load_mechanism(spec, orgs)
    # Overdue items onto the next draft agenda, as `liandong tick` would (idempotent).
    services.overdue_to_agenda()
