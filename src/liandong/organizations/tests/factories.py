import factory

from liandong.organizations.models import Organization
from liandong.organizations.services import organization_create


class OrganizationFactory(factory.Factory):
    """Builds organizations through ``organization_create`` so that paths are real."""

    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试单位{n}")
    code = factory.Sequence(lambda n: f"T-{n:05d}")
    kind = Organization.Kind.UNION
    parent = None
    city = "兰州"
    industry = ""
    union_status = Organization.UnionStatus.NONE

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> Organization:
        return organization_create(actor=None, **kwargs)  # type: ignore[arg-type]


class UnionFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"测试工会{n}")
    kind = Organization.Kind.UNION


class EnterpriseFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"测试快递公司{n}")
    kind = Organization.Kind.ENTERPRISE
    parent = factory.SubFactory(UnionFactory)
    industry = "快递"
    union_status = Organization.UnionStatus.FOUNDED


class OutletFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"测试网点{n}")
    kind = Organization.Kind.OUTLET
    parent = factory.SubFactory(EnterpriseFactory)
    industry = "快递"
