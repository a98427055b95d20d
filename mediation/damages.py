"""Damages calculators for the claims form and the mediator's table.

Each calculator applies one rule of 《最高人民法院关于审理商品房买卖合同纠纷案件适用法律
若干问题的解释》(2020年修正, "商品房买卖合同解释") and 《民法典》, and explains itself
line by line with the numbers used, so a homeowner, a developer and a mediator can check
the same figure:

- Late delivery (逾期交房): the contract's agreed daily rate applied to the price for each
  overdue day; without an agreed rate, the rent of a comparable unit in the same area for
  the overdue period (商品房买卖合同解释: 同地段同类房屋租金标准). Agreed damages above the
  actual loss by more than 30 % may be reduced on request (民法典 art. 585(2); the
  interpretation takes "loss + 30 %" as the yardstick).
- Title delay (逾期办证): the seller is liable once the agreed period for registration — or,
  without one, 90 days from delivery (from signing, for a unit already completed when
  sold) — has passed; without agreed damages, the amount paid × the overdue-loan interest
  rate (商品房买卖合同解释 art. 14).
- Area difference (面积差异): the ratio (measured − contract) ÷ contract. Within 3 % (3 %
  included) the price is settled at the measured area at the agreed unit price and the
  buyer cannot rescind. Beyond 3 % the buyer may rescind; if the buyer keeps the unit, a
  larger unit's excess beyond 3 % is borne by the seller, and a smaller unit's shortfall
  beyond 3 % is refunded double (商品房买卖合同解释, 面积误差条款).

Money is integer fen in and out. Arithmetic is exact (integers and fractions, never
float); every amount shown is rounded half-up to the fen (四舍五入到分), and a total is
the sum of the rounded amounts on its lines, so the lines always add up.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from mediation.amounts import format_yuan, round_half_up
from mediation.lifecycle import date_zh
from mediation.messages import Msg

__all__ = [
    "AREA_TOLERANCE",
    "AreaDifferenceSettlement",
    "DamagesInputError",
    "LateDeliveryDamages",
    "REDUCTION_MARGIN",
    "TITLE_GRACE_DAYS",
    "TitleDelayDamages",
    "area_difference_settlement",
    "format_yuan",
    "late_delivery_damages",
    "round_fen",
    "title_delay_damages",
]

# Agreed damages exceeding the loss by more than 30 % count as "excessively higher"
# and may be reduced towards loss × 130 % (商品房买卖合同解释; 民法典 art. 585(2)).
REDUCTION_MARGIN = Fraction(30, 100)

# Without an agreed registration period the seller has 90 days (商品房买卖合同解释 art. 14):
# the time the registration authorities need once the unit is handed over.
TITLE_GRACE_DAYS = 90

# The area tolerance of 3 % (inclusive): the measurement error the interpretation and the
# model contract (GF-2014-0171) accept before a buyer may rescind.
AREA_TOLERANCE = Fraction(3, 100)

# Rent standards are monthly; a part month is charged at a 30th of the month's rent per
# day, the common convention for daily rent.
DAYS_PER_RENT_MONTH = 30

# Overdue-loan interest is an annual rate; the title-delay formula counts 365 days a year.
DAYS_PER_YEAR = 365

# --- Bounds of every input ------------------------------------------------------------
# A calculator answers questions about real flats. Anything beyond these bounds is a
# typing error (an extra zero, a rate typed in ‰ as a percentage, a mistyped year), and
# left unchecked it fills a phone screen with a 300-digit "amount".

#: 1 billion yuan: more than any single flat in China has sold for.
MAX_PRICE_FEN = 1_000_000_000 * 100
#: 1 million yuan a month: more than any flat's rent.
MAX_MONTHLY_RENT_FEN = 1_000_000 * 100
#: 10 ‰ a day (1 % a day, 365 % a year): contracts agree 0.1–1 ‰ (万分之一 to 千分之一);
#: a rate above this is a typing error, and a court would reduce it anyway (民法典 art. 585).
MAX_DAILY_RATE_PERMILLE = Decimal(10)
#: Rates are written to at most 4 decimals of ‰ (万分之0.5 = 0.05 ‰).
RATE_PLACES = 4
#: 24 % a year: the former ceiling of protected private-lending interest; overdue-loan
#: rates (LPR raised by 30–50 %) are about 5 %.
MAX_ANNUAL_RATE_BP = 2400
#: 10,000 m²: more than any one unit; areas are surveyed to 0.01 m².
MAX_AREA_M2 = Decimal(10_000)
AREA_PLACES = 2
#: Commodity housing has been sold since the 1990s (城市房地产管理法 1994); no contract
#: about a flat is older. No damages accrue after today: a later day is a forecast.
EARLIEST_DAY = date(1990, 1, 1)
LATEST_DAY = date(2099, 12, 31)


class DamagesInputError(ValueError):
    """An input the calculators cannot use; ``field`` names the form field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# --- Results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LateDeliveryDamages:
    amount_fen: int
    overdue_days: int
    basis: str  # "agreed_rate", "rent_standard" or "not_overdue"
    may_be_reduced: bool = False  # agreed damages above loss × 130 %
    reduction_floor_fen: int | None = None  # loss × 130 %, when a loss was given
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TitleDelayDamages:
    amount_fen: int
    liable_from: date  # the first day for which the seller is liable
    overdue_days: int
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AreaDifferenceSettlement:
    ratio: Fraction  # (measured − contract) ÷ contract
    within_tolerance: bool
    buyer_may_rescind: bool
    buyer_pays_fen: int  # the buyer makes up the price (unit larger)
    seller_refunds_fen: int  # the seller returns money (unit smaller), double beyond 3 %
    seller_bears_fen: int  # value of the excess beyond 3 % the buyer gets for free
    lines: list[str] = field(default_factory=list)

    @property
    def amount_fen(self) -> int:
        """The money that changes hands, whoever pays it."""
        return self.buyer_pays_fen + self.seller_refunds_fen


# --- Helpers ---------------------------------------------------------------------------


#: Round an exact amount of fen half-up (away from zero at .5).
round_fen = round_half_up




def _day(day: date) -> Msg:
    """A date in a message: 2026年10月10日, or 2026-10-10 in English."""
    return Msg(date_zh(day), day.isoformat())


def _fen(value, field_name: str, label: str, maximum: int = MAX_PRICE_FEN) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DamagesInputError(field_name, Msg("{label}应为以分计的整数金额",
                                                "The {label} is a whole amount in fen",
                                                label=label))
    if value < 0:
        raise DamagesInputError(field_name, Msg("{label}不能为负数",
                                                "The {label} cannot be negative", label=label))
    if value > maximum:
        raise DamagesInputError(
            field_name, Msg("{label}不能超过{maximum}，请核对是否多输了位数",
                            "The {label} cannot exceed {maximum}; check for an extra digit",
                            label=label, maximum=format_yuan(maximum)))
    return value


def _number(value, field_name: str, label: str) -> Decimal:
    """Read an exact decimal number (int, Decimal or str); floats are refused as inexact."""
    if isinstance(value, bool) or isinstance(value, float):
        raise DamagesInputError(field_name, Msg("{label}请以精确数字（整数、字符串或Decimal）填写",
                                                "Give the {label} as an exact number (integer, string or Decimal)",
                                                label=label))
    try:
        number = Decimal(str(value).strip()) if isinstance(value, str) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise DamagesInputError(field_name, Msg("{label}应为数字",
                                                "The {label} must be a number",
                                                label=label)) from None
    if not number.is_finite():
        raise DamagesInputError(field_name, Msg("{label}应为数字",
                                                "The {label} must be a number", label=label))
    if number < 0:
        raise DamagesInputError(field_name, Msg("{label}不能为负数",
                                                "The {label} cannot be negative", label=label))
    return number


def _bounded_number(value, field_name: str, label: str, maximum: Decimal, places: int,
                    unit: str, why: str) -> Decimal:
    number = _number(value, field_name, label)
    if number > maximum:
        raise DamagesInputError(field_name, Msg("{label}不能超过{maximum}{unit}（{why}），请核对",
                                                "The {label} cannot exceed {maximum}{unit} ({why}); please check",
                                                label=label, maximum=maximum, unit=unit, why=why))
    if number != number.quantize(Decimal(1).scaleb(-places), rounding="ROUND_DOWN"):
        raise DamagesInputError(field_name, Msg("{label}最多保留{places}位小数",
                                                "The {label} has at most {places} decimals",
                                                label=label, places=places))
    return number


def _date(value, field_name: str, label: str, today: date | None = None) -> date:
    if not isinstance(value, date):
        raise DamagesInputError(field_name, Msg("请填写{label}",
                                                "Please enter the {label}", label=label))
    if value < EARLIEST_DAY:
        raise DamagesInputError(
            field_name, Msg("{label}不能早于{earliest_day}（商品房买卖始于上世纪九十年代），请核对年份",
                            "The {label} cannot be before {earliest_day} (commercial home sales began in the 1990s); check the year",
                            label=label, earliest_day=_day(EARLIEST_DAY)))
    latest = today or LATEST_DAY
    if value > latest:
        raise DamagesInputError(
            field_name, Msg("{label}不能晚于今天（{latest}）：违约金只计算到今天为止",
                            "The {label} cannot be after today ({latest}): penalties are counted up to today",
                            label=label, latest=_day(latest))
            if today else Msg("{label}不能晚于{latest}，请核对年份",
                              "The {label} cannot be after {latest}; check the year",
                              label=label, latest=_day(latest)))
    return value


def _decimal_text(value: Fraction | Decimal, places: int = 4) -> str:
    """Show a number with at least 2 and at most ``places`` decimals (half-up)."""
    value = Fraction(value)
    units = round_fen(abs(value) * 10**places)
    text = f"{Decimal(units).scaleb(-places):.{places}f}".rstrip("0")
    whole, _, decimals = text.partition(".")
    exact = Fraction(units, 10**places) == abs(value)
    sign = "−" if value < 0 else ""
    return ("" if exact else "约") + f"{sign}{whole}.{decimals.ljust(2, '0')}"


def _add_months(d: date, months: int) -> date:
    month_index = d.month - 1 + months
    year, month = d.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _months_and_days(start: date, end: date) -> tuple[int, int]:
    """Split start → end into whole calendar months and remaining days."""
    months = 0
    while _add_months(start, months + 1) <= end:
        months += 1
    return months, (end - _add_months(start, months)).days


# --- Late delivery ---------------------------------------------------------------------


def late_delivery_damages(
    price_fen: int,
    promised_on: date,
    delivered_on: date,
    daily_rate_permille=None,
    monthly_rent_fen: int | None = None,
    loss_fen: int | None = None,
    *,
    today: date | None = None,
) -> LateDeliveryDamages:
    """Compute damages for delivering the unit late.

    ``delivered_on`` is the actual delivery date, or the date up to which damages are
    counted when the unit is not yet delivered. ``daily_rate_permille`` is the agreed
    daily rate in ‰ of the price (e.g. ``"0.5"`` for 万分之五); it takes precedence over
    ``monthly_rent_fen``, the local rent standard for a comparable unit. ``loss_fen`` is
    the actual loss, used to flag agreed damages that may be reduced. ``today`` (the
    court's date) is the latest day any date may name.
    """
    price_fen = _fen(price_fen, "price_fen", Msg("房价款", "price"))
    promised_on = _date(promised_on, "promised_on", Msg("约定交付日期", "agreed delivery date"), today)
    delivered_on = _date(delivered_on, "delivered_on", Msg("实际交付日期", "actual delivery date"), today)
    if loss_fen is not None:
        loss_fen = _fen(loss_fen, "loss_fen", Msg("实际损失", "actual loss"))

    overdue_days = (delivered_on - promised_on).days
    dates = (
        f"约定交付日期：{date_zh(promised_on)}；"
        f"实际交付（或计算截止）日期：{date_zh(delivered_on)}"
    )
    if overdue_days <= 0:
        return LateDeliveryDamages(
            amount_fen=0, overdue_days=0, basis="not_overdue",
            lines=[dates, "未逾期交付，不产生逾期交房违约金"],
        )
    lines = [dates + f"；逾期{overdue_days}天（自约定交付日次日起算）"]

    if daily_rate_permille is not None:
        rate = _bounded_number(daily_rate_permille, "daily_rate_permille", Msg("约定违约金日比例", "agreed daily penalty rate"),
                               MAX_DAILY_RATE_PERMILLE, RATE_PLACES, "‰",
                               Msg("即每日1%；合同通常约定万分之一至千分之一",
                                   "1% a day; contracts usually agree 0.1‰ to 1‰"))
        amount = round_fen(Fraction(price_fen) * Fraction(rate) / 1000 * overdue_days)
        lines.append(
            f"按合同约定计算：房价款{format_yuan(price_fen)} × 日{rate.normalize():f}‰ × "
            f"{overdue_days}天 = {format_yuan(amount)}"
        )
        may_be_reduced, floor = False, None
        if loss_fen is not None:
            floor = round_fen(Fraction(loss_fen) * (1 + REDUCTION_MARGIN))
            if amount > floor:
                may_be_reduced = True
                lines.append(
                    f"约定违约金{format_yuan(amount)}超过实际损失{format_yuan(loss_fen)}的130%"
                    f"（{format_yuan(floor)}），属过分高于损失，开发企业可请求人民法院适当减少"
                    "（《民法典》第五百八十五条第二款；商品房买卖合同解释：以超过损失30%为标准适当减少）"
                )
            elif amount < loss_fen:
                lines.append(
                    f"约定违约金{format_yuan(amount)}低于实际损失{format_yuan(loss_fen)}，"
                    "购房人可请求按实际损失增加（《民法典》第五百八十五条第二款）"
                )
            else:
                lines.append(
                    f"约定违约金未超过实际损失的130%（{format_yuan(floor)}），一般不予调整"
                )
        return LateDeliveryDamages(
            amount_fen=amount, overdue_days=overdue_days, basis="agreed_rate",
            may_be_reduced=may_be_reduced, reduction_floor_fen=floor, lines=lines,
        )

    if monthly_rent_fen is not None:
        rent = _fen(monthly_rent_fen, "monthly_rent_fen", Msg("月租金标准", "monthly rent"), MAX_MONTHLY_RENT_FEN)
        months, days = _months_and_days(promised_on, delivered_on)
        month_part = rent * months
        day_part = round_fen(Fraction(rent * days, DAYS_PER_RENT_MONTH))
        amount = month_part + day_part
        lines.append(
            "合同未约定违约金日比例，参照逾期期间同地段同类房屋租金标准计算（商品房买卖合同解释）"
        )
        lines.append(
            f"逾期{months}个月又{days}天：{format_yuan(rent)}/月 × {months}个月"
            f" + {format_yuan(rent)} ÷ {DAYS_PER_RENT_MONTH} × {days}天"
            f" = {format_yuan(month_part)} + {format_yuan(day_part)} = {format_yuan(amount)}"
        )
        return LateDeliveryDamages(
            amount_fen=amount, overdue_days=overdue_days, basis="rent_standard", lines=lines,
        )

    raise DamagesInputError(
        "daily_rate_permille", Msg("请填写合同约定的违约金日比例，或当地同类房屋的月租金标准",
                                   "Please enter the daily penalty rate agreed in the contract, or the local monthly rent of a similar home")
    )


# --- Title delay -----------------------------------------------------------------------


def title_delay_damages(
    paid_fen: int,
    delivered_on: date,
    obtained_on: date,
    annual_rate_bp: int,
    agreed_deadline: date | None = None,
    completed_sale_signed_on: date | None = None,
    *,
    today: date | None = None,
) -> TitleDelayDamages:
    """Compute damages for the buyer's late title certificate (不动产权属证书).

    ``paid_fen``: the purchase money paid (usually the whole price). ``obtained_on``: when
    the certificate was obtained, or the date up to which damages are counted.
    ``annual_rate_bp``: the overdue-loan annual rate in basis points (385 = 3.85 %), as
    the court applies it. ``agreed_deadline``: the contract's registration deadline, if
    any. ``completed_sale_signed_on``: for a unit already completed when sold, the
    signing date, from which the 90 days then run. ``today`` (the court's date) is the
    latest day any date may name.
    """
    paid_fen = _fen(paid_fen, "paid_fen", Msg("已付购房款", "price paid"))
    obtained_on = _date(obtained_on, "obtained_on", Msg("取得权属证书（或计算截止）日期",
                                                    "date the title certificate was obtained (or the end of the count)"), today)
    if isinstance(annual_rate_bp, bool) or not isinstance(annual_rate_bp, int) \
            or annual_rate_bp < 0:
        raise DamagesInputError(
            "annual_rate_bp", Msg("逾期贷款年利率应为非负整数（以基点计，385即3.85%）",
                                  "The annual overdue-loan rate is a non-negative whole number of basis points (385 is 3.85%)")
        )
    if annual_rate_bp > MAX_ANNUAL_RATE_BP:
        raise DamagesInputError(
            "annual_rate_bp", Msg("逾期贷款年利率不能超过{max_annual_rate_bp}%（逾期贷款利率为LPR上浮30%–50%，约5%），请核对",
                                  "The annual overdue-loan rate cannot exceed {max_annual_rate_bp}% (overdue-loan rates are LPR plus 30%–50%, about 5%); please check",
                                  max_annual_rate_bp=MAX_ANNUAL_RATE_BP // 100))

    if agreed_deadline is not None:
        deadline = _date(agreed_deadline, "agreed_deadline", Msg("约定办证期限", "agreed deadline for the title certificate"), today)
        basis = f"合同约定的办证期限于{date_zh(deadline)}届满"
    elif completed_sale_signed_on is not None:
        signed = _date(completed_sale_signed_on, "completed_sale_signed_on", Msg("合同订立日期", "contract date"), today)
        deadline = signed + timedelta(days=TITLE_GRACE_DAYS)
        basis = (
            f"合同未约定办证期限，标的物为已竣工房屋，自合同订立之日（{date_zh(signed)}）起"
            f"{TITLE_GRACE_DAYS}日于{date_zh(deadline)}届满"
        )
    else:
        delivered_on = _date(delivered_on, "delivered_on", Msg("房屋交付日期", "delivery date"), today)
        deadline = delivered_on + timedelta(days=TITLE_GRACE_DAYS)
        basis = (
            f"合同未约定办证期限，自房屋交付之日（{date_zh(delivered_on)}）起"
            f"{TITLE_GRACE_DAYS}日于{date_zh(deadline)}届满"
        )
    liable_from = deadline + timedelta(days=1)
    overdue_days = max(0, (obtained_on - deadline).days)
    lines = [basis + "（商品房买卖合同解释第十四条）"]
    if overdue_days == 0:
        lines.append(f"截至{date_zh(obtained_on)}未超过办证期限，不产生逾期办证违约金")
        return TitleDelayDamages(0, liable_from, 0, lines)

    amount = round_fen(
        Fraction(paid_fen) * Fraction(annual_rate_bp, 10_000) * overdue_days / DAYS_PER_YEAR
    )
    rate_text = f"{Decimal(annual_rate_bp).scaleb(-2):f}%"
    lines.append(
        f"自{date_zh(liable_from)}至{date_zh(obtained_on)}逾期{overdue_days}天"
    )
    lines.append(
        f"未约定违约金的，参照逾期贷款利息标准：已付购房款{format_yuan(paid_fen)} × 年利率"
        f"{rate_text} × {overdue_days}天 ÷ {DAYS_PER_YEAR} = {format_yuan(amount)}"
    )
    return TitleDelayDamages(amount, liable_from, overdue_days, lines)


# --- Area difference -------------------------------------------------------------------


def area_difference_settlement(
    price_fen: int, contract_area_m2, measured_area_m2
) -> AreaDifferenceSettlement:
    """Settle the difference between the contract area and the measured area.

    ``price_fen`` is the contract price for ``contract_area_m2``; the agreed unit price is
    their quotient. Areas are exact numbers (str, int or Decimal), e.g. ``"89.56"``.
    Beyond 3 % the result shows the settlement if the buyer keeps the unit (the buyer
    may instead rescind and recover what was paid, with interest).
    """
    price_fen = _fen(price_fen, "price_fen", Msg("房价款", "price"))
    contract = Fraction(_bounded_number(contract_area_m2, "contract_area_m2", Msg("合同约定面积", "contract area"),
                                        MAX_AREA_M2, AREA_PLACES, "㎡", Msg("远超任何一套房屋", "far above any home")))
    measured = Fraction(_bounded_number(measured_area_m2, "measured_area_m2", Msg("实测面积", "measured area"),
                                        MAX_AREA_M2, AREA_PLACES, "㎡", Msg("远超任何一套房屋", "far above any home")))
    if contract == 0:
        raise DamagesInputError("contract_area_m2", Msg("合同约定面积应大于0",
                                                        "The contract area must be above 0"))

    def value(area: Fraction) -> int:
        """Price of ``area`` square metres at the agreed unit price, rounded to the fen."""
        return round_fen(price_fen * area / contract)

    def area_text(area: Fraction) -> str:
        return _decimal_text(area) + "㎡"

    difference = measured - contract
    ratio = difference / contract
    ratio_text = _decimal_text(ratio * 100, 2)
    lines = [
        f"面积误差比 = (实测面积 − 合同约定面积) ÷ 合同约定面积 = ({area_text(measured)} − "
        f"{area_text(contract)}) ÷ {area_text(contract)} = {ratio_text}%",
        f"约定单价 = {format_yuan(price_fen)} ÷ {area_text(contract)} "
        f"{'=' if round_fen(price_fen / contract) == price_fen / contract else '≈'} "
        f"{format_yuan(round_fen(price_fen / contract))}/㎡",
    ]
    pays = refunds = bears = 0

    if abs(ratio) <= AREA_TOLERANCE:
        lines.append("误差比绝对值在3%以内（含3%），按约定单价据实结算，买受人请求解除合同的不予支持")
        if difference > 0:
            pays = value(difference)
            lines.append(
                f"买受人补足：{format_yuan(price_fen)} × {area_text(difference)} ÷ "
                f"{area_text(contract)} = {format_yuan(pays)}"
            )
        elif difference < 0:
            refunds = value(-difference)
            lines.append(
                f"出卖人返还：{format_yuan(price_fen)} × {area_text(-difference)} ÷ "
                f"{area_text(contract)} = {format_yuan(refunds)}"
            )
        else:
            lines.append("面积无差异，无需结算")
        return AreaDifferenceSettlement(ratio, True, False, pays, refunds, bears, lines)

    within = contract * AREA_TOLERANCE
    beyond = abs(difference) - within
    lines.append(
        "误差比绝对值超出3%，买受人可请求解除合同、返还已付购房款及利息；"
        "买受人继续履行的，按以下方式结算："
    )
    if difference > 0:
        pays = value(within)
        bears = value(beyond)
        lines.append(
            f"3%以内部分由买受人补足：{format_yuan(price_fen)} × {area_text(within)} ÷ "
            f"{area_text(contract)} = {format_yuan(pays)}"
        )
        lines.append(
            f"超出3%部分（{area_text(beyond)}）的房价款{format_yuan(bears)}由出卖人承担，"
            "产权归买受人"
        )
    else:
        within_refund = value(within)
        double_refund = round_fen(2 * price_fen * beyond / contract)
        refunds = within_refund + double_refund
        lines.append(
            f"3%以内部分由出卖人返还：{format_yuan(price_fen)} × {area_text(within)} ÷ "
            f"{area_text(contract)} = {format_yuan(within_refund)}（另计利息）"
        )
        lines.append(
            f"超出3%部分双倍返还：2 × {format_yuan(price_fen)} × {area_text(beyond)} ÷ "
            f"{area_text(contract)} = {format_yuan(double_refund)}"
        )
        lines.append(
            f"出卖人共返还：{format_yuan(within_refund)} + {format_yuan(double_refund)} = "
            f"{format_yuan(refunds)}"
        )
    return AreaDifferenceSettlement(ratio, False, True, pays, refunds, bears, lines)
