"""Judicial auction lots for the demo, so anyone opening /auctions/ sees a market at work
in the Hangzhou court's store:

- a seized car open for bidding (it ends in two days), with bids from demo bidders and a
  co-owner whose priority right the court confirmed;
- a seized car and a flat in their notice periods;
- a car sold last week, its bid log published, its buyer within the deadline for the
  balance;
- an excavator nobody bid on (流拍), offered again 20% cheaper.

Everything goes through the services, with their `now=` set in the past, so the notice
periods, prices, deposits, bids, the log and the close obey the rules as a real
auction's would. Deposits are paid at the sandbox cashier and recorded by the payments
context from the sandbox's signed notification, as a bidder's would be.

What the services stamp with the clock themselves carries the time the demo was loaded,
not the story's: the events of each lot's timeline, registrations, payments (so a
deposit shows as paid after the bids it allowed) and the photos' documents. Back-dating
them would mean rewriting audit rows, which nothing else may do.

The bidders are demo citizens of their own (mobiles 1372000xxxx, no password), never the
accounts people sign in with, so the verified demo citizen can still register and bid on
the open car. Loading again changes nothing: a lot whose title the court already shows
is left as it is (a lot's story is loaded whole or not at all).
"""

import datetime
import io
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from govstore.accounts.constants import AccountKind
from govstore.accounts.models import User
from govstore.accounts.services import user_verify_real_name
from govstore.auctions import services
from govstore.auctions.constants import LotKind, LotStatus
from govstore.auctions.models import Lot, Registration
from govstore.registry.constants import PlateStatus, VehicleStatus, VehicleType
from govstore.registry.demo import demo_resident_id
from govstore.registry.models import Person, Plate, Vehicle
from govstore.stores.models import Agency

BIDDER_MOBILE_PREFIX = "1372000"
DEMO_NOTE = "演示数据：本拍品及其公告均为虚构，仅供体验平台功能，并非真实拍卖。"
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
MINUTE = datetime.timedelta(minutes=1)

# --- people and vehicles -------------------------------------------------------------------


@dataclass(frozen=True)
class _Citizen:
    name: str
    area_code: str
    birth_date: datetime.date
    # The 17th digit of the ID number is odd for men, even for women.
    sequence: int

    @property
    def id_number(self) -> str:
        return demo_resident_id(self.area_code, self.birth_date, self.sequence)


# Bidders, by the key the lots' stories use; their mobile is the prefix and the position.
_BIDDERS: dict[str, _Citizen] = {
    "zhou": _Citizen("周敏", "330106", datetime.date(1984, 5, 12), 22),
    "wu": _Citizen("吴海涛", "330102", datetime.date(1979, 10, 3), 15),
    "zheng": _Citizen("郑丽华", "330105", datetime.date(1990, 1, 27), 8),
    "feng": _Citizen("冯志强", "330108", datetime.date(1986, 7, 19), 33),
    "chen": _Citizen("陈晓东", "330110", datetime.date(1992, 12, 2), 47),
    "huang": _Citizen("黄静", "330109", datetime.date(1988, 3, 8), 26),
}


@dataclass(frozen=True)
class _Car:
    plate: str
    vin: str
    make_model: str
    registered_on: datetime.date
    owner: _Citizen
    # Days from the load: negative when expired, as a seized car's often are.
    inspection_in_days: int
    insurance_in_days: int
    body: tuple[int, int, int]
    new_energy: bool = False


_PASSAT = _Car(
    plate="浙A5K2R9",
    vin="LSVCC6A44KN083265",
    make_model="大众帕萨特 Volkswagen Passat",
    registered_on=datetime.date(2019, 6, 14),
    owner=_Citizen("孙建国", "330104", datetime.date(1975, 4, 18), 13),
    inspection_in_days=-95,
    insurance_in_days=-60,
    body=(236, 238, 240),
)
_CAMRY = _Car(
    plate="浙A8M3L6",
    vin="LVGBE40K9LG216540",
    make_model="丰田凯美瑞 Toyota Camry",
    registered_on=datetime.date(2020, 9, 3),
    owner=_Citizen("钱伟", "330105", datetime.date(1981, 9, 9), 31),
    inspection_in_days=120,
    insurance_in_days=-20,
    body=(40, 42, 48),
)
_HAN = _Car(
    plate="浙AD73615",
    vin="LGXC76C30NA133802",
    make_model="比亚迪汉EV BYD Han EV",
    registered_on=datetime.date(2022, 3, 21),
    owner=_Citizen("李红梅", "330106", datetime.date(1987, 2, 14), 44),
    inspection_in_days=300,
    insurance_in_days=45,
    body=(52, 96, 160),
    new_energy=True,
)


def _bidder(key: str, number: int) -> User:
    """The demo bidder, created and verified through the accounts services if missing."""
    spec = _BIDDERS[key]
    mobile = f"{BIDDER_MOBILE_PREFIX}{number:04d}"
    user = User.objects.filter(mobile=mobile).first()
    if user is None:
        # No password: these people exist only so the lots have bidders.
        user = User.objects.create_user(mobile, None, kind=AccountKind.CITIZEN)
    if not user.is_real_name_verified:
        user = user_verify_real_name(
            actor=user, user=user, real_name=spec.name, id_number=spec.id_number
        )
    return user


def _bidders() -> dict[str, User]:
    return {key: _bidder(key, number) for number, key in enumerate(_BIDDERS, start=1)}


def _vehicle(car: _Car, today: datetime.date) -> Vehicle:
    """The seized car in the registry. Found by its plate and left as it is when it
    exists: a sold car may since have been re-registered to its buyer."""
    existing = Vehicle.objects.filter(plate_number=car.plate).first()
    if existing is not None:
        return existing
    owner, _created = Person.objects.get_or_create(
        id_number=car.owner.id_number,
        defaults={
            "name": car.owner.name,
            "birth_date": car.owner.birth_date,
            "address": "浙江省杭州市（演示地址）",
        },
    )
    vehicle = Vehicle.objects.create(
        owner=owner,
        plate_number=car.plate,
        vin=car.vin,
        vehicle_type=VehicleType.SMALL_CAR,
        make_model=car.make_model,
        registered_on=car.registered_on,
        inspection_valid_until=today + datetime.timedelta(days=car.inspection_in_days),
        insurance_valid_until=today + datetime.timedelta(days=car.insurance_in_days),
        inspection_exempt=False,
        status=VehicleStatus.SEIZED,
    )
    Plate.objects.create(
        vehicle=vehicle,
        number=car.plate,
        issue_serial=1,
        issued_on=car.registered_on,
        status=PlateStatus.CURRENT,
    )
    return vehicle


# --- pictures ------------------------------------------------------------------------------

WIDTH, HEIGHT = 960, 640
INK = (40, 48, 60)
SKY = (222, 234, 246)
GROUND = (196, 200, 206)
GLASS = (170, 200, 225)
TYRE = (35, 35, 38)
RIM = (170, 174, 180)
BLUE_PLATE = (20, 70, 170)
GREEN_PLATE = (120, 200, 120)
WHITE = (255, 255, 255)
RED = (190, 40, 35)
YELLOW = (236, 178, 36)
# Fonts with Chinese characters found on common systems; without one, the pictures
# carry their English words and plates lose only their province character.
_CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)

Font = ImageFont.ImageFont | ImageFont.FreeTypeFont


@cache
def _cjk_font_path() -> str | None:
    for path in _CJK_FONTS:
        try:
            ImageFont.truetype(path, 12)
        except OSError:
            continue
        return path
    return None


def _font(size: int) -> Font:
    path = _cjk_font_path()
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size=size)


def _words(chinese: str, english: str) -> str:
    return chinese if _cjk_font_path() else english


def _canvas(background: tuple[int, int, int] = SKY) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (WIDTH, HEIGHT), background)
    return image, ImageDraw.Draw(image)


def _caption(draw: ImageDraw.ImageDraw, text: str) -> None:
    """Every picture says it is a drawing, not a photograph of the property."""
    label = _words("示意图 · 非实物照片", "ILLUSTRATION - not a photograph")
    draw.rectangle((0, 0, WIDTH, 44), fill=INK)
    draw.text((18, 8), label, fill=WHITE, font=_font(22))
    draw.text((WIDTH - 18, 8), text, fill=WHITE, font=_font(22), anchor="ra")


def _plate(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], car: _Car) -> None:
    left, top, right, bottom = box
    colour = GREEN_PLATE if car.new_energy else BLUE_PLATE
    ink = INK if car.new_energy else WHITE
    draw.rounded_rectangle(box, radius=8, fill=colour, outline=ink, width=3)
    # 浙A·5K2R9: the province, the issuing office's letter, a dot, the number.
    office = car.plate[:2] if _cjk_font_path() else car.plate[1]
    text = f"{office}·{car.plate[2:]}"
    draw.text(
        ((left + right) // 2, (top + bottom) // 2),
        text,
        fill=ink,
        font=_font(int((bottom - top) * 0.62)),
        anchor="mm",
    )


def _wheel(draw: ImageDraw.ImageDraw, cx: int, cy: int, radius: int) -> None:
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=TYRE)
    inner = radius * 6 // 10
    draw.ellipse((cx - inner, cy - inner, cx + inner, cy + inner), fill=RIM, outline=INK, width=2)


def car_side(car: _Car) -> Image.Image:
    image, draw = _canvas()
    draw.rectangle((0, 470, WIDTH, HEIGHT), fill=GROUND)
    body = car.body
    # A saloon's silhouette: bonnet, cabin, boot.
    draw.polygon(
        [
            (110, 430),
            (120, 360),
            (260, 330),
            (350, 250),
            (600, 245),
            (720, 330),
            (850, 350),
            (870, 430),
        ],
        fill=body,
        outline=INK,
    )
    draw.polygon([(370, 262), (470, 258), (470, 330), (300, 334)], fill=GLASS, outline=INK)
    draw.polygon([(490, 258), (590, 258), (680, 330), (490, 330)], fill=GLASS, outline=INK)
    draw.line((300, 345, 780, 345), fill=INK, width=2)
    draw.rectangle((840, 365, 868, 385), fill=(255, 236, 170), outline=INK)
    draw.rectangle((112, 370, 132, 392), fill=RED, outline=INK)
    _wheel(draw, 250, 440, 62)
    _wheel(draw, 720, 440, 62)
    _plate(draw, (380, 530, 580, 590), car)
    _caption(draw, car.make_model)
    return image


def car_rear(car: _Car) -> Image.Image:
    image, draw = _canvas()
    draw.rectangle((0, 500, WIDTH, HEIGHT), fill=GROUND)
    draw.rounded_rectangle((230, 150, 730, 270), radius=50, fill=car.body, outline=INK, width=3)
    draw.polygon([(290, 165), (670, 165), (640, 250), (320, 250)], fill=GLASS, outline=INK)
    draw.rounded_rectangle((180, 250, 780, 470), radius=36, fill=car.body, outline=INK, width=3)
    for x in (200, 640):
        draw.rectangle((x, 290, x + 120, 330), fill=RED, outline=INK, width=2)
    draw.rectangle((200, 470, 290, 520), fill=TYRE)
    draw.rectangle((670, 470, 760, 520), fill=TYRE)
    _plate(draw, (360, 370, 600, 440), car)
    _caption(draw, car.make_model)
    return image


def flat_building() -> Image.Image:
    image, draw = _canvas()
    draw.rectangle((0, 560, WIDTH, HEIGHT), fill=(170, 190, 150))
    draw.rectangle((300, 90, 660, 560), fill=(226, 214, 196), outline=INK, width=3)
    for floor in range(11):
        y = 520 - floor * 40
        for column in range(4):
            x = 325 + column * 85
            fill = YELLOW if (floor == 6 and column == 1) else GLASS
            draw.rectangle((x, y, x + 55, y + 26), fill=fill, outline=INK)
    draw.rectangle((455, 530, 505, 560), fill=INK)
    draw.line((468, 293, 700, 200), fill=RED, width=4)
    draw.text((708, 184), _words("7楼 701室", "7th floor, flat 701"), fill=RED, font=_font(28))
    _caption(draw, _words("3幢 共11层", "Block 3, 11 floors"))
    return image


def flat_plan() -> Image.Image:
    image, draw = _canvas((250, 250, 246))
    rooms = (
        ((120, 90, 460, 330), _words("客厅 约28㎡", "Living room 28 m²")),
        ((460, 90, 840, 330), _words("主卧 约16㎡", "Bedroom 16 m²")),
        ((120, 330, 360, 560), _words("厨房", "Kitchen")),
        ((360, 330, 560, 560), _words("卫生间", "Bathroom")),
        ((560, 330, 700, 560), _words("次卧", "Bedroom")),
        ((700, 330, 840, 560), _words("书房", "Study")),
    )
    for box, name in rooms:
        draw.rectangle(box, outline=INK, width=6)
        draw.text(
            ((box[0] + box[2]) // 2, (box[1] + box[3]) // 2),
            name,
            fill=INK,
            font=_font(24),
            anchor="mm",
        )
    # The damp patch the notice discloses, under the bedroom's bay window.
    draw.ellipse((770, 110, 830, 150), outline=RED, width=4)
    draw.text((640, 150), _words("渗水痕迹", "Damp"), fill=RED, font=_font(20))
    draw.text(
        (120, 580),
        _words("建筑面积 89.6㎡ · 三室一厅一卫", "89.6 m², three bedrooms"),
        fill=INK,
        font=_font(22),
    )
    _caption(draw, _words("户型示意", "Floor plan"))
    return image


def excavator() -> Image.Image:
    image, draw = _canvas()
    draw.rectangle((0, 500, WIDTH, HEIGHT), fill=(181, 156, 120))
    draw.rounded_rectangle((150, 420, 560, 510), radius=45, fill=TYRE)
    for x in range(200, 530, 55):
        _wheel(draw, x, 465, 26)
    draw.rectangle((180, 300, 540, 420), fill=YELLOW, outline=INK, width=3)
    draw.rectangle((220, 200, 360, 300), fill=YELLOW, outline=INK, width=3)
    draw.rectangle((240, 215, 345, 285), fill=GLASS, outline=INK, width=2)
    # The boom and the stick, then the bucket with its worn teeth.
    draw.line((480, 320, 700, 170), fill=YELLOW, width=34)
    draw.line((700, 170, 820, 380), fill=YELLOW, width=26)
    draw.polygon([(790, 370), (880, 390), (850, 470), (780, 440)], fill=(90, 90, 92), outline=INK)
    draw.text((200, 330), "CAT 320D2", fill=INK, font=_font(34))
    _caption(draw, "Caterpillar 320D2")
    return image


def _png(image: Image.Image, name: str) -> io.BytesIO:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    buffer.name = name
    buffer.seek(0)
    return buffer


# --- the cashier ---------------------------------------------------------------------------


def _pay_at_sandbox(redirect_url: str) -> None:
    """Pay at the sandbox cashier the URL leads to, as a bidder's browser would, and hand
    the sandbox's signed notification to the payments context. The sandbox posts it over
    HTTP after commit, but while the demo loads the site is not serving yet: it is
    received here, and its later delivery is answered "already handled"."""
    from govstore.payments.sandbox import services as sandbox
    from govstore.payments.sandbox.models import SandboxNotification
    from govstore.payments.services import SUCCESS, notification_receive

    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(redirect_url).query))
    trade = sandbox.trade_open(params=params)
    sandbox.trade_pay(trade_no=trade.trade_no)
    notification = SandboxNotification.objects.filter(trade=trade).latest("pk")
    answer = notification_receive(provider_code="sandbox", params=notification.params)
    if answer != SUCCESS:
        raise RuntimeError(f"The sandbox payment {trade.out_trade_no} was not recorded.")


def _register(
    lot: Lot, bidder: User, *, at: datetime.datetime, holder_rank: int | None = None
) -> Registration:
    holder = lot.priority_holders.get(rank=holder_rank) if holder_rank else None
    registration = services.registration_create(
        actor=bidder, lot=lot, priority_holder=holder, now=at
    )
    return_url = settings.SITE_URL + reverse(
        "auctions:deposit_return", kwargs={"reference": lot.reference}
    )
    _pay_at_sandbox(
        services.deposit_pay(actor=bidder, registration=registration, return_url=return_url)
    )
    registration.refresh_from_db()
    return registration


# --- the lots ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLot:
    """What the demo command prints about a lot."""

    reference: str
    title: str
    state: str


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """A local time on that day (the court's hours)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


_VEHICLE_AS_IS = (
    "按现状拍卖、按现状交付。本院不对车辆的品质、性能、里程数的真实性作任何担保，"
    "竞买人应在拍卖前自行看样、查验；参与竞买即视为已了解并接受标的现状，"
    "成交后不得以存在瑕疵为由拒付余款或要求退还保证金。"
)
_VEHICLE_TAXES = (
    "办理过户所涉及的一切税、费由买受人承担。车辆自查封之日起的停车保管费由申请执行人垫付，"
    "不由买受人承担；此前的停车费、保管费由被执行人承担。"
)
_VEHICLE_VIEWING = "看样请于工作日提前一天与承办人预约，看样时不得启动发动机、不得拆卸部件。"


def _passat_lot(clerk: User, court: Agency, today: datetime.date) -> Lot:
    vehicle = _vehicle(_PASSAT, today)
    return services.lot_create(
        actor=clerk,
        court=court,
        kind=LotKind.VEHICLE,
        vehicle=vehicle,
        title="浙A5K2R9 大众帕萨特小型轿车一辆 Volkswagen Passat saloon",
        description=(
            "拍卖标的：被执行人孙建国名下浙A5K2R9号大众牌帕萨特小型轿车一辆，"
            "车架号LSVCC6A44KN083265，2019年6月初次登记，2.0T自动挡，白色，"
            "表显里程约11.6万公里。\n\n"
            "该车为孙建国与周敏按份共有（各占50%），周敏作为共有人在同等条件下享有优先购买权，"
            "已书面通知其可参与竞买。\n\n"
            "车辆现停放于本院指定停车场（杭州市拱墅区，演示地址），有钥匙一把，行驶证原件在本院。"
            f"{_VEHICLE_VIEWING}\n\n"
            "成交后本院出具成交确认书、执行裁定书及协助执行通知书，买受人凭此到车辆管理所办理"
            "过户，查封随过户解除。\n\n" + DEMO_NOTE
        ),
        defects=(
            "左后车门有明显刮痕及凹陷；前保险杠有修补痕迹；空调制冷效果差。"
            "机动车检验有效期及交强险均已过期，买受人须自行投保、检验后方可上路。"
            "车辆是否曾发生重大事故、泡水或火烧，本院无法确认。"
        ),
        as_is_terms=_VEHICLE_AS_IS,
        taxes_and_fees=_VEHICLE_TAXES,
        appraisal_fen=98_000_00,
        starting_price_fen=69_000_00,
        increment_fen=1_000_00,
        deposit_fen=10_000_00,
        bidding_starts_at=_at(today - 2 * DAY, 10),
        bidding_ends_at=_at(today + 2 * DAY, 10),
        priority_holders=[("周敏", 1)],
        now=_at(today - 21 * DAY, 9),
    )


def _open_car(clerk: User, court: Agency, bidders: dict[str, User], today: datetime.date) -> Lot:
    """(a) Bidding is open: three bidders and the co-owner, whose priority right the
    clerk confirmed, have bid; the co-owner matched a price and was then outbid."""
    lot = _passat_lot(clerk, court, today)
    _photos(clerk, lot, [car_side(_PASSAT), car_rear(_PASSAT)], at=_at(today - 21 * DAY, 10))
    lot = services.lot_announce(actor=clerk, lot=lot, now=_at(today - 20 * DAY, 9))
    holder = _register(lot, bidders["zhou"], at=_at(today - 12 * DAY, 20), holder_rank=1)
    services.registration_priority_decide(
        actor=clerk, registration=holder, confirm=True, now=_at(today - 11 * DAY, 10)
    )
    _register(lot, bidders["wu"], at=_at(today - 9 * DAY, 14))
    _register(lot, bidders["zheng"], at=_at(today - 5 * DAY, 21))
    _register(lot, bidders["huang"], at=_at(today - 3 * DAY, 11))
    start = lot.bidding_starts_at
    bids = (
        ("wu", 69_000_00, 3 * HOUR),
        ("zheng", 70_000_00, 9 * HOUR),
        # At an equal price the co-owner's priority right takes the lead (Art. 21).
        ("zhou", 70_000_00, 20 * HOUR),
        ("wu", 71_000_00, 30 * HOUR),
    )
    for key, amount, after in bids:
        services.bid_place(actor=bidders[key], lot=lot, amount_fen=amount, now=start + after)
    lot.refresh_from_db()
    return lot


def _camry_in_notice(clerk: User, court: Agency, today: datetime.date) -> Lot:
    """(b) A car in its notice period: bidding opens in 17 days."""
    lot = services.lot_create(
        actor=clerk,
        court=court,
        kind=LotKind.VEHICLE,
        vehicle=_vehicle(_CAMRY, today),
        title="浙A8M3L6 丰田凯美瑞小型轿车一辆 Toyota Camry saloon",
        description=(
            "拍卖标的：被执行人钱伟名下浙A8M3L6号丰田牌凯美瑞小型轿车一辆，"
            "车架号LVGBE40K9LG216540，2020年9月初次登记，2.5L自动挡，黑色，"
            "表显里程约6.8万公里。\n\n"
            "本院查封时未取得车辆钥匙和行驶证，看样只能查看外观及透过车窗查看内饰；"
            "成交后由买受人自行配制钥匙，行驶证由买受人在过户时向车辆管理所申请补领。"
            f"{_VEHICLE_VIEWING}\n\n本标的无优先购买权人。\n\n" + DEMO_NOTE
        ),
        defects=(
            "无钥匙、无行驶证；右前大灯破损；四条轮胎磨损严重需更换；车内有异味。"
            "发动机能否启动、变速箱状况无法确认。交强险已过期。"
        ),
        as_is_terms=_VEHICLE_AS_IS,
        taxes_and_fees=_VEHICLE_TAXES,
        appraisal_fen=112_000_00,
        starting_price_fen=78_400_00,
        increment_fen=1_000_00,
        deposit_fen=15_000_00,
        bidding_starts_at=_at(today + 17 * DAY, 10),
        bidding_ends_at=_at(today + 18 * DAY, 10),
        now=_at(today - 2 * DAY, 15),
    )
    _photos(clerk, lot, [car_side(_CAMRY), car_rear(_CAMRY)], at=_at(today - 2 * DAY, 16))
    return services.lot_announce(actor=clerk, lot=lot, now=_at(today - DAY, 9))


def _flat_in_notice(clerk: User, court: Agency, today: datetime.date) -> Lot:
    """(c) A flat in its notice period of more than 30 days; its appliances go with it
    and the notice says who lives there."""
    lot = services.lot_create(
        actor=clerk,
        court=court,
        kind=LotKind.REAL_ESTATE,
        title="杭州市西湖区文三路某小区3幢2单元701室住宅 Flat in Xihu District, Hangzhou",
        description=(
            "房屋坐落：杭州市西湖区文三路某小区3幢2单元701室（演示地址），"
            "权利人为被执行人孙建国。建筑面积89.6平方米，三室一厅一卫，位于第7层"
            "（共11层，有电梯），2008年建成，南北通透。土地使用权为出让住宅用地，"
            "使用期限至2076年。\n\n"
            "室内为2015年装修。以下物品随房屋一并拍卖，均按现状交付，本院不保证能正常使用："
            "格力挂式空调3台、海尔双门冰箱1台、美的滚筒洗衣机1台、方太油烟机及燃气灶一套、"
            "史密斯电热水器1台、固定衣柜2组。其他家具和个人物品不在拍卖范围内。\n\n"
            "房屋设有抵押，成交后由本院依法通知解除抵押登记及查封。本标的无优先购买权人"
            "（经查，房屋未出租）。\n\n"
            "看样：每周二、周四下午，请提前两个工作日与承办人预约。\n\n" + DEMO_NOTE
        ),
        defects=(
            "主卧飘窗下方墙面有渗水痕迹；卫生间防水层状况不明；燃气灶一个灶眼点火困难。"
            "房屋内是否发生过非正常死亡等事件，本院向物业、居委会询问未获相关信息，"
            "但不能作出保证。"
        ),
        as_is_terms=(
            "按现状拍卖、按现状交付。房屋的面积以不动产登记为准，"
            "实际面积与登记面积不符的，不调整成交价。竞买人应在拍卖前自行查看房屋、"
            "了解学区、户口迁出等情况；参与竞买即视为接受标的现状。"
        ),
        taxes_and_fees=(
            "过户所涉及的买卖双方应缴的一切税、费（包括但不限于契税、增值税及附加、"
            "个人所得税、土地增值税、印花税、交易手续费）均由买受人承担。"
            "被执行人欠缴的物业费约人民币9,800元及水、电、燃气费，由本院从拍卖款中支付，"
            "不由买受人承担。"
        ),
        occupancy=(
            "房屋现由被执行人孙建国及其家属居住，无租赁。成交后由本院负责腾退，"
            "预计在余款付清后3个月内交付买受人；腾退完成前买受人不得自行入住或更换门锁。"
            "被执行人名下户口迁出时间本院无法保证。"
        ),
        appraisal_fen=3_260_000_00,
        starting_price_fen=2_282_000_00,
        increment_fen=10_000_00,
        deposit_fen=300_000_00,
        balance_days=30,
        bidding_starts_at=_at(today + 33 * DAY, 10),
        bidding_ends_at=_at(today + 34 * DAY, 10),
        now=_at(today - 3 * DAY, 15),
    )
    _photos(clerk, lot, [flat_building(), flat_plan()], at=_at(today - 3 * DAY, 16))
    return services.lot_announce(actor=clerk, lot=lot, now=_at(today - 2 * DAY, 9))


def _sold_car(clerk: User, court: Agency, bidders: dict[str, User], today: datetime.date) -> Lot:
    """(d) Sold last week after late bids moved the end twice; the others' deposits are
    refunded and the buyer has until the deadline in the notice to pay the balance.

    Left unpaid on purpose: a paid car's transfer notice would wait on the vehicle
    administration's desk, where the browser journey expects only its own car."""
    lot = services.lot_create(
        actor=clerk,
        court=court,
        kind=LotKind.VEHICLE,
        vehicle=_vehicle(_HAN, today),
        title="浙AD73615 比亚迪汉EV纯电动轿车一辆 BYD Han EV saloon",
        description=(
            "拍卖标的：被执行人李红梅名下浙AD73615号比亚迪牌汉EV纯电动小型轿车一辆，"
            "车架号LGXC76C30NA133802，2022年3月初次登记，蓝色，表显里程约4.2万公里，"
            "附随车充电枪一把，钥匙两把。\n\n"
            f"车辆现停放于本院指定停车场（杭州市拱墅区，演示地址）。{_VEHICLE_VIEWING}\n\n"
            "本标的无优先购买权人。\n\n" + DEMO_NOTE
        ),
        defects=(
            "动力电池健康度未经检测；前挡风玻璃有一条约10厘米裂纹；"
            "车机系统仍绑定原车主账户，需由买受人联系厂家解绑。"
        ),
        as_is_terms=_VEHICLE_AS_IS,
        taxes_and_fees=_VEHICLE_TAXES,
        appraisal_fen=150_000_00,
        starting_price_fen=105_000_00,
        increment_fen=2_000_00,
        deposit_fen=20_000_00,
        # The notice gives 15 days: the buyer is still inside them for a week after the demo
        # is loaded.
        balance_days=15,
        bidding_starts_at=_at(today - 6 * DAY, 10),
        bidding_ends_at=_at(today - 5 * DAY, 10),
        now=_at(today - 26 * DAY, 9),
    )
    _photos(clerk, lot, [car_side(_HAN), car_rear(_HAN)], at=_at(today - 26 * DAY, 10))
    lot = services.lot_announce(actor=clerk, lot=lot, now=_at(today - 25 * DAY, 9))
    _register(lot, bidders["feng"], at=_at(today - 15 * DAY, 19))
    _register(lot, bidders["chen"], at=_at(today - 10 * DAY, 12))
    _register(lot, bidders["huang"], at=_at(today - 8 * DAY, 22))
    _register(lot, bidders["zheng"], at=_at(today - 7 * DAY, 9))
    start, end = lot.bidding_starts_at, lot.bidding_ends_at
    bids = (
        ("feng", 105_000_00, start + 2 * HOUR),
        ("chen", 107_000_00, start + 5 * HOUR),
        ("feng", 109_000_00, start + 20 * HOUR),
        # In the last five minutes: each of these moves the end to five minutes later.
        ("huang", 111_000_00, end - 3 * MINUTE),
        ("chen", 113_000_00, end + MINUTE),
    )
    for key, amount, at in bids:
        services.bid_place(actor=bidders[key], lot=lot, amount_fen=amount, now=at)
    lot.refresh_from_db()
    lot = services.lot_close(lot=lot, now=lot.ends_at)
    # The close refunds the others' deposits after commit through a task; done here at
    # once so the demo shows them refunded whether or not a worker runs yet.
    services.lot_deposits_release(lot=lot, now=lot.ends_at + 10 * MINUTE)
    lot.refresh_from_db()
    return lot


def _failed_and_again(clerk: User, court: Agency, today: datetime.date) -> Lot:
    """(e) Nobody bid (流拍); the court offers it again with the starting price cut by
    20%, the most Art. 26 allows, on a 7-day notice."""
    drawings = [excavator()]
    lot = services.lot_create(
        actor=clerk,
        court=court,
        kind=LotKind.OTHER_MOVABLE,
        title="卡特彼勒320D2液压挖掘机一台 Caterpillar 320D2 excavator",
        description=(
            "拍卖标的：被执行人杭州某某土石方工程有限公司（演示名称）所有的卡特彼勒320D2型"
            "履带式液压挖掘机一台，2018年出厂，工作小时表显约9,400小时，附原厂铲斗一个。"
            "非道路移动机械，不办理机动车登记。\n\n"
            "现存放于杭州市余杭区某工地（演示地址），看样请提前两个工作日预约。"
            "成交后买受人须在余款付清后15日内自行拆运离场。\n\n本标的无优先购买权人。\n\n"
            + DEMO_NOTE
        ),
        defects=(
            "斗齿磨损严重；左侧履带有两块履带板断裂；回转马达处液压油管渗漏；"
            "驾驶室右侧玻璃缺失一块。附属破碎锤不在拍卖范围内。"
        ),
        as_is_terms=(
            "按现状拍卖、按现状交付，本院不对设备的性能、工作小时数作任何担保。"
            "参与竞买即视为已了解并接受标的现状。"
        ),
        taxes_and_fees=(
            "交易所涉及的一切税、费由买受人承担；拆卸、运输、吊装费用及相关安全责任"
            "由买受人自行承担。"
        ),
        appraisal_fen=260_000_00,
        starting_price_fen=182_000_00,
        increment_fen=2_000_00,
        deposit_fen=20_000_00,
        bidding_starts_at=_at(today - 20 * DAY, 10),
        bidding_ends_at=_at(today - 19 * DAY, 10),
        now=_at(today - 39 * DAY, 9),
    )
    _photos(clerk, lot, drawings, at=_at(today - 39 * DAY, 10))
    lot = services.lot_announce(actor=clerk, lot=lot, now=_at(today - 38 * DAY, 9))
    lot = services.lot_close(lot=lot, now=lot.ends_at)
    again = services.lot_reauction(
        actor=clerk,
        lot=lot,
        starting_price_fen=145_600_00,
        increment_fen=2_000_00,
        deposit_fen=15_000_00,
        bidding_starts_at=_at(today + 3 * DAY, 10),
        bidding_ends_at=_at(today + 4 * DAY, 10),
        now=_at(today - 18 * DAY, 9),
    )
    # The re-auction is a lot of its own: its notice shows the photos again.
    _photos(clerk, again, drawings, at=_at(today - 18 * DAY, 10))
    return services.lot_announce(actor=clerk, lot=again, now=_at(today - 5 * DAY, 9))


def _photos(clerk: User, lot: Lot, images: list[Image.Image], *, at: datetime.datetime) -> None:
    for number, image in enumerate(images, start=1):
        services.lot_photo_add(
            actor=clerk, lot=lot, upload=_png(image, f"lot-{number}.png"), now=at
        )


# (title, needs deposits paid at the cashier, the story)
_Story = Callable[[User, Agency, dict[str, User], datetime.date], Lot]
_STORIES: tuple[tuple[str, bool, _Story], ...] = (
    (
        "浙A5K2R9 大众帕萨特小型轿车一辆 Volkswagen Passat saloon",
        True,
        _open_car,
    ),
    (
        "浙A8M3L6 丰田凯美瑞小型轿车一辆 Toyota Camry saloon",
        False,
        lambda clerk, court, _bidders, today: _camry_in_notice(clerk, court, today),
    ),
    (
        "杭州市西湖区文三路某小区3幢2单元701室住宅 Flat in Xihu District, Hangzhou",
        False,
        lambda clerk, court, _bidders, today: _flat_in_notice(clerk, court, today),
    ),
    (
        "浙AD73615 比亚迪汉EV纯电动轿车一辆 BYD Han EV saloon",
        True,
        _sold_car,
    ),
    (
        "卡特彼勒320D2液压挖掘机一台 Caterpillar 320D2 excavator",
        False,
        lambda clerk, court, _bidders, today: _failed_and_again(clerk, court, today),
    ),
)
TITLES = tuple(title for title, _paid, _story in _STORIES)


def _state(lot: Lot, now: datetime.datetime) -> str:
    """The lot as the console describes it."""
    when = timezone.localtime
    if lot.status == LotStatus.PAID:
        return "sold and paid"
    if lot.status == LotStatus.SOLD:
        return f"sold; balance due {when(lot.balance_due_at):%Y-%m-%d}"
    if lot.status == LotStatus.FAILED:
        return "no bid (流拍); offered again" if hasattr(lot, "reauction") else "no bid (流拍)"
    if lot.status in (LotStatus.ANNOUNCED, LotStatus.BIDDING):
        if now < lot.bidding_starts_at:
            prefix = "re-auction in notice" if lot.reauction_of_id else "in notice"
            return f"{prefix}; bidding opens {when(lot.bidding_starts_at):%Y-%m-%d %H:%M}"
        if now < lot.ends_at:
            return f"bidding open until {when(lot.ends_at):%Y-%m-%d %H:%M}"
        return "bidding over; closing"
    return str(lot.get_status_display())


def load_auctions_demo(*, court: Agency, clerk: User) -> list[DemoLot]:
    """Load the court's lots once each; describe every demo lot (the re-auction too).
    Lots that need deposits paid are loaded only with the sandbox gateway: another
    gateway would take real money."""
    now = timezone.now()
    today = timezone.localdate(now)
    sandbox = settings.PAYMENTS_PROVIDER == "sandbox"
    bidders: dict[str, User] | None = None
    for title, paid, story in _STORIES:
        if paid and not sandbox:
            continue
        if Lot.objects.filter(court=court, title=title, reauction_of__isnull=True).exists():
            continue
        # One lot's story is one transaction: loaded whole, or not at all.
        with transaction.atomic():
            if bidders is None:
                bidders = _bidders()
            story(clerk, court, bidders, today)
    lots = Lot.objects.filter(court=court, title__in=TITLES).order_by("bidding_starts_at", "pk")
    return [
        DemoLot(reference=lot.reference, title=lot.title, state=_state(lot, now)) for lot in lots
    ]
