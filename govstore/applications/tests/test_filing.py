"""A reviewer files a photo the citizen sent in the chat onto the application."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govstore.applications.constants import ApplicationDocumentStatus, ApplicationEventKind
from govstore.applications.services import application_attach_existing_document
from govstore.applications.tests.factories import ApplicationFactory, make_document, make_staff
from govstore.applications.tests.helpers import claimer
from govstore.stores.constants import StaffRole

pytestmark = pytest.mark.django_db


def test_a_reviewer_files_the_citizens_photo_into_a_slot():
    application = ApplicationFactory.create(lost_licence=True, in_review=True, with_documents=True)
    photo = make_document(application.citizen, application)
    attached = application_attach_existing_document(
        actor=claimer(application), application=application, key="id_card_front", document=photo
    )
    assert attached.document_id == photo.pk
    current = application.documents.exclude(status=ApplicationDocumentStatus.SUPERSEDED)
    assert current.get(key="id_card_front").document_id == photo.pk
    event = application.events.get(kind=ApplicationEventKind.DOCUMENT_FILED)
    assert event.for_citizen and event.payload["key"] == "id_card_front"


@pytest.mark.parametrize("role", [StaffRole.PRODUCER, StaffRole.CUSTOMER_SERVICE])
def test_only_reviewers_file_photos(role):
    application = ApplicationFactory.create(lost_licence=True, in_review=True)
    photo = make_document(application.citizen, application)
    with pytest.raises(PermissionDenied):
        application_attach_existing_document(
            actor=make_staff(application.store, role),
            application=application,
            key="id_card_front",
            document=photo,
        )
    assert not application.documents.exists()


def test_someone_elses_photo_or_an_unknown_slot_or_a_closed_case_is_refused():
    application = ApplicationFactory.create(lost_licence=True, in_review=True)
    reviewer = claimer(application)
    stranger = ApplicationFactory.create(lost_licence=True)
    theirs = make_document(stranger.citizen, stranger)
    mine = make_document(application.citizen, application)
    for key, document in (("id_card_front", theirs), ("no_such_slot", mine)):
        with pytest.raises(ValidationError):
            application_attach_existing_document(
                actor=reviewer, application=application, key=key, document=document
            )
    done = ApplicationFactory.create(lost_licence=True, completed=True)
    with pytest.raises(ValidationError):
        application_attach_existing_document(
            actor=make_staff(done.store, StaffRole.REVIEWER),
            application=done,
            key="id_card_front",
            document=make_document(done.citizen, done),
        )
    assert not application.documents.exists() and not done.documents.exists()
