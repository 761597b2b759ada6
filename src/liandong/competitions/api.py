from ninja import Router

router = Router(tags=["技能竞赛"])
