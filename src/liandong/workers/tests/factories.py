import random

import factory

from liandong.core.sample_data import id_number, mobile, person_name
from liandong.organizations.tests.factories import OutletFactory
from liandong.workers.models import Worker
from liandong.workers.services import worker_register

_rng = random.Random(7)


class WorkerFactory(factory.Factory):
    """Registers workers through ``worker_register`` (encryption, counts, audit)."""

    class Meta:
        model = Worker

    name = factory.LazyFunction(lambda: person_name(_rng))
    id_number = factory.LazyFunction(lambda: id_number(_rng))
    mobile = factory.LazyFunction(lambda: mobile(_rng))
    employer = factory.SubFactory(OutletFactory)
    occupation = "快递员"
    joined_union_on = None

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> Worker:
        return worker_register(actor=None, **kwargs)  # type: ignore[arg-type]
