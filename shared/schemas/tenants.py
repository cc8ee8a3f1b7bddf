"""Tenants and database servers on the wire."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse(value: str | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value)


@dataclass(frozen=True)
class TenantInfo:
    id: str
    name: str
    state: str
    timezone: str
    currency: str
    locale: str
    server: str
    database: str
    schema_revision: str | None
    created_at: dt.datetime
    deactivated_at: dt.datetime | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["created_at"] = _iso(self.created_at)
        data["deactivated_at"] = _iso(self.deactivated_at)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TenantInfo:
        fields = {k: data.get(k) for k in cls.__dataclass_fields__}
        fields["created_at"] = _parse(data["created_at"])
        fields["deactivated_at"] = _parse(data.get("deactivated_at"))
        return cls(**fields)


@dataclass(frozen=True)
class ServerInfo:
    id: int
    name: str
    tenants: int
    accepts_tenants: bool
    reachable: bool | None = None
    version: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ServerInfo:
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class TenantSettings:
    """What a tenant's managers tune of their bot: its language, the delivery fee added to every
    WhatsApp order, and their own wording of any bot text (`texts`: key -> template)."""

    locale: str
    delivery_fee: Decimal
    texts: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {"locale": self.locale, "delivery_fee": str(self.delivery_fee), "texts": dict(self.texts)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TenantSettings:
        return cls(str(data["locale"]), Decimal(str(data["delivery_fee"])),
                   {str(k): str(v) for k, v in (data.get("texts") or {}).items()})
