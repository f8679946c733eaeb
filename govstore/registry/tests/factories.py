import datetime
import itertools

import factory

from govstore.accounts.tests.factories import make_resident_id
from govstore.registry.constants import (
    DocumentKind,
    LicenceClass,
    LicenceStatus,
    PlateStatus,
    VehicleStatus,
    VehicleType,
)
from govstore.registry.models import (
    DrivingLicence,
    Person,
    Plate,
    ReplacementRecord,
    Vehicle,
    Violation,
)

# Tests run against a fixed day so date rules are exact.
TODAY = datetime.date(2026, 6, 15)

_plates = itertools.count(10001)
_vins = itertools.count(1)


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person

    id_number = factory.LazyFunction(lambda: make_resident_id(area="370202"))
    name = "孙悦"
    birth_date = datetime.date(1990, 1, 1)


class DrivingLicenceFactory(factory.django.DjangoModelFactory[DrivingLicence]):
    class Meta:
        model = DrivingLicence

    person = factory.SubFactory(PersonFactory)
    number = factory.SelfAttribute("person.id_number")
    issue_serial = 1
    licence_class = LicenceClass.C1
    first_issued_on = datetime.date(2020, 3, 1)
    issued_on = datetime.date(2020, 3, 1)
    valid_until = datetime.date(2029, 3, 1)
    status = LicenceStatus.VALID

    class Params:
        seized = factory.Trait(status=LicenceStatus.SEIZED)
        revoked = factory.Trait(status=LicenceStatus.REVOKED)
        void = factory.Trait(status=LicenceStatus.VOID)
        expired = factory.Trait(valid_until=TODAY - datetime.timedelta(days=1))


class VehicleFactory(factory.django.DjangoModelFactory[Vehicle]):
    """A car with its current plates, inspection due in two months, insured."""

    class Meta:
        model = Vehicle
        skip_postgeneration_save = True

    owner = factory.SubFactory(PersonFactory)
    plate_number = factory.LazyFunction(lambda: f"鲁B{next(_plates)}")
    vin = factory.LazyFunction(lambda: f"LSVTEST{next(_vins):010d}")
    vehicle_type = VehicleType.SMALL_CAR
    make_model = "Volkswagen Lavida"
    registered_on = datetime.date(2018, 8, 15)
    inspection_valid_until = TODAY + datetime.timedelta(days=60)
    insurance_valid_until = TODAY + datetime.timedelta(days=200)
    status = VehicleStatus.NORMAL

    class Params:
        motorcycle = factory.Trait(vehicle_type=VehicleType.MOTORCYCLE)
        deregistered = factory.Trait(status=VehicleStatus.DEREGISTERED)
        seized = factory.Trait(status=VehicleStatus.SEIZED)

    @factory.post_generation
    def current_plates(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted is not False:
            PlateFactory.create(vehicle=self)


class PlateFactory(factory.django.DjangoModelFactory[Plate]):
    class Meta:
        model = Plate

    vehicle = factory.SubFactory(VehicleFactory, current_plates=False)
    number = factory.SelfAttribute("vehicle.plate_number")
    issue_serial = 1
    issued_on = datetime.date(2018, 8, 15)
    status = PlateStatus.CURRENT


class ViolationFactory(factory.django.DjangoModelFactory[Violation]):
    class Meta:
        model = Violation

    vehicle = factory.SubFactory(VehicleFactory)
    occurred_at = datetime.datetime(2026, 5, 1, 8, 30, tzinfo=datetime.UTC)
    place = "青岛市市南区香港中路"
    description_zh = "闯红灯"
    description_en = "Drove through a red light"
    fine_fen = 20000
    points = 6
    cleared_at = None

    class Params:
        cleared = factory.Trait(cleared_at=datetime.datetime(2026, 5, 8, 9, 0, tzinfo=datetime.UTC))


class ReplacementRecordFactory(factory.django.DjangoModelFactory[ReplacementRecord]):
    class Meta:
        model = ReplacementRecord

    person = factory.SubFactory(PersonFactory)
    document = DocumentKind.DRIVING_LICENCE
    reference = factory.SelfAttribute("person.id_number")
    issued_on = TODAY - datetime.timedelta(days=30)
