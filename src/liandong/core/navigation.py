"""The main menu as groups: a module's sub-pages under one entry instead of a row of a dozen
and a half. Built from plain entries (label, url, group key, order) so that the accounts
context processor can add its fixed ones to the modules' ``NAV_ITEMS``; base.html renders a
group of one as a link and a larger one as a disclosure (``<details>``) of links."""

from dataclasses import dataclass, field, replace

# Groups whose label is not the label of their first entry.
GROUP_LABELS = {
    "organization": "组织职工",
    "accounts": "系统管理",
}


@dataclass
class Entry:
    label: str
    url: str
    group: str
    order: int = 100
    # Pages under this address mark the entry current (default: its own url).
    prefix: str = ""
    active: bool = False


@dataclass
class Group:
    key: str
    label: str
    items: list[Entry] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return any(item.active for item in self.items)


def menu_groups(entries: list[Entry], path: str) -> list[Group]:
    """``entries`` grouped in the order of their first appearance by ``order``; the entry
    whose address is the longest prefix of ``path`` is marked active (/activities/homes/3/
    is 职工之家, not 服务活动)."""
    ordered = [replace(entry, active=False) for entry in sorted(entries, key=lambda e: e.order)]
    matching = [entry for entry in ordered if path.startswith(entry.prefix or entry.url)]
    if matching:
        max(matching, key=lambda entry: len(entry.prefix or entry.url)).active = True
    groups: dict[str, Group] = {}
    for entry in ordered:
        if entry.group not in groups:
            label = GROUP_LABELS.get(entry.group, entry.label)
            groups[entry.group] = Group(entry.group, label)
        groups[entry.group].items.append(entry)
    return list(groups.values())
