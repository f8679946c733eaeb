"""Applications in every state of their lifecycle, for tests of this app and its pages.

    ApplicationFactory()                      # a draft
    ApplicationFactory(paid=True)             # paid, waiting for a reviewer
    ApplicationFactory(in_review=True)        # claimed by a reviewer of its store
    ApplicationFactory(approved=True, with_documents=True)

One trait per status (see ApplicationStatus). Rows are written directly, not through
the services, so a test can start from any state; the snapshots are built from the
service exactly as application_start builds them.
"""

import datetime
import hashlib
import itertools
import uuid
from typing import Any

import factory
from django.utils import timezone

from govstore.accounts.models import User
from govstore.accounts.tests.factories import UserFactory
from govstore.applications.constants import (
    DOCUMENT_PURPOSE,
    ApplicationDocumentStatus,
    ApplicationStatus,
)
from govstore.applications.models import Application, ApplicationDocument
from govstore.applications.services import (
    fee_snapshot_build,
    form_snapshot_build,
    service_snapshot_build,
)
from govstore.catalog.constants import DeliveryMethod, FieldType, ServiceSubject
from govstore.catalog.models import Service
from govstore.catalog.tests.factories import (
    EligibilityRuleFactory,
    FeeItemFactory,
    FeeStandardFactory,
    FormFieldFactory,
    RequiredDocumentFactory,
    ServiceFactory,
    ServiceFeeLineFactory,
    plates_service,
)
from govstore.documents.models import Document
from govstore.stores.constants import AgencyKind, StaffRole
from govstore.stores.models import Agency, StaffMember, StaffRoleGrant, Store
from govstore.stores.tests.factories import AgencyFactory

S = ApplicationStatus
_staff_numbers = itertools.count(1)
_references = itertools.count(1)

# Where courier parcels of factory applications go, as the address book snapshots it.
COURIER_ADDRESS = {
    "address_id": None,
    "recipient": "张伟",
    "mobile": "13800000001",
    "province_code": "370000",
    "province_zh": "山东省",
    "province_en": "Shandong",
    "city": "青岛市",
    "district": "市南区",
    "street": "香港中路1号",
    "postcode": "266000",
}

LOST_LICENCE_DOCUMENTS = ("id_card_front", "id_card_back", "holding_id", "id_photo")


def make_staff(store: Store, *roles: str) -> User:
    """An active staff account of the agency running `store` with these roles."""
    user = UserFactory.create(staff=True)
    member = StaffMember.objects.create(
        user=user, agency=store.agency, staff_number=f"S{next(_staff_numbers):05d}"
    )
    StaffRoleGrant.objects.bulk_create(StaffRoleGrant(member=member, role=role) for role in roles)
    return user


def make_supervisor(agency: Agency | None = None) -> User:
    agency = agency or AgencyFactory.create(kind=AgencyKind.SUPERVISORY_AUTHORITY)
    user = UserFactory.create(supervisor=True)
    member = StaffMember.objects.create(
        user=user, agency=agency, staff_number=f"S{next(_staff_numbers):05d}"
    )
    StaffRoleGrant.objects.create(member=member, role=StaffRole.SUPERVISOR)
    return user


def lost_licence_service(**kwargs: Any) -> Service:
    """Like the demo's "replace a lost driving licence": two questions, four photos,
    three checks, a 10-yuan fee."""
    kwargs.setdefault("subject", ServiceSubject.DRIVING_LICENCE)
    service = ServiceFactory.create(**kwargs)
    FormFieldFactory.create(service=service, key="loss_circumstances", max_length=200, position=0)
    FormFieldFactory.create(
        service=service, key="mobile", field_type=FieldType.MOBILE, max_length=11, position=1
    )
    for position, key in enumerate(LOST_LICENCE_DOCUMENTS):
        RequiredDocumentFactory.create(service=service, key=key, position=position)
    for position, check_name in enumerate(
        ("licence_exists", "licence_not_seized_or_revoked", "not_frequent_replacements")
    ):
        EligibilityRuleFactory.create(service=service, check_name=check_name, position=position)
    item = FeeItemFactory.create(
        code="driving-licence", name_zh="机动车驾驶证", name_en="Driving licence"
    )
    if not item.standards.exists():  # a second service in one test shares the standard
        FeeStandardFactory.create(item=item, amount_fen=1000)
    ServiceFeeLineFactory.create(service=service, item=item)
    return service


def lost_plates_service(**kwargs: Any) -> Service:
    """Replacement plates: vehicle kind (prices car or motorcycle plates) and the plate."""
    kwargs.setdefault("subject", ServiceSubject.VEHICLE)
    kwargs.setdefault("processing_working_days", 15)
    service = plates_service(**kwargs)
    FormFieldFactory.create(
        service=service, key="plate_number", field_type=FieldType.PLATE, max_length=8
    )
    RequiredDocumentFactory.create(service=service, key="vehicle_photo")
    for position, check_name in enumerate(
        ("vehicle_owned_by_applicant", "not_frequent_replacements")
    ):
        EligibilityRuleFactory.create(service=service, check_name=check_name, position=position)
    return service


def inspection_mark_service(**kwargs: Any) -> Service:
    kwargs.setdefault("subject", ServiceSubject.VEHICLE)
    kwargs.setdefault("delivery_electronic", True)
    kwargs.setdefault("delivery_pickup", False)
    service = ServiceFactory.create(**kwargs)
    FormFieldFactory.create(
        service=service, key="plate_number", field_type=FieldType.PLATE, max_length=8
    )
    RequiredDocumentFactory.create(service=service, key="insurance_policy")
    for position, check_name in enumerate(
        (
            "vehicle_owned_by_applicant",
            "vehicle_violations_cleared",
            "vehicle_inspection_window",
            "vehicle_insurance_valid",
        )
    ):
        EligibilityRuleFactory.create(service=service, check_name=check_name, position=position)
    return service


def _paid(**extra: Any) -> dict[str, Any]:
    """Fields every state after payment has."""
    return {
        "payment_requested_at": factory.LazyFunction(
            lambda: timezone.now() - datetime.timedelta(hours=2)
        ),
        "submitted_at": factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1)),
        "due_on": factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=1)),
        **extra,
    }


def _reviewer(application: Any) -> User:
    return make_staff(application.store, StaffRole.REVIEWER)


class ApplicationFactory(factory.django.DjangoModelFactory[Application]):
    class Meta:
        model = Application
        skip_postgeneration_save = True

    citizen = factory.SubFactory(UserFactory, verified=True)
    service = factory.SubFactory(ServiceFactory)
    store = factory.SelfAttribute("service.store")
    reference = factory.LazyFunction(
        lambda: f"GS-{timezone.localdate():%Y%m%d}-{900000 + next(_references):06d}"
    )
    status = S.DRAFT
    service_snapshot = factory.LazyAttribute(lambda o: service_snapshot_build(o.service))
    form_snapshot = factory.LazyAttribute(lambda o: form_snapshot_build(o.service))
    answers = factory.LazyFunction(dict)
    fee_snapshot = factory.LazyAttribute(lambda o: fee_snapshot_build(o.service, o.answers)[0])
    total_fen = factory.LazyAttribute(lambda o: sum(line["amount_fen"] for line in o.fee_snapshot))
    delivery_method = factory.LazyAttribute(lambda o: o.service_snapshot["delivery_methods"][0])
    delivery_address = factory.LazyAttribute(
        lambda o: (
            "山东省青岛市市南区香港中路1号" if o.delivery_method == DeliveryMethod.COURIER else ""
        )
    )
    delivery_snapshot = factory.LazyAttribute(
        lambda o: (
            {"address": dict(COURIER_ADDRESS), "courier": "sandbox", "fee_fen": 0}
            if o.delivery_method == DeliveryMethod.COURIER
            else {}
        )
    )
    subject_reference = factory.LazyAttribute(
        lambda o: o.citizen.id_number if o.service.subject == ServiceSubject.DRIVING_LICENCE else ""
    )

    class Params:
        awaiting_payment = factory.Trait(
            status=S.AWAITING_PAYMENT, payment_requested_at=factory.LazyFunction(timezone.now)
        )
        paid = factory.Trait(status=S.SUBMITTED, **_paid())
        submitted = factory.Trait(status=S.SUBMITTED, **_paid())
        in_review = factory.Trait(
            status=S.IN_REVIEW,
            claimed_by=factory.LazyAttribute(_reviewer),
            claimed_at=factory.LazyFunction(timezone.now),
            **_paid(),
        )
        needs_resubmission = factory.Trait(
            status=S.NEEDS_RESUBMISSION,
            claimed_by=factory.LazyAttribute(_reviewer),
            claimed_at=factory.LazyFunction(timezone.now),
            **_paid(),
        )
        approved = factory.Trait(status=S.APPROVED, **_paid())
        in_production = factory.Trait(status=S.IN_PRODUCTION, **_paid())
        ready_for_dispatch = factory.Trait(status=S.READY_FOR_DISPATCH, **_paid())
        ready_for_pickup = factory.Trait(
            status=S.READY_FOR_PICKUP, delivery_method=DeliveryMethod.PICKUP, **_paid()
        )
        dispatched = factory.Trait(status=S.DISPATCHED, **_paid())
        delivered = factory.Trait(status=S.DELIVERED, **_paid())
        completed = factory.Trait(
            status=S.COMPLETED, completed_at=factory.LazyFunction(timezone.now), **_paid()
        )
        rejected = factory.Trait(
            status=S.REJECTED,
            decision_reason="The photo of the ID card is not readable.",
            refund_due_fen=factory.SelfAttribute("total_fen"),
            **_paid(),
        )
        cancelled = factory.Trait(status=S.CANCELLED)
        closed_unpaid = factory.Trait(status=S.CLOSED_UNPAID)
        routed_in_person = factory.Trait(
            status=S.ROUTED_IN_PERSON,
            in_person_reason="You have had 2 replacements in the last 12 months.",
        )
        lost_licence = factory.Trait(
            service=factory.LazyFunction(lost_licence_service),
            answers=factory.LazyFunction(
                lambda: {"loss_circumstances": "Lost on the metro.", "mobile": "13812345678"}
            ),
        )

    @factory.post_generation
    def with_documents(obj: Application, create: bool, extracted: object, **kwargs: object) -> None:
        """with_documents=True attaches an upload to every required document slot."""
        if create and extracted:
            for key in obj.required_document_keys():
                ApplicationDocumentFactory.create(application=obj, key=key)


def make_document(owner: User, application: Application) -> Document:
    """A document row as document_store leaves it, without bytes behind it: enough for
    the workflow and the pages' links. Tests that view the photo store a real one."""
    document_id = uuid.uuid4()
    return Document.objects.create(
        id=document_id,
        owner=owner,
        purpose=DOCUMENT_PURPOSE,
        reference=f"{DOCUMENT_PURPOSE}:{application.pk}",
        original_name="photo.jpg",
        content_type="image/jpeg",
        size=1000,
        width=40,
        height=30,
        sha256=hashlib.sha256(document_id.bytes).hexdigest(),
        storage_key=f"test/{document_id.hex}",
        wrapped_key=b"",
        nonce=b"",
    )


class ApplicationDocumentFactory(factory.django.DjangoModelFactory[ApplicationDocument]):
    class Meta:
        model = ApplicationDocument

    application = factory.SubFactory(ApplicationFactory)
    key = "id_card_front"
    document = factory.LazyAttribute(lambda o: make_document(o.application.citizen, o.application))
    status = ApplicationDocumentStatus.CURRENT

    class Params:
        retake_requested = factory.Trait(
            status=ApplicationDocumentStatus.RETAKE_REQUESTED,
            retake_reason="The photo is blurred; hold the phone still.",
        )
