"""The catalogue for the demo: the national fee table, the 2026 working-day calendar and
the Qingdao vehicle administration's three services.

Loading again changes nothing: rows are found by their natural keys (fee item code;
item, region and date of a fee version; region and date of a calendar day; store and
slug of a service; service and key of a question or document), fee versions that exist
are never touched, and example pictures are drawn only when missing.
"""

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from govstore.accounts.models import User
from govstore.catalog.constants import CalendarDayKind, FieldType, ServiceSubject
from govstore.catalog.demo_images import example_png
from govstore.catalog.models import (
    CalendarDay,
    EligibilityRule,
    FeeItem,
    FeeStandard,
    FormField,
    RequiredDocument,
    Service,
    ServiceFeeLine,
)
from govstore.catalog.services import fee_standard_publish, service_publish
from govstore.stores.models import Region, Store

DATA_DIR = Path(__file__).resolve().parent / "data"
FEES_FILE = DATA_DIR / "fees_cn_national.json"
CALENDAR_FILE = DATA_DIR / "calendar_cn_2026.json"


def load_fee_table(*, actor: User) -> dict[str, FeeItem]:
    """Fee items and the national standard (发改价格〔2004〕2831号) from the data file.
    Amounts marked to_confirm carry a note saying so on every page that shows them."""
    table = json.loads(FEES_FILE.read_text(encoding="utf-8"))
    region = Region.objects.get(code=table["region"])
    effective_from = datetime.date.fromisoformat(table["effective_from"])
    items: dict[str, FeeItem] = {}
    for row in table["items"]:
        item, _created = FeeItem.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_zh": row["name_zh"],
                "name_en": row["name_en"],
                "unit_zh": row["unit_zh"],
                "unit_en": row["unit_en"],
            },
        )
        items[item.code] = item
        published = FeeStandard.objects.filter(
            item=item, region=region, effective_from=effective_from
        ).exists()
        if not published:
            fee_standard_publish(
                actor=actor,
                item=item,
                region=region,
                amount_fen=row["amount_fen"],
                legal_basis=table["legal_basis"],
                effective_from=effective_from,
                note_zh=table["to_confirm_note_zh"] if row["to_confirm"] else "",
                note_en=table["to_confirm_note_en"] if row["to_confirm"] else "",
            )
    return items


def load_calendar() -> int:
    """The national 2026 calendar: every day of each holiday period, and the weekend days
    made into working days. Returns how many days the file holds."""
    calendar = json.loads(CALENDAR_FILE.read_text(encoding="utf-8"))
    region = Region.objects.get(code=calendar["region"])
    days: list[tuple[datetime.date, str, str, str]] = []
    for holiday in calendar["holidays"]:
        day = datetime.date.fromisoformat(holiday["from"])
        last = datetime.date.fromisoformat(holiday["to"])
        while day <= last:
            days.append((day, CalendarDayKind.HOLIDAY, holiday["name_zh"], holiday["name_en"]))
            day += datetime.timedelta(days=1)
    for workday in calendar["makeup_workdays"]:
        days.append(
            (
                datetime.date.fromisoformat(workday["date"]),
                CalendarDayKind.MAKEUP_WORKDAY,
                workday["name_zh"],
                workday["name_en"],
            )
        )
    for day, kind, name_zh, name_en in days:
        CalendarDay.objects.update_or_create(
            region=region,
            date=day,
            defaults={"kind": kind, "name_zh": name_zh, "name_en": name_en},
        )
    return len(days)


# --- The Qingdao services ------------------------------------------------------------


@dataclass(frozen=True)
class _Question:
    key: str
    field_type: str
    label_zh: str
    label_en: str
    help_zh: str = ""
    help_en: str = ""
    required: bool = True
    max_length: int = 100
    choices: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True)
class _Document:
    key: str
    title_zh: str
    title_en: str
    instructions_zh: str
    instructions_en: str
    drawing: str
    alt_zh: str
    alt_en: str


@dataclass(frozen=True)
class _FeeLine:
    item: str
    quantity: int = 1
    when_field: str = ""
    when_value: str = ""


@dataclass(frozen=True)
class _Service:
    slug: str
    name_zh: str
    name_en: str
    summary_zh: str
    summary_en: str
    description_zh: str
    description_en: str
    subject: str
    processing_working_days: int
    promise_note_zh: str
    promise_note_en: str
    courier: bool
    pickup: bool
    electronic: bool
    questions: tuple[_Question, ...]
    documents: tuple[_Document, ...]
    checks: tuple[str, ...]
    fee_lines: tuple[_FeeLine, ...] = field(default_factory=tuple)


_MOBILE = _Question(
    key="mobile",
    field_type=FieldType.MOBILE,
    label_zh="联系手机号",
    label_en="Mobile number for this application",
    help_zh="办理进度和快递单号会以短信发到这个号码。",
    help_en="We text progress and the courier's tracking number to this number.",
    max_length=11,
)
_PLATE = _Question(
    key="plate_number",
    field_type=FieldType.PLATE,
    label_zh="号牌号码",
    label_en="Plate number",
    help_zh="和行驶证上的一致，例如 鲁B12345。",
    help_en="As on your vehicle licence, for example 鲁B12345.",
    max_length=8,
)
_ID_FRONT = _Document(
    key="id_card_front",
    title_zh="居民身份证人像面",
    title_en="Your ID card, photo side",
    instructions_zh="把身份证平放在深色、无花纹的桌面上，从正上方拍摄；四个角都要拍进去，照片和号码处不要反光。",
    instructions_en=(
        "Lay the card on a plain, dark surface and photograph it from straight above, with "
        "all four corners in the picture and no glare on the photo or the number."
    ),
    drawing="id_card_front",
    alt_zh="示例：完整拍摄的身份证人像面，姓名、性别、出生、住址、公民身份号码和照片都清晰可见。",
    alt_en=(
        "Example: the photo side of an ID card, photographed whole, with the name, sex, "
        "birth date, address, ID number and photo all visible."
    ),
)
_ID_BACK = _Document(
    key="id_card_back",
    title_zh="居民身份证国徽面",
    title_en="Your ID card, national emblem side",
    instructions_zh="同样平放拍摄，签发机关和有效期限要清晰可读。",
    instructions_en=(
        "Photograph it the same way; the issuing authority and the validity dates must be readable."
    ),
    drawing="id_card_back",
    alt_zh="示例：完整拍摄的身份证国徽面，签发机关和有效期限清晰可见。",
    alt_en=(
        "Example: the national emblem side of an ID card, photographed whole, with the "
        "issuing authority and validity dates visible."
    ),
)
_HOLDING_ID = _Document(
    key="holding_id",
    title_zh="本人手持身份证照片",
    title_en="A photo of you holding your ID card",
    instructions_zh="请本人手持身份证（人像面朝向镜头）放在脸旁拍摄；脸部和证件都要清晰，手指不要遮挡证件内容。可请别人帮忙拍。",
    instructions_en=(
        "Hold your ID card, photo side to the camera, next to your face. Your face and the "
        "card must both be sharp, and your fingers must not cover anything on the card. "
        "Ask someone to take it for you if you can."
    ),
    drawing="holding_id",
    alt_zh="示例：一个人把身份证举在脸旁，人像面朝向镜头，脸和证件都完整清晰。",
    alt_en=(
        "Example: a person holding an ID card next to their face, photo side to the "
        "camera, with both face and card whole and sharp."
    ),
)


_SERVICES = (
    _Service(
        slug="replace-lost-driving-licence",
        name_zh="补领机动车驾驶证（遗失）",
        name_en="Replace a lost driving licence",
        summary_zh="驾驶证丢了？在线申请补领，不用到车管所窗口，新证快递到家。",
        summary_en=(
            "Lost your driving licence? Apply online for a replacement and have it sent to "
            "you — no visit to the counter."
        ),
        description_zh=(
            "新证签发后，原驾驶证立即作废；如果以后找到旧证，请不要再使用。\n\n"
            "驾驶证被暂扣或者吊销期间不能补领。12个月内补领次数过多的，"
            "依照《机动车驾驶证申领和使用规定》（公安部令第162号）须到窗口办理。"
        ),
        description_en=(
            "As soon as the replacement is issued, your old licence is void: if you find it "
            "later, do not use it.\n\n"
            "A licence cannot be replaced while it is seized or revoked. If you have had "
            "several replacements in the last 12 months, the rules on driving licences "
            "(Ministry of Public Security Order 162) require you to apply at a counter."
        ),
        subject=ServiceSubject.DRIVING_LICENCE,
        processing_working_days=1,
        promise_note_zh="材料齐全、审核通过后1个工作日内制证，制好后当天交给快递或通知您到窗口领取。",
        promise_note_en=(
            "We make the licence within 1 working day of approving your complete "
            "application, and hand it to the courier (or tell you it is ready to collect) "
            "the same day."
        ),
        courier=True,
        pickup=True,
        electronic=False,
        questions=(
            _Question(
                key="loss_circumstances",
                field_type=FieldType.TEXT,
                label_zh="驾驶证是怎么丢失的",
                label_en="How did you lose your licence?",
                help_zh="简单说明时间和经过，例如：2026年3月在地铁上丢了钱包。",
                help_en=(
                    "Say briefly when and how, for example: my wallet was lost on the "
                    "metro in March 2026."
                ),
                max_length=200,
            ),
            _MOBILE,
        ),
        documents=(
            _ID_FRONT,
            _ID_BACK,
            _HOLDING_ID,
            _Document(
                key="id_photo",
                title_zh="近期白底证件照",
                title_en="A recent ID photo on a white background",
                instructions_zh="6个月内拍摄，正面免冠，白色背景，不戴帽子和墨镜。这张照片会印在新驾驶证上。",
                instructions_en=(
                    "Taken in the last 6 months: facing the camera, no hat or sunglasses, "
                    "on a white background. It is printed on your new licence."
                ),
                drawing="id_photo",
                alt_zh="示例：白色背景的正面半身证件照，头部和肩膀居中。",
                alt_en=(
                    "Example: a head-and-shoulders ID photo, facing the camera, on a white "
                    "background."
                ),
            ),
        ),
        checks=("licence_exists", "licence_not_seized_or_revoked", "not_frequent_replacements"),
        fee_lines=(_FeeLine(item="driving-licence"),),
    ),
    _Service(
        slug="replace-lost-plates",
        name_zh="补领机动车号牌",
        name_en="Replace lost licence plates",
        summary_zh="号牌丢失或被盗？在线申请补领原号码号牌，15个工作日内制好，期间发放临时号牌。",
        summary_en=(
            "Lost or stolen plates? Apply online for new plates with the same number, made "
            "within 15 working days, with a temporary plate meanwhile."
        ),
        description_zh=(
            "补领的号牌号码不变，新号牌制发后原号牌作废。制牌期间我们发给您临时行驶车号牌，"
            "有效期最长15天。\n\n"
            "号牌被盗的，请先向公安机关报案。"
        ),
        description_en=(
            "Your plates keep the same number; once the new pair is issued, the old plates "
            "are void. While they are being made we give you a temporary plate, valid for at "
            "most 15 days.\n\n"
            "If your plates were stolen, report the theft to the police first."
        ),
        subject=ServiceSubject.VEHICLE,
        processing_working_days=15,
        promise_note_zh="临时号牌在审核通过后随即发出；正式号牌在15个工作日内制好。",
        promise_note_en=(
            "The temporary plate is sent as soon as we approve your application; the new "
            "plates are made within 15 working days."
        ),
        courier=True,
        pickup=True,
        electronic=False,
        questions=(
            _Question(
                key="vehicle_kind",
                field_type=FieldType.CHOICE,
                label_zh="车辆类型",
                label_en="Type of vehicle",
                help_zh="汽车号牌和摩托车号牌的工本费不同。",
                help_en="Plates for a car and for a motorcycle cost different amounts.",
                max_length=20,
                choices=(
                    {"value": "car", "label_zh": "汽车", "label_en": "Car"},
                    {"value": "motorcycle", "label_zh": "摩托车", "label_en": "Motorcycle"},
                ),
            ),
            _PLATE,
            _Question(
                key="plates_missing",
                field_type=FieldType.CHOICE,
                label_zh="丢失的号牌",
                label_en="Which plates are missing",
                max_length=20,
                choices=(
                    {"value": "front", "label_zh": "前号牌", "label_en": "The front plate"},
                    {"value": "rear", "label_zh": "后号牌", "label_en": "The rear plate"},
                    {"value": "both", "label_zh": "前后号牌都丢失", "label_en": "Both plates"},
                ),
            ),
            _MOBILE,
        ),
        documents=(
            _ID_FRONT,
            _ID_BACK,
            _HOLDING_ID,
            _Document(
                key="vehicle_photo",
                title_zh="车辆照片（显示号牌缺失处）",
                title_en="A photo of the vehicle where the plate is missing",
                instructions_zh="站在车辆正前方或正后方拍摄，让缺失号牌的位置和整个车头（车尾）都在画面内。",
                instructions_en=(
                    "Stand straight in front of (or behind) the vehicle so that the place "
                    "where the plate is missing and the whole front (or rear) are in the "
                    "picture."
                ),
                drawing="vehicle_missing_plate",
                alt_zh="示例：从正前方拍摄的汽车，号牌位置是空的，用红色虚线框标出。",
                alt_en=(
                    "Example: a car photographed from the front; the plate holder is empty, "
                    "marked with a dashed red outline."
                ),
            ),
        ),
        checks=("vehicle_owned_by_applicant", "not_frequent_replacements"),
        fee_lines=(
            _FeeLine(item="car-plates", when_field="vehicle_kind", when_value="car"),
            _FeeLine(item="motorcycle-plates", when_field="vehicle_kind", when_value="motorcycle"),
            _FeeLine(item="temporary-plate"),
        ),
    ),
    _Service(
        slug="inspection-mark",
        name_zh="申领机动车检验合格标志（年检）",
        name_en="Get the annual inspection mark",
        summary_zh="检验合格标志到期前3个月内在线申领；电子标志与纸质标志效力相同，也可快递纸质标志。",
        summary_en=(
            "Apply online in the 3 months before your inspection mark expires. The "
            "electronic mark counts just like the paper one, which we can also post to you."
        ),
        description_zh=(
            "申领前，车辆的交通违法行为和交通事故都要处理完毕，交强险在有效期内，"
            "车船税已缴纳。\n\n"
            "免于上线检测的车辆不需要检验报告；其他车辆请先到检验机构检测，"
            "检测结果会由检验机构传送给我们。"
        ),
        description_en=(
            "Before you apply, every traffic violation and accident of the vehicle must be "
            "dealt with, its compulsory traffic insurance must be valid and its vehicle tax "
            "paid.\n\n"
            "Vehicles exempt from on-site inspection need no inspection report; for other "
            "vehicles, have the inspection done at an inspection station first — the "
            "station sends us the result."
        ),
        subject=ServiceSubject.VEHICLE,
        processing_working_days=1,
        promise_note_zh="审核通过后电子检验合格标志即时生效；选择快递的，纸质标志同日寄出。",
        promise_note_en=(
            "The electronic mark takes effect as soon as we approve your application; a "
            "paper mark, if you ask for one, is posted the same day."
        ),
        courier=True,
        pickup=False,
        electronic=True,
        questions=(_PLATE, _MOBILE),
        documents=(
            _Document(
                key="insurance_policy",
                title_zh="交强险保单",
                title_en="Compulsory traffic insurance policy",
                instructions_zh="拍摄保单中显示号牌号码和保险期间的一页，或上传电子保单截图。",
                instructions_en=(
                    "Photograph the page of the policy that shows the plate number and the "
                    "insurance period, or upload a screenshot of the electronic policy."
                ),
                drawing="insurance_policy",
                alt_zh="示例：一页完整的保单，抬头、各项内容和印章都在画面内。",
                alt_en=(
                    "Example: a whole page of an insurance policy, with its heading, every "
                    "line and the stamp in the picture."
                ),
            ),
            _Document(
                key="vehicle_tax_proof",
                title_zh="车船税完税证明",
                title_en="Proof that the vehicle tax is paid",
                instructions_zh="拍摄完税证明；车船税随交强险代收的，拍摄保单上显示代收车船税的部分即可。",
                instructions_en=(
                    "Photograph the tax receipt. If the tax was collected with your "
                    "insurance, photograph the part of the policy that shows it."
                ),
                drawing="vehicle_tax_proof",
                alt_zh="示例：一张完整的车船税完税证明，盖有“已缴”印章。",
                alt_en="Example: a whole vehicle tax receipt stamped as paid.",
            ),
        ),
        checks=(
            "vehicle_owned_by_applicant",
            "vehicle_violations_cleared",
            "vehicle_inspection_window",
            "vehicle_insurance_valid",
        ),
        fee_lines=(_FeeLine(item="inspection-mark"),),
    ),
)


def _sync_questions(service: Service, questions: tuple[_Question, ...]) -> None:
    keys = [question.key for question in questions]
    service.form_fields.exclude(key__in=keys).delete()
    for position, question in enumerate(questions):
        FormField.objects.update_or_create(
            service=service,
            key=question.key,
            defaults={
                "field_type": question.field_type,
                "label_zh": question.label_zh,
                "label_en": question.label_en,
                "help_zh": question.help_zh,
                "help_en": question.help_en,
                "required": question.required,
                "max_length": question.max_length,
                "choices": [dict(choice) for choice in question.choices],
                "position": position,
            },
        )


def _sync_documents(service: Service, documents: tuple[_Document, ...]) -> None:
    keys = [document.key for document in documents]
    service.required_documents.exclude(key__in=keys).delete()
    for position, spec in enumerate(documents):
        document, _created = RequiredDocument.objects.update_or_create(
            service=service,
            key=spec.key,
            defaults={
                "title_zh": spec.title_zh,
                "title_en": spec.title_en,
                "instructions_zh": spec.instructions_zh,
                "instructions_en": spec.instructions_en,
                "example_alt_zh": spec.alt_zh,
                "example_alt_en": spec.alt_en,
                "position": position,
            },
        )
        _ensure_example_image(document, spec.drawing, f"{service.slug}-{spec.key}.png")


def _ensure_example_image(document: RequiredDocument, drawing: str, filename: str) -> None:
    image = document.example_image
    if image.name and image.storage.exists(image.name):
        return
    image.save(filename, ContentFile(example_png(drawing)), save=True)


def _sync_rules(service: Service, checks: tuple[str, ...]) -> None:
    service.eligibility_rules.exclude(check_name__in=checks).delete()
    for position, check_name in enumerate(checks):
        EligibilityRule.objects.update_or_create(
            service=service, check_name=check_name, defaults={"position": position}
        )


def _sync_fee_lines(
    service: Service, fee_lines: tuple[_FeeLine, ...], items: dict[str, FeeItem]
) -> None:
    kept = []
    for position, spec in enumerate(fee_lines):
        line, _created = ServiceFeeLine.objects.update_or_create(
            service=service,
            item=items[spec.item],
            applies_when_field=spec.when_field,
            applies_when_value=spec.when_value,
            defaults={"quantity": spec.quantity, "position": position},
        )
        kept.append(line.pk)
    service.fee_lines.exclude(pk__in=kept).delete()


def load_qingdao_services(*, actor: User, store: Store, items: dict[str, FeeItem]) -> list[Service]:
    services = []
    for position, spec in enumerate(_SERVICES):
        existing = Service.objects.filter(store=store, slug=spec.slug).first()
        values: dict[str, Any] = {
            "name_zh": spec.name_zh,
            "name_en": spec.name_en,
            "summary_zh": spec.summary_zh,
            "summary_en": spec.summary_en,
            "description_zh": spec.description_zh,
            "description_en": spec.description_en,
            "subject": spec.subject,
            "processing_working_days": spec.processing_working_days,
            "promise_note_zh": spec.promise_note_zh,
            "promise_note_en": spec.promise_note_en,
            "delivery_courier": spec.courier,
            "delivery_pickup": spec.pickup,
            "delivery_electronic": spec.electronic,
            "position": position,
            # A new service goes on sale only through service_publish, once its whole
            # definition is in place and has been checked.
            "is_published": existing.is_published if existing else False,
        }
        service, _created = Service.objects.update_or_create(
            store=store, slug=spec.slug, defaults=values
        )
        _sync_questions(service, spec.questions)
        _sync_documents(service, spec.documents)
        _sync_rules(service, spec.checks)
        _sync_fee_lines(service, spec.fee_lines, items)
        services.append(service_publish(actor=actor, service=service))
    return services


def load_catalog_demo(*, actor: User, qingdao_store: Store) -> list[Service]:
    with transaction.atomic():
        items = load_fee_table(actor=actor)
        load_calendar()
        return load_qingdao_services(actor=actor, store=qingdao_store, items=items)
