"""What training offers other apps (see core/extensions.py)."""

from dataclasses import replace

from liandong.core.extensions import Figure, NavItem, Rollup
from liandong.organizations.models import Organization
from liandong.training import rollups
from liandong.training.permissions import is_training_staff
from liandong.training.selectors import figures_for, figures_url

# Under 民主管理 (the group of democracy's entries): the delegates trained are congress delegates.
NAV_ITEMS = [
    NavItem(
        label="讲师团与培训",
        url_name="training:home",
        visible=is_training_staff,
        order=62,
        group="democracy",
    ),
    NavItem(
        label="指导资料库",
        url_name="training:library",
        visible=is_training_staff,
        order=63,
        group="democracy",
    ),
]


def year_figures(organization: Organization, year: int) -> list[Figure]:
    f = figures_for(organization=organization, year=year, by_union=False)
    url = figures_url(organization, year)
    figures = [
        Figure(section="民主管理", label="职工代表培训场次", value=f.sessions, unit="场", url=url),
        Figure(
            section="民主管理", label="职工代表参训人次", value=f.attendances, unit="人次", url=url
        ),
        Figure(section="民主管理", label="参训职工代表", value=f.delegates, unit="人", url=url),
    ]
    return [replace(figure, opens_for=is_training_staff) for figure in figures]


ROLLUPS = [
    Rollup(
        name="DelegateAreaRollup",
        rebuild=rollups.rebuild,
        matches=lambda: rollups.stored() == rollups.computed(),
    )
]


subtree_moved = rollups.move_area
