from django.db import models
from django.utils.translation import gettext_lazy as _

# The sandbox courier's published rate table, in fen per parcel (up to 1 kg).
SAME_PROVINCE_FEN = 1000
OTHER_PROVINCE_FEN = 1500
REMOTE_PROVINCE_FEN = 2500
# Inner Mongolia, Tibet, Qinghai, Ningxia, Xinjiang: the far west and north, where
# couriers everywhere charge more.
REMOTE_PROVINCE_CODES = frozenset({"150000", "540000", "630000", "640000", "650000"})

TRACKING_PREFIX = "SC"
# What the courier sends, one step after another, for a parcel that arrives.
STEP_SEQUENCE = ("picked_up", "in_transit", "out_for_delivery", "delivered")
# A webhook that was not answered 2xx is tried again after these waits, then hourly.
RETRY_SECONDS = (15, 60, 300, 900, 3600)
MAX_ATTEMPTS = 12
OUTAGE_CACHE_KEY = "delivery_sandbox:down"


class StepStatus(models.TextChoices):
    PICKED_UP = "picked_up", _("Picked up by the courier")
    IN_TRANSIT = "in_transit", _("On its way")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Delivery failed")


STEP_DESCRIPTIONS = {
    StepStatus.PICKED_UP: "快件已揽收 Picked up",
    StepStatus.IN_TRANSIT: "快件运输中 In transit",
    StepStatus.OUT_FOR_DELIVERY: "快件派送中 Out for delivery",
    StepStatus.DELIVERED: "已签收 Delivered",
    StepStatus.FAILED: "派送失败：收件人联系不上 Delivery failed: recipient not reachable",
}


def rate_fen(origin_region_code: str, destination_province_code: str) -> int:
    if origin_region_code[:2] == destination_province_code[:2]:
        return SAME_PROVINCE_FEN
    if destination_province_code in REMOTE_PROVINCE_CODES:
        return REMOTE_PROVINCE_FEN
    return OTHER_PROVINCE_FEN
