import pytest

from govstore.applications.constants import ApplicationStatus
from govstore.applications.tests.factories import ApplicationFactory


@pytest.mark.django_db
@pytest.mark.parametrize("status", ApplicationStatus.values)
def test_there_is_a_trait_for_every_status(status):
    application = ApplicationFactory.create(**({status: True} if status != "draft" else {}))
    application.refresh_from_db()
    assert application.status == status
    assert application.reference.startswith("GS-")
    if status in ("submitted", "in_review", "approved", "completed"):
        assert application.submitted_at is not None
        assert application.due_on is not None


@pytest.mark.django_db
def test_a_lost_licence_application_with_its_photos():
    application = ApplicationFactory.create(lost_licence=True, paid=True, with_documents=True)
    assert application.total_fen == 1000
    assert application.fee_snapshot[0]["legal_basis"]
    assert sorted(application.documents.values_list("key", flat=True)) == sorted(
        ["id_card_front", "id_card_back", "holding_id", "id_photo"]
    )
    assert application.subject_reference == application.citizen.id_number
    assert application.service_snapshot["issuance"] == "licence_replacement"
