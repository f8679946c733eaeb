"""Registry records that make an application eligible, and photos to upload, for tests."""

import datetime
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from govstore.accounts.models import User
from govstore.applications.models import Application
from govstore.documents.tests.images import jpeg_bytes, textured
from govstore.registry.models import DrivingLicence, Person, Vehicle
from govstore.registry.tests.factories import (
    DrivingLicenceFactory,
    PersonFactory,
    VehicleFactory,
)

_scenes = itertools.count(1)


def photo(name: str = "photo.jpg") -> SimpleUploadedFile:
    """A small phone-like JPEG, a different picture each time."""
    return SimpleUploadedFile(
        name, jpeg_bytes(textured(scene=next(_scenes))), content_type="image/jpeg"
    )


def claimer(application: Application) -> User:
    """The reviewer who claimed the application (the factory's in_review trait sets one)."""
    assert application.claimed_by is not None
    return application.claimed_by


def person_of(citizen: User) -> Person:
    person, _created = Person.objects.get_or_create(
        id_number=citizen.id_number,
        defaults={"name": citizen.real_name or "张三", "birth_date": datetime.date(1990, 1, 1)},
    )
    return person


def licence_of(citizen: User, **kwargs: object) -> DrivingLicence:
    """A valid driving licence held by the citizen (their ID number is its number)."""
    return DrivingLicenceFactory.create(person=person_of(citizen), **kwargs)


def vehicle_of(citizen: User, **kwargs: object) -> Vehicle:
    """A car of the citizen's with current plates, inside its inspection window today."""
    today = timezone.localdate()
    kwargs.setdefault("inspection_valid_until", today + datetime.timedelta(days=60))
    kwargs.setdefault("insurance_valid_until", today + datetime.timedelta(days=200))
    return VehicleFactory.create(owner=person_of(citizen), **kwargs)


__all__ = ["PersonFactory", "claimer", "licence_of", "person_of", "photo", "vehicle_of"]
