import re
from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy as _

RECIPIENT_MAX_LENGTH = 30
CITY_MAX_LENGTH = 30
DISTRICT_MAX_LENGTH = 30
STREET_MAX_LENGTH = 120
POSTCODE_RE = re.compile(r"^\d{6}$")
# A citizen keeps a handful of addresses (home, work, a relative's); the big platforms
# cap an address book at 20, which also bounds what one account can store.
ADDRESS_BOOK_LIMIT = 20

PURPOSE_MAX_LENGTH = 50
PAYABLE_ID_MAX_LENGTH = 64
TRACKING_NUMBER_MAX_LENGTH = 40

PICKUP_CODE_LENGTH = 6
PICKUP_CODE_MAX_ATTEMPTS = 5

# A signed courier message older or newer than this is refused: it may be a replay.
SIGNATURE_TOLERANCE_SECONDS = 300
SIGNATURE_HEADER = "X-Courier-Signature"
WEBHOOK_SECRET_FILE = "courier-webhook.key"  # noqa: S105 (a file name)


class Province(NamedTuple):
    code: str
    name_zh: str
    name_en: str


# The 34 provincial-level divisions with their GB/T 2260 codes. Addresses store the
# code; names are read from here so both languages show the same place.
PROVINCES: tuple[Province, ...] = (
    Province("110000", "北京市", "Beijing"),
    Province("120000", "天津市", "Tianjin"),
    Province("130000", "河北省", "Hebei"),
    Province("140000", "山西省", "Shanxi"),
    Province("150000", "内蒙古自治区", "Inner Mongolia"),
    Province("210000", "辽宁省", "Liaoning"),
    Province("220000", "吉林省", "Jilin"),
    Province("230000", "黑龙江省", "Heilongjiang"),
    Province("310000", "上海市", "Shanghai"),
    Province("320000", "江苏省", "Jiangsu"),
    Province("330000", "浙江省", "Zhejiang"),
    Province("340000", "安徽省", "Anhui"),
    Province("350000", "福建省", "Fujian"),
    Province("360000", "江西省", "Jiangxi"),
    Province("370000", "山东省", "Shandong"),
    Province("410000", "河南省", "Henan"),
    Province("420000", "湖北省", "Hubei"),
    Province("430000", "湖南省", "Hunan"),
    Province("440000", "广东省", "Guangdong"),
    Province("450000", "广西壮族自治区", "Guangxi"),
    Province("460000", "海南省", "Hainan"),
    Province("500000", "重庆市", "Chongqing"),
    Province("510000", "四川省", "Sichuan"),
    Province("520000", "贵州省", "Guizhou"),
    Province("530000", "云南省", "Yunnan"),
    Province("540000", "西藏自治区", "Tibet"),
    Province("610000", "陕西省", "Shaanxi"),
    Province("620000", "甘肃省", "Gansu"),
    Province("630000", "青海省", "Qinghai"),
    Province("640000", "宁夏回族自治区", "Ningxia"),
    Province("650000", "新疆维吾尔自治区", "Xinjiang"),
    Province("710000", "台湾省", "Taiwan"),
    Province("810000", "香港特别行政区", "Hong Kong"),
    Province("820000", "澳门特别行政区", "Macao"),
)
PROVINCES_BY_CODE: dict[str, Province] = {province.code: province for province in PROVINCES}


def province_code_of(region_code: str) -> str:
    """The provincial-level division a GB/T 2260 code belongs to: its first two digits."""
    return f"{region_code[:2]}0000" if len(region_code) >= 2 else ""


class ShipmentStatus(models.TextChoices):
    CREATED = "created", _("Waybill made")
    PICKED_UP = "picked_up", _("Picked up by the courier")
    IN_TRANSIT = "in_transit", _("On its way")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Delivery failed")


# How far along a parcel is. A tracking event never moves a shipment to a lower rank,
# and nothing moves it once it is delivered or failed.
STATUS_RANK: dict[str, int] = {
    ShipmentStatus.CREATED: 0,
    ShipmentStatus.PICKED_UP: 1,
    ShipmentStatus.IN_TRANSIT: 2,
    ShipmentStatus.OUT_FOR_DELIVERY: 3,
    ShipmentStatus.DELIVERED: 4,
    ShipmentStatus.FAILED: 4,
}
FINAL_SHIPMENT_STATUSES = frozenset({ShipmentStatus.DELIVERED, ShipmentStatus.FAILED})


class TrackingOutcome(models.TextChoices):
    APPLIED = "applied", _("Applied")
    DUPLICATE = "duplicate", _("Already received")
    OUT_OF_ORDER = "out_of_order", _("Older than the last update")


class WebhookRefusalReason(models.TextChoices):
    UNKNOWN_PROVIDER = "unknown_provider", _("Unknown courier")
    SIGNATURE = "signature", _("Signature does not match")
    STALE = "stale", _("Timestamp too old or too new")
    MALFORMED = "malformed", _("Message could not be read")
    UNKNOWN_TRACKING = "unknown_tracking", _("Unknown tracking number")


class AddressEventKind(models.TextChoices):
    CREATED = "created", _("Address added")
    UPDATED = "updated", _("Address changed")
    DELETED = "deleted", _("Address deleted")
    MADE_DEFAULT = "made_default", _("Made the default address")


class ShipmentEventKind(models.TextChoices):
    CREATED = "created", _("Waybill made")
    STATUS_CHANGED = "status_changed", _("Status changed")


class PickupCodeEventKind(models.TextChoices):
    ISSUED = "issued", _("Pickup code issued")
    REISSUED = "reissued", _("Pickup code issued again")
    REDEEMED = "redeemed", _("Collected with the pickup code")
    REFUSED = "refused", _("Wrong pickup code")
    LOCKED = "locked", _("Pickup code locked")
