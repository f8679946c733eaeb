import itertools

import factory

from govstore.stores.constants import AgencyKind
from govstore.stores.models import Agency, Region, Store

_codes = itertools.count(110100)


def national_region() -> Region:
    region, _created = Region.objects.get_or_create(
        code="000000", defaults={"name_zh": "全国", "name_en": "National"}
    )
    return region


class RegionFactory(factory.django.DjangoModelFactory[Region]):
    """A city under its own province under the national region, unless told otherwise."""

    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.LazyFunction(lambda: str(next(_codes)))
    name_zh = factory.Sequence(lambda n: f"测试市{n}")
    name_en = factory.Sequence(lambda n: f"Test City {n}")
    parent = factory.LazyFunction(national_region)


class AgencyFactory(factory.django.DjangoModelFactory[Agency]):
    class Meta:
        model = Agency

    kind = AgencyKind.VEHICLE_ADMINISTRATION
    name_zh = factory.Sequence(lambda n: f"测试车管所{n}")
    name_en = factory.Sequence(lambda n: f"Test Vehicle Administration {n}")
    region = factory.SubFactory(RegionFactory)

    class Params:
        court = factory.Trait(
            kind=AgencyKind.COURT,
            name_zh=factory.Sequence(lambda n: f"测试法院{n}"),
            name_en=factory.Sequence(lambda n: f"Test Court {n}"),
        )
        supervisory = factory.Trait(kind=AgencyKind.SUPERVISORY_AUTHORITY)


class StoreFactory(factory.django.DjangoModelFactory[Store]):
    class Meta:
        model = Store

    agency = factory.SubFactory(AgencyFactory)
    slug = factory.Sequence(lambda n: f"store-{n}")
    name_zh = factory.Sequence(lambda n: f"测试网店{n}")
    name_en = factory.Sequence(lambda n: f"Test Store {n}")
    description_zh = "测试网店简介。"
    description_en = "A store for tests."
    service_hours_zh = "周一至周五 9:00–17:00"
    service_hours_en = "Monday to Friday, 9:00–17:00"
    contact_phone = "0532-12345678"
    address_zh = "测试地址"
    address_en = "Test address"

    class Params:
        closed = factory.Trait(is_open=False)
        court = factory.Trait(agency=factory.SubFactory(AgencyFactory, court=True))
