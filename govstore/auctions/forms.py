"""Forms for the auction pages. Amounts are typed in yuan and kept as fen: another
currency, or a fraction of a fen, is refused beside the field rather than rounded."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govstore.auctions import rules
from govstore.auctions.constants import (
    DESCRIPTION_MAX_LENGTH,
    DISCLOSURE_MAX_LENGTH,
    HOLDER_NAME_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    LotKind,
)
from govstore.auctions.models import Lot, PriorityHolder
from govstore.core.forms import AccessibleForm


class YuanField(forms.CharField):
    """An amount in yuan, cleaned to integer fen."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 24)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return rules.amount_parse(text, field="amount")
        except ValidationError as error:
            raise ValidationError(error.message_dict["amount"]) from None


def yuan_text(amount_fen: int | None) -> str:
    """Fen as the plain yuan a person would type back: 80000 or 80000.50."""
    if amount_fen is None:
        return ""
    yuan, fen = divmod(amount_fen, 100)
    return f"{yuan}" if not fen else f"{yuan}.{fen:02d}"


DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class LotForm(AccessibleForm):
    kind = forms.ChoiceField(label=_("Kind of property"), choices=LotKind.choices)
    plate_number = forms.CharField(
        label=_("Plate number of the vehicle"),
        required=False,
        max_length=8,
        help_text=_("For a vehicle only: as registered, like 浙A12345."),
    )
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    description = forms.CharField(
        label=_("Description"), max_length=DESCRIPTION_MAX_LENGTH, widget=forms.Textarea
    )
    defects = forms.CharField(
        label=_("Known defects"), max_length=DISCLOSURE_MAX_LENGTH, widget=forms.Textarea
    )
    as_is_terms = forms.CharField(
        label=_("Sold as is"), max_length=DISCLOSURE_MAX_LENGTH, widget=forms.Textarea
    )
    taxes_and_fees = forms.CharField(
        label=_("Taxes and fees"), max_length=DISCLOSURE_MAX_LENGTH, widget=forms.Textarea
    )
    occupancy = forms.CharField(
        label=_("Occupancy"),
        max_length=DISCLOSURE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea,
        help_text=_("Who lives in or uses the property, and any lease."),
    )
    appraisal = YuanField(label=_("Appraised value (yuan)"))
    starting_price = YuanField(
        label=_("Starting price (yuan)"), help_text=_("At least 70 percent of the appraised value.")
    )
    increment = YuanField(label=_("Bid increment (yuan)"))
    deposit = YuanField(
        label=_("Deposit (yuan)"), help_text=_("From 5 to 20 percent of the starting price.")
    )
    bidding_starts_at = forms.DateTimeField(label=_("Bidding starts"), widget=DATETIME_INPUT)
    bidding_ends_at = forms.DateTimeField(
        label=_("Bidding ends"),
        widget=DATETIME_INPUT,
        help_text=_("At least 24 hours after the start."),
    )
    balance_days = forms.IntegerField(
        label=_("Days to pay the balance"), min_value=1, max_value=90, initial=10
    )
    priority_holders = forms.CharField(
        label=_("Priority right holders"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: rank, then name, like “1 张三”."),
    )

    def clean_priority_holders(self) -> list[tuple[str, int]]:
        holders = []
        for line in (self.cleaned_data.get("priority_holders") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            rank, _sep, name = line.partition(" ")
            name = name.strip()
            if not rank.isdigit() or int(rank) < 1 or not name:
                raise ValidationError(
                    _("Write each holder as a rank from 1, a space, then the name: “1 张三”.")
                )
            if len(name) > HOLDER_NAME_MAX_LENGTH:
                raise ValidationError(_("A holder's name is too long."))
            holders.append((name, int(rank)))
        return holders

    def clean_plate_number(self) -> str:
        return (self.cleaned_data.get("plate_number") or "").strip().upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == LotKind.VEHICLE and not data.get("plate_number"):
            self.add_error("plate_number", _("Give the plate number of the vehicle for sale."))
        return data

    @classmethod
    def initial_for(cls, lot: Lot) -> dict[str, Any]:
        local = timezone.localtime
        holders = "\n".join(
            f"{holder.rank} {holder.name}" for holder in PriorityHolder.objects.filter(lot=lot)
        )
        return {
            "kind": lot.kind,
            "plate_number": lot.vehicle.plate_number if lot.vehicle else "",
            "title": lot.title,
            "description": lot.description,
            "defects": lot.defects,
            "as_is_terms": lot.as_is_terms,
            "taxes_and_fees": lot.taxes_and_fees,
            "occupancy": lot.occupancy,
            "appraisal": yuan_text(lot.appraisal_fen),
            "starting_price": yuan_text(lot.starting_price_fen),
            "increment": yuan_text(lot.increment_fen),
            "deposit": yuan_text(lot.deposit_fen),
            "bidding_starts_at": local(lot.bidding_starts_at),
            "bidding_ends_at": local(lot.bidding_ends_at),
            "balance_days": lot.balance_days,
            "priority_holders": holders,
        }


# The names the services give their errors, mapped to this form's fields.
SERVICE_FIELDS = {
    "appraisal_fen": "appraisal",
    "starting_price_fen": "starting_price",
    "increment_fen": "increment",
    "deposit_fen": "deposit",
    "vehicle": "plate_number",
}


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal beside the fields it names, or at the top."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            field = SERVICE_FIELDS.get(name, name)
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class PhotoForm(AccessibleForm):
    photo = forms.FileField(
        label=_("Add a photo"), help_text=_("A JPEG, PNG or HEIC photo from a phone.")
    )


class BidForm(AccessibleForm):
    amount = YuanField(label=_("Your bid (yuan)"))


class ProxyForm(AccessibleForm):
    maximum = YuanField(
        label=_("Most you will pay (yuan)"),
        required=False,
        help_text=_(
            "We bid the increment for you whenever you are outbid, up to this amount. "
            "Leave it empty to stop."
        ),
    )


class RegisterForm(AccessibleForm):
    holder = forms.TypedChoiceField(
        label=_("Do you hold a priority right named in the notice?"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, lot: Lot, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        holders = list(PriorityHolder.objects.filter(lot=lot))
        choices: list[tuple[Any, Any]] = [("", _("No"))]
        choices += [
            (
                holder.pk,
                _("Yes, I am %(name)s (rank %(rank)s)")
                % {"name": holder.name, "rank": holder.rank},
            )
            for holder in holders
        ]
        field = self.fields["holder"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        if not holders:
            self.fields["holder"].widget = forms.HiddenInput()


class WithdrawForm(AccessibleForm):
    reason = forms.CharField(label=_("Why is the lot withdrawn?"), max_length=500)


class ReofferForm(AccessibleForm):
    """A failed (or unpaid) lot offered again: a re-auction, or after a second failure
    a fixed-price sale, where the starting price is the price."""

    starting_price = YuanField(
        label=_("Starting price (yuan)"),
        help_text=_("At most 20 percent below the last auction's starting price."),
    )
    increment = YuanField(label=_("Bid increment (yuan)"), required=False)
    deposit = YuanField(
        label=_("Deposit (yuan)"), help_text=_("From 5 to 20 percent of the starting price.")
    )
    bidding_starts_at = forms.DateTimeField(label=_("Bidding starts"), widget=DATETIME_INPUT)
    bidding_ends_at = forms.DateTimeField(label=_("Bidding ends"), widget=DATETIME_INPUT)

    def __init__(self, *args: Any, fixed_price: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fixed_price = fixed_price
        if fixed_price:
            del self.fields["increment"]
            self.fields["starting_price"].label = _("Fixed price (yuan)")
            self.fields["starting_price"].help_text = _(
                "No lower than the last auction's starting price."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        missing = "increment" in self.fields and not data.get("increment")
        if missing and "increment" not in self.errors:
            self.add_error("increment", _("Give the bid increment."))
        return data
