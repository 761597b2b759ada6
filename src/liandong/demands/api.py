from ninja import Router

router = Router(tags=["职工诉求"])
