"""``liandong tick`` jobs of democracy (idempotent)."""

from liandong.democracy.services import CONTRACT_REMINDER_DAYS, contracts_remind


def remind_expiring_contracts(dry_run: bool) -> str:
    contracts = contracts_remind(dry_run=dry_run)
    verb = "将提醒" if dry_run else "已提醒"
    return f"{verb} {len(contracts)} 份集体合同（{CONTRACT_REMINDER_DAYS} 天内到期）"


TICK_JOBS = [("democracy.contract_expiry_reminders", remind_expiring_contracts)]
