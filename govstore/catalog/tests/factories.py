import datetime
import itertools
from typing import Any

import factory

from govstore.catalog.constants import FieldType
from govstore.catalog.models import (
    EligibilityRule,
    FeeItem,
    FeeStandard,
    FormField,
    RequiredDocument,
    Service,
    ServiceFeeLine,
)
from govstore.stores.tests.factories import StoreFactory, national_region

LEGAL_BASIS = "发改价格〔2004〕2831号"
_items = itertools.count(1)


class FeeItemFactory(factory.django.DjangoModelFactory[FeeItem]):
    class Meta:
        model = FeeItem
        django_get_or_create = ("code",)

    code = factory.LazyFunction(lambda: f"item-{next(_items)}")
    name_zh = factory.Sequence(lambda n: f"测试收费项目{n}")
    name_en = factory.Sequence(lambda n: f"Test fee item {n}")


class FeeStandardFactory(factory.django.DjangoModelFactory[FeeStandard]):
    """The national standard unless a region is given."""

    class Meta:
        model = FeeStandard

    item = factory.SubFactory(FeeItemFactory)
    region = factory.LazyFunction(national_region)
    amount_fen = 1000
    legal_basis = LEGAL_BASIS
    effective_from = datetime.date(2005, 1, 1)


class ServiceFactory(factory.django.DjangoModelFactory[Service]):
    class Meta:
        model = Service

    store = factory.SubFactory(StoreFactory)
    slug = factory.Sequence(lambda n: f"service-{n}")
    name_zh = factory.Sequence(lambda n: f"测试服务{n}")
    name_en = factory.Sequence(lambda n: f"Test service {n}")
    summary_zh = "测试服务简介。"
    summary_en = "A service for tests."
    processing_working_days = 1


class FormFieldFactory(factory.django.DjangoModelFactory[FormField]):
    class Meta:
        model = FormField

    service = factory.SubFactory(ServiceFactory)
    key = factory.Sequence(lambda n: f"field_{n}")
    field_type = FieldType.TEXT
    label_zh = factory.Sequence(lambda n: f"问题{n}")
    label_en = factory.Sequence(lambda n: f"Question {n}")

    class Params:
        vehicle_kind = factory.Trait(
            key="vehicle_kind",
            field_type=FieldType.CHOICE,
            label_zh="车辆类型",
            label_en="Type of vehicle",
            choices=[
                {"value": "car", "label_zh": "汽车", "label_en": "Car"},
                {"value": "motorcycle", "label_zh": "摩托车", "label_en": "Motorcycle"},
            ],
        )


class RequiredDocumentFactory(factory.django.DjangoModelFactory[RequiredDocument]):
    class Meta:
        model = RequiredDocument

    service = factory.SubFactory(ServiceFactory)
    key = factory.Sequence(lambda n: f"document_{n}")
    title_zh = factory.Sequence(lambda n: f"材料{n}")
    title_en = factory.Sequence(lambda n: f"Document {n}")
    instructions_zh = "请完整拍摄。"
    instructions_en = "Photograph it whole."


class EligibilityRuleFactory(factory.django.DjangoModelFactory[EligibilityRule]):
    class Meta:
        model = EligibilityRule

    service = factory.SubFactory(ServiceFactory)
    check_name = "licence_exists"


class ServiceFeeLineFactory(factory.django.DjangoModelFactory[ServiceFeeLine]):
    class Meta:
        model = ServiceFeeLine

    service = factory.SubFactory(ServiceFactory)
    item = factory.SubFactory(FeeItemFactory)
    quantity = 1


def plates_service(**kwargs: Any) -> Service:
    """A service priced like plate replacement: car plates 100 or motorcycle plates 35
    depending on a choice question, plus a temporary plate 5 always."""
    service = ServiceFactory.create(**kwargs)
    FormFieldFactory.create(service=service, vehicle_kind=True)
    car = FeeStandardFactory.create(
        item=FeeItemFactory.create(code="car-plates", name_zh="汽车号牌", name_en="Car plates"),
        amount_fen=10000,
    ).item
    motorcycle = FeeStandardFactory.create(
        item=FeeItemFactory.create(
            code="motorcycle-plates", name_zh="摩托车号牌", name_en="Motorcycle plates"
        ),
        amount_fen=3500,
    ).item
    temporary = FeeStandardFactory.create(
        item=FeeItemFactory.create(
            code="temporary-plate", name_zh="临时号牌", name_en="Temporary plate"
        ),
        amount_fen=500,
    ).item
    ServiceFeeLineFactory.create(
        service=service, item=car, applies_when_field="vehicle_kind", applies_when_value="car"
    )
    ServiceFeeLineFactory.create(
        service=service,
        item=motorcycle,
        applies_when_field="vehicle_kind",
        applies_when_value="motorcycle",
    )
    ServiceFeeLineFactory.create(service=service, item=temporary)
    return service
