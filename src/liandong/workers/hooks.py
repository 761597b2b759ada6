"""What the workers app offers other apps (see core/extensions.py)."""

from liandong.workers.services import honour_titles


def worker_honours(worker_ids: list[int]) -> dict[int, list[str]]:
    """Honours in the worker's register (全国劳模, 工匠, 最美快递员, 受邀观礼…), for priority tiers."""
    return honour_titles(worker_ids)
