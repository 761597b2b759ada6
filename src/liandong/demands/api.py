from ninja import Router

router = Router(tags=["职工诉求"])
# Worker-facing, no login: mounted at /api/v1/public/demands (every operation passes auth=None).
public_router = Router(tags=["职工诉求（公开）"])
