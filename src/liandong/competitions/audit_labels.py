"""How the audit log names what is done in skill competitions (collected by core.audit)."""

from liandong.competitions.permissions import contests_visible_to
from liandong.core.audit import link_finder

APP_NAME = "技能竞赛"

ACTIONS = {
    "competitions.contest_created": "新建竞赛",
    "competitions.contest_updated": "修改竞赛",
    "competitions.contest_back_entered": "补录竞赛",
    "competitions.round_created": "新建赛段",
    "competitions.segment_created": "新建比赛环节",
    "competitions.prize_tier_created": "设置奖项",
    "competitions.judge_assigned": "分配评委",
    "competitions.entrant_registered": "报名参赛",
    "competitions.team_registered": "报名代表队",
    "competitions.entrant_reviewed": "审核参赛报名",
    "competitions.order_drawn": "抽签确定出场顺序",
    "competitions.order_assigned": "指定出场顺序",
    "competitions.sheets_saved": "暂存评分",
    "competitions.sheets_submitted": "提交并锁定评分",
    "competitions.sheet_corrected": "裁判长更正分数",
    "competitions.round_advanced": "确认晋级",
    "competitions.prizes_awarded": "评定奖项",
    "competitions.prizes_reopened": "撤回奖项评定",
    "competitions.results_published": "公示成绩",
    "competitions.entrant_nominated": "推荐参加上级竞赛",
}

FIELDS = {
    "scores": "分数（按出场顺序）",
    "entries": "选手人数",
    "prizes": "奖项人数",
    "team_prizes": "团体奖项",
    "decision": "审核结果",
    "seed": "抽签种子",
    "contest": "竞赛",
    "team": "代表队",
    "judge": "评委",
    "worker": "职工",
    "approve": "通过",
}

LINKS = {"competitions.contest": link_finder(contests_visible_to, "competitions:contest-detail")}

# Record types whose models carry no Chinese name.
TYPES = {
    "competitions.round": "赛段",
    "competitions.segment": "比赛环节",
    "competitions.judgeassignment": "评委分配",
    "competitions.team": "代表队",
    "competitions.entrant": "参赛选手",
    "competitions.roundentry": "赛段选手",
    "competitions.scoresheet": "评分表",
    "competitions.prizetier": "奖项设置",
}
