from ninja import Router

router = Router(tags=["联席会议"])
