"""The ML order (`GET /orders/{id}`), reduced to the fields the mapping reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator

from connectors.mercadolibre.payloads.fields import (
    ItemId,
    MeliId,
    MeliModel,
    Money,
    Quantity,
    Tags,
    UtcTime,
    describe,
)


class Buyer(MeliModel):
    id: MeliId
    nickname: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None

    @field_validator("phone", mode="before")
    @classmethod
    def _phone(cls, value: object) -> str | None:
        """ML sends `{"area_code", "number", ...}`; keep the digits people dial, or nothing."""
        if isinstance(value, dict):
            parts = [value.get("area_code"), value.get("number")]
            value = " ".join(str(part).strip() for part in parts if isinstance(part, str | int) and part != "")
        return value if isinstance(value, str) and value.strip() else None


class Seller(MeliModel):
    id: MeliId | None = None


class Shipping(MeliModel):
    id: MeliId | None = None


class CancelDetail(MeliModel):
    code: str | None = None
    group: str | None = None
    requested_by: str | None = None
    date: UtcTime | None = None


class Item(MeliModel):
    id: ItemId
    title: str | None = None
    variation_id: MeliId | None = None
    seller_sku: str | None = None


class OrderLine(MeliModel):
    item: Item
    quantity: Quantity
    unit_price: Money
    currency_id: str | None = None


class OrderPayment(MeliModel):
    """A payment as embedded in the order."""

    id: MeliId
    status: str | None = None
    status_detail: str | None = None
    currency_id: str | None = None
    transaction_amount: Money | None = None
    total_paid_amount: Money | None = None
    transaction_amount_refunded: Money | None = None
    date_created: UtcTime | None = None
    date_approved: UtcTime | None = None


class Order(MeliModel):
    id: MeliId
    status: str
    status_detail: str | None = None
    buyer: Buyer
    seller: Seller | None = None
    currency_id: str | None = None
    total_amount: Money | None = None
    paid_amount: Money | None = None
    pack_id: MeliId | None = None
    shipping: Shipping | None = None
    cancel_detail: CancelDetail | None = None
    tags: Tags = ()
    date_created: UtcTime | None = None
    date_closed: UtcTime | None = None
    last_updated: UtcTime | None = Field(
        default=None, validation_alias=AliasChoices("last_updated", "date_last_updated")
    )
    payments: tuple[OrderPayment, ...] = ()
    order_items: tuple[OrderLine, ...] = ()
    item_problems: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _split_items(cls, data: Any) -> Any:
        """Keep the valid order lines and describe the others: one bad line never fails the order."""
        if not isinstance(data, dict):
            return data
        lines, problems = _valid_lines(data.get("order_items"))
        payments = data.get("payments")
        return {**data, "order_items": lines, "item_problems": problems, "payments": payments or ()}

    @property
    def shipment_id(self) -> str | None:
        return self.shipping.id if self.shipping else None

    @property
    def seller_id(self) -> str | None:
        return self.seller.id if self.seller else None

    @property
    def updated_at(self) -> datetime | None:
        """The best 'as of' time the order carries."""
        return self.last_updated or self.date_closed or self.date_created


def _valid_lines(raw: object) -> tuple[list[OrderLine], list[str]]:
    if raw is None:
        return [], []
    if not isinstance(raw, list):
        return [], ["order_items: must be a list; no items read"]
    lines: list[OrderLine] = []
    problems: list[str] = []
    for index, entry in enumerate(raw):
        try:
            lines.append(OrderLine.model_validate(entry))
        except ValidationError as error:
            problems.append(f"skipped line: {describe(error, f'order_items[{index}]')}")
    return lines, problems
