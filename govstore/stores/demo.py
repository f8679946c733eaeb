"""Regions, agencies and stores for the demo. Loading again updates them in place
(looked up by region code, agency name and store slug) and never duplicates them."""

from dataclasses import dataclass

from django.db import transaction

from govstore.stores.constants import AgencyKind
from govstore.stores.models import Agency, Region, Store

QINGDAO_STORE_SLUG = "qingdao-vehicle-administration"
HANGZHOU_COURT_SLUG = "hangzhou-intermediate-court"

# (code, name_zh, name_en, parent code, plate prefix)
_REGIONS = (
    ("000000", "全国", "National", None, ""),
    ("370000", "山东省", "Shandong", "000000", ""),
    ("370200", "青岛市", "Qingdao", "370000", "鲁B"),
    ("330000", "浙江省", "Zhejiang", "000000", ""),
    ("330100", "杭州市", "Hangzhou", "330000", "浙A"),
)


@dataclass(frozen=True)
class DemoStores:
    regions: dict[str, Region]
    qingdao_administration: Agency
    hangzhou_court: Agency
    supervisory_authority: Agency
    qingdao_store: Store
    court_store: Store


def _agency(*, kind: str, region: Region, name_zh: str, name_en: str) -> Agency:
    agency, _created = Agency.objects.update_or_create(
        name_zh=name_zh, defaults={"kind": kind, "region": region, "name_en": name_en}
    )
    return agency


def load_stores_demo() -> DemoStores:
    with transaction.atomic():
        regions: dict[str, Region] = {}
        for code, name_zh, name_en, parent, plate_prefix in _REGIONS:
            regions[code], _created = Region.objects.update_or_create(
                code=code,
                defaults={
                    "name_zh": name_zh,
                    "name_en": name_en,
                    "parent": regions[parent] if parent else None,
                    "plate_prefix": plate_prefix,
                },
            )

        qingdao = _agency(
            kind=AgencyKind.VEHICLE_ADMINISTRATION,
            region=regions["370200"],
            name_zh="青岛市公安局交通警察支队车辆管理所",
            name_en="Qingdao Vehicle Management Administration",
        )
        court = _agency(
            kind=AgencyKind.COURT,
            region=regions["330100"],
            name_zh="杭州市中级人民法院",
            name_en="Hangzhou Intermediate People's Court",
        )
        # Supervisors oversee every store on the platform, so the authority is national
        # and runs no store of its own.
        supervisor = _agency(
            kind=AgencyKind.SUPERVISORY_AUTHORITY,
            region=regions["000000"],
            name_zh="政务网店监督办公室",
            name_en="Government Online Stores Supervision Office",
        )

        qingdao_store, _created = Store.objects.update_or_create(
            slug=QINGDAO_STORE_SLUG,
            defaults={
                "agency": qingdao,
                "name_zh": "青岛车管所网上服务店",
                "name_en": "Qingdao Vehicle Administration Online",
                "description_zh": (
                    "青岛市公安局交通警察支队车辆管理所的官方网店。补领驾驶证、补领号牌、"
                    "申领检验合格标志都可以在这里办理：在线填表、拍照上传材料、按物价部门"
                    "核定的标准缴费，不用到窗口排队，证件办好后快递到家。\n\n"
                    "我们依照《机动车驾驶证申领和使用规定》（公安部令第162号）和"
                    "《机动车登记规定》（公安部令第164号）在线核验身份、严格审核材料。"
                ),
                "description_en": (
                    "The official online store of the Qingdao Vehicle Management "
                    "Administration. Replace a lost driving licence or lost plates, or get "
                    "your annual inspection mark, without queuing at a counter: fill in the "
                    "form, upload photos of your documents, pay the fee approved by the price "
                    "authorities, and we send the result to you by courier.\n\n"
                    "We verify your identity online and check every document, as the "
                    "Ministry of Public Security's Orders 162 (driving licences) and 164 "
                    "(vehicle registration) require."
                ),
                "service_hours_zh": "周一至周五 9:00–17:00（法定节假日除外）",
                "service_hours_en": "Monday to Friday, 9:00–17:00 (closed on public holidays)",
                "contact_phone": "0532-12345678",
                "address_zh": "山东省青岛市李沧区车辆管理所办事大厅（演示地址）",
                "address_en": "Vehicle administration service hall, Licang District, Qingdao "
                "(demo address)",
                "is_open": True,
            },
        )
        court_store, _created = Store.objects.update_or_create(
            slug=HANGZHOU_COURT_SLUG,
            defaults={
                "agency": court,
                "name_zh": "杭州市中级人民法院司法拍卖",
                "name_en": "Hangzhou Intermediate People's Court — Judicial Auctions",
                "description_zh": (
                    "杭州市中级人民法院将在这里依法公开拍卖执行中查封的车辆和房产，"
                    "不经拍卖机构，全程网上进行。\n\n"
                    "每件拍品都会提前发布拍卖公告：动产至少提前15日，不动产至少提前30日，"
                    "写明瑕疵、现状、优先购买权人和税费承担。竞买人实名报名并交纳保证金"
                    "（起拍价的5%至20%）后，以竞买代码匿名出价；起拍价不低于评估价的70%。"
                    "竞价期间至少24小时，结束前5分钟内有人出价的，自动延时5分钟。"
                    "未成交的竞买人，保证金在拍卖结束后24小时内退还或解冻。\n\n"
                    "本院正在拍卖和即将拍卖的拍品见「司法拍卖」页面，关注本店可及时获知新拍品。"
                ),
                "description_en": (
                    "The Hangzhou Intermediate People's Court will sell cars and property "
                    "seized in enforcement here, at public online auctions run by the court "
                    "itself, with no auction house.\n\n"
                    "Each lot is announced in advance — at least 15 days ahead for movable "
                    "property and 30 days for real estate — with its defects, its condition "
                    "('as is'), anyone with a right of first refusal, and who pays which "
                    "taxes. Bidders register under their real names and pay a deposit (5% to "
                    "20% of the starting price), then bid anonymously under a bidding code. "
                    "The starting price is at least 70% of the appraised value. Bidding lasts "
                    "at least 24 hours, and a bid in the last 5 minutes extends the end by 5 "
                    "minutes. Bidders who do not win get their deposit back within 24 hours "
                    "of the close.\n\n"
                    "The court's current and coming lots are listed under Judicial auctions: "
                    "follow this store to hear about new ones."
                ),
                "service_hours_zh": "周一至周五 8:30–12:00，13:30–17:00（法定节假日除外）",
                "service_hours_en": (
                    "Monday to Friday, 8:30–12:00 and 13:30–17:00 (closed on public holidays)"
                ),
                "contact_phone": "0571-12345678",
                "address_zh": "浙江省杭州市（演示地址）",
                "address_en": "Hangzhou, Zhejiang (demo address)",
                "is_open": True,
            },
        )
    return DemoStores(
        regions=regions,
        qingdao_administration=qingdao,
        hangzhou_court=court,
        supervisory_authority=supervisor,
        qingdao_store=qingdao_store,
        court_store=court_store,
    )
