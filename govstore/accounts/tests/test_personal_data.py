"""A person's archive of their personal data: what it holds, that it holds nobody
else's, and that it is handed over only after the password is typed again."""

import datetime
import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from govstore.accounts.constants import AccountEventKind
from govstore.accounts.models import AccountEvent
from govstore.accounts.personal_data import (
    WRONG_PASSWORD_LIMIT,
    personal_data_archive_download,
    registered_sections,
)
from govstore.accounts.tests.factories import TEST_PASSWORD
from govstore.applications.tests.factories import ApplicationFactory
from govstore.applications.tests.helpers import photo
from govstore.documents.models import DocumentAccess
from govstore.documents.selectors import document_content_for_viewer
from govstore.feedback.constants import ComplaintCategory
from govstore.feedback.models import Complaint
from govstore.feedback.services import rating_submit
from govstore.messaging.services import message_send
from govstore.messaging.tests.factories import make_cast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _open(archive) -> tuple[zipfile.ZipFile, dict[str, dict]]:
    bundle = zipfile.ZipFile(io.BytesIO(archive.file.read()))
    sections = {
        name.removesuffix(".json"): json.loads(bundle.read(name))
        for name in bundle.namelist()
        if name.endswith(".json")
    }
    return bundle, sections


def _life(cast) -> dict:
    """A citizen's chat with a photo a reviewer opened, a rated completed application
    and a complaint."""
    citizen = cast.citizen
    message = message_send(
        actor=citizen, conversation=cast.conversation, body="Here is my ID card", image=photo()
    )
    message_send(actor=cast.reviewer, conversation=cast.conversation, body="Thank you")
    assert message.document_id is not None
    document_content_for_viewer(actor=cast.reviewer, document_id=message.document_id, ip=None)
    completed = ApplicationFactory.create(completed=True, citizen=citizen)
    rating_submit(
        actor=citizen,
        application=completed,
        description=5,
        service=4,
        delivery=3,
        comment="Quick and friendly",
    )
    today = timezone.localdate()
    Complaint.objects.create(
        reference="TS-TEST-0001",
        citizen=citizen,
        store=completed.store,
        application=completed,
        category=ComplaintCategory.DELAY,
        text="It came two days late",
        acknowledge_due_on=today + datetime.timedelta(days=1),
        answer_due_on=today + datetime.timedelta(days=7),
    )
    return {"message": message, "completed": completed}


def test_the_archive_holds_the_persons_data_files_and_who_looked_at_them():
    cast = make_cast()
    # A number no factory uses for anything else (parcels go to 13800000001).
    cast.reviewer.mobile = "13977770000"
    cast.reviewer.save(update_fields=["mobile"])
    life = _life(cast)
    document_id = str(life["message"].document_id)

    archive = personal_data_archive_download(actor=cast.citizen, password=TEST_PASSWORD)
    bundle, sections = _open(archive)

    assert archive.filename.startswith("govstore-personal-data-")
    readme = bundle.read("README.txt").decode()
    assert "您在 govstore 上的个人数据" in readme
    assert "Your personal data on govstore" in readme
    assert set(sections) == {section.key for section in registered_sections()}

    assert sections["account"]["rows"][0]["mobile"] == cast.citizen.mobile
    assert sections["account"]["rows"][0]["id_number"] == cast.citizen.id_number
    references = [row["reference"] for row in sections["applications"]["rows"]]
    assert references == [cast.application.reference, life["completed"].reference]

    chat = sections["messages"]["rows"][0]
    assert chat["application"] == cast.application.reference
    assert [message["text"] for message in chat["messages"]] == ["Here is my ID card", "Thank you"]
    staff_number = cast.reviewer.staff_member.staff_number
    assert chat["messages"][1]["from"] == f"Store, staff number {staff_number}"

    [file_row] = sections["documents"]["rows"]
    assert file_row["id"] == document_id
    assert bundle.read(file_row["file"])[:3] == b"\xff\xd8\xff"  # decrypted JPEG

    looks = sections["document_access_log"]["rows"]
    reviewer_look = next(row for row in looks if row.get("staff_number") == staff_number)
    assert reviewer_look["who"] == cast.application.store.name_en
    assert reviewer_look["allowed"] is True
    assert "reviewer" in reviewer_look["reason"]
    # The staff member's own identity never leaves the platform.
    text = json.dumps(sections, ensure_ascii=False)
    assert cast.reviewer.mobile not in text
    # Taking one's files away is logged like any other look.
    assert DocumentAccess.objects.filter(
        document_id=document_id, actor=cast.citizen, reason__contains="archive"
    ).exists()

    [rating] = sections["ratings"]["rows"]
    assert rating["comment"] == "Quick and friendly"
    [complaint] = sections["complaints"]["rows"]
    assert complaint["reference"] == "TS-TEST-0001"
    assert complaint["text"] == "It came two days late"

    event = AccountEvent.objects.get(
        user=cast.citizen, kind=AccountEventKind.PERSONAL_DATA_DOWNLOADED
    )
    assert event.payload["files"] == 1
    assert event.payload["sections"]["applications"] == 2


def test_another_persons_data_is_not_in_the_archive():
    cast = make_cast()
    other_life = _life(cast)
    other = make_cast(citizen=cast.other_citizen)

    archive = personal_data_archive_download(actor=other.citizen, password=TEST_PASSWORD)
    bundle, sections = _open(archive)

    text = json.dumps(sections, ensure_ascii=False)
    assert cast.application.reference not in text
    assert other_life["completed"].reference not in text
    assert "Here is my ID card" not in text
    assert "Quick and friendly" not in text
    assert "TS-TEST-0001" not in text
    assert cast.citizen.mobile not in text
    assert str(other_life["message"].document_id) not in text
    assert not [name for name in bundle.namelist() if name.startswith("files/")]
    assert sections["applications"]["rows"][0]["reference"] == other.application.reference


def test_a_wrong_password_is_refused_and_recorded():
    cast = make_cast()
    with pytest.raises(ValidationError, match="not your password"):
        personal_data_archive_download(actor=cast.citizen, password="not-my-password")
    assert AccountEvent.objects.filter(
        user=cast.citizen, kind=AccountEventKind.PERSONAL_DATA_REFUSED
    ).exists()
    assert not AccountEvent.objects.filter(
        user=cast.citizen, kind=AccountEventKind.PERSONAL_DATA_DOWNLOADED
    ).exists()


def test_after_too_many_wrong_passwords_even_the_right_one_waits():
    cast = make_cast()
    for _attempt in range(WRONG_PASSWORD_LIMIT):
        with pytest.raises(ValidationError):
            personal_data_archive_download(actor=cast.citizen, password="guess")
    with pytest.raises(ValidationError, match="too many times"):
        personal_data_archive_download(actor=cast.citizen, password=TEST_PASSWORD)
    later = timezone.now() + datetime.timedelta(minutes=16)
    archive = personal_data_archive_download(actor=cast.citizen, password=TEST_PASSWORD, now=later)
    assert archive.size > 0


class TestPage:
    url = reverse("accounts:my_data")

    def test_anonymous_is_sent_to_sign_in(self, client):
        response = client.get(self.url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]

    def test_explains_what_is_included_and_downloads_a_zip(self, client):
        cast = make_cast()
        client.force_login(cast.citizen)
        client.cookies["django_language"] = "en"
        page = client.get(self.url).content.decode()
        assert "Who looked at your files" in page
        assert "Your chats" in page
        response = client.post(self.url, {"password": TEST_PASSWORD})
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        assert "attachment" in response["Content-Disposition"]
        bundle = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        assert "README.txt" in bundle.namelist()

    def test_a_wrong_password_shows_the_form_again(self, client):
        cast = make_cast()
        client.force_login(cast.citizen)
        client.cookies["django_language"] = "en"
        response = client.post(self.url, {"password": "nope"})
        assert response.status_code == 400
        assert "That is not your password" in response.content.decode()
        assert response["Content-Type"].startswith("text/html")
