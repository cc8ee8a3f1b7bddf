"""The columns of each table (tenants, users, orders, customers, products, import issues, KPIs, audit)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from babel import Locale, UnknownLocaleError

from comandia.console.formats import TenantFormat
from comandia.console.i18n import Translator
from comandia.console.models.table import Column
from comandia.shared.schemas.audit import AuditEntryInfo
from comandia.shared.schemas.catalog import ImportIssue, ProductInfo
from comandia.shared.schemas.customers import CustomerInfo
from comandia.shared.schemas.kpis import TenantActivity
from comandia.shared.schemas.orders import OrderItemInfo, OrderSummary
from comandia.shared.schemas.tenants import TenantInfo
from comandia.shared.schemas.users import UserInfo


def channel_label(channel: str, tr: Translator) -> str:
    """Where an order came from in the screen language ("Prueba" for the test chat's); a channel this
    console does not know (a newer server's) as the server names it."""
    key = f"channel.{channel}"
    label = tr(key)
    return channel if label == key else label


SYSTEM_ACTORS = ("whatsapp", "demo")
"""Who changed an order when no person did: the customer in the chat (`CHAT_ACTOR`), the demo data."""


def actor_label(actor: str, tr: Translator) -> str:
    """Who made a change, in the screen language: a person's user name as it is, the appliance's
    own actors ("whatsapp": the customer in the chat) as a phrase, never as a code."""
    return tr(f"actor.{actor}") if actor in SYSTEM_ACTORS else actor


def tenant_columns(tr: Translator, fmt: TenantFormat) -> list[Column[TenantInfo]]:
    return [
        Column(tr("tenants.name"), lambda t: t.name),
        Column(tr("tenants.state"), lambda t: tr(f"state.{t.state}")),
        Column(tr("tenants.server"), lambda t: t.server),
        Column(tr("tenants.timezone"), lambda t: t.timezone),
        Column(tr("tenants.currency"), lambda t: t.currency),
        Column(tr("tenants.created"), lambda t: fmt.day(t.created_at.date()), lambda t: t.created_at.isoformat()),
    ]


def user_columns(tr: Translator, tenant_names: dict[str, str]) -> list[Column[UserInfo]]:
    """`tenant_names` (id -> name) is read when a row is drawn: the page refreshes it as it loads."""
    return [
        Column(tr("users.username"), lambda u: u.username),
        Column(tr("users.role"), lambda u: tr(f"role.{u.role}")),
        Column(tr("users.tenant"), lambda u: tenant_names.get(u.tenant_id, u.tenant_id) if u.tenant_id else ""),
        Column(tr("users.disabled"), lambda u: tr("common.yes") if u.disabled else tr("common.no")),
    ]


def order_columns(tr: Translator, fmt: TenantFormat) -> list[Column[OrderSummary]]:
    return [
        Column(tr("orders.number"), lambda o: str(o.number), lambda o: o.number, right=True),
        Column(tr("orders.created"), lambda o: fmt.instant(o.created_at), lambda o: o.created_at.isoformat()),
        Column(tr("orders.customer"), lambda o: o.customer_name or ""),
        Column(tr("orders.phone"), lambda o: o.customer_phone),
        Column(tr("orders.status"), lambda o: tr(f"status.{o.status}")),
        Column(tr("orders.channel"), lambda o: channel_label(o.channel, tr)),
        Column(tr("orders.total"), lambda o: fmt.money(o.total, o.currency), lambda o: o.total, right=True),
    ]


def order_item_columns(tr: Translator, fmt: TenantFormat, currency: str) -> list[Column[OrderItemInfo]]:
    return [
        Column(tr("detail.sku"), lambda i: i.sku),
        Column(tr("catalog.name"), lambda i: i.name),
        Column(tr("detail.qty"), lambda i: str(i.quantity), right=True),
        Column(tr("detail.price"), lambda i: fmt.money(i.unit_price, currency), right=True),
        Column(tr("detail.line_total"), lambda i: fmt.money(i.line_total, currency), right=True),
        Column(tr("detail.item_note"), lambda i: i.note or ""),
    ]


def customer_columns(tr: Translator, fmt: TenantFormat) -> list[Column[CustomerInfo]]:
    return [
        Column(tr("customers.name"), lambda c: c.name or ""),
        Column(tr("customers.phone"), lambda c: c.phone),
        Column(tr("customers.city"), lambda c: c.city or ""),
        Column(tr("customers.region"), lambda c: c.region or ""),
        Column(tr("customers.last_order"), lambda c: fmt.instant(c.last_order_at)),
    ]


def product_columns(tr: Translator, fmt: TenantFormat) -> list[Column[ProductInfo]]:
    return [
        Column(tr("catalog.sku"), lambda p: p.sku),
        Column(tr("catalog.name"), lambda p: p.name),
        Column(tr("catalog.aliases"), lambda p: ", ".join(p.aliases)),
        Column(tr("catalog.category"), lambda p: p.category or ""),
        Column(tr("catalog.price"), lambda p: fmt.money(p.price, p.currency), lambda p: p.price, right=True),
        Column(
            tr("catalog.available"),
            lambda p: tr("catalog.sold_out") if not p.available or p.stock == 0 else tr("common.yes"),
        ),  # fmt: skip
        Column(tr("catalog.stock"), lambda p: "" if p.stock is None else str(p.stock), right=True),
    ]


def issue_columns(tr: Translator) -> list[Column[ImportIssue]]:
    return [
        Column(tr("import.row"), lambda i: str(i.row), lambda i: i.row, right=True),
        Column(tr("import.column"), lambda i: i.column),
        Column(tr("import.problem"), lambda i: i.problem),
    ]


def activity_columns(tr: Translator, fmt: TenantFormat) -> list[Column[TenantActivity]]:
    def megabytes(a: TenantActivity) -> str:
        return "" if a.db_bytes is None else fmt.number(a.db_bytes / 1_000_000, 1)

    return [
        Column(tr("tenants.name"), lambda a: a.name),
        Column(tr("tenants.state"), lambda a: tr(f"state.{a.state}")),
        Column(tr("admin.orders"), lambda a: fmt.number(a.orders), lambda a: a.orders, right=True),
        Column(tr("admin.revenue"), lambda a: fmt.money_among(a.revenue, a.currency), lambda a: a.revenue, right=True),
        Column(tr("admin.active"), lambda a: fmt.number(a.active_customers), lambda a: a.active_customers, True),
        Column(tr("admin.last_activity"), lambda a: fmt.day(a.last_activity), lambda a: str(a.last_activity)),
        Column(tr("admin.db_size"), megabytes, lambda a: a.db_bytes or 0, right=True),
        Column(tr("admin.messages"), lambda a: f"{a.messages_in}/{a.messages_out}"),
        Column(tr("admin.failed"), lambda a: str(a.failed_sends), lambda a: a.failed_sends, right=True),
    ]


def action_label(action: str, tr: Translator) -> str:
    """What an audit entry did, in the screen language ("Usuario creado"); an action this console
    has no text for yet keeps its code, so a newer server's entries still show."""
    key = f"audit.did.{action}"
    label = tr(key)
    return action if label == key else label


def audit_columns(
    tr: Translator, fmt: TenantFormat, tenant_names: dict[str, str], currencies: dict[str, str]
) -> list[Column[AuditEntryInfo]]:
    """`fmt` is in the appliance's time zone (`AuditPage.timezone`): the log spans every tenant's.
    `currencies` by tenant id: an amount in an entry is shown in its own tenant's money."""

    def detail(entry: AuditEntryInfo) -> str:
        currency = currencies.get(entry.tenant_id or "")
        money = None if currency is None else (lambda amount: fmt.money_among(amount, currency))
        return audit_detail(entry.detail, tr, money)

    return [
        Column(tr("audit.at"), lambda e: fmt.instant(e.at), lambda e: e.at.isoformat()),
        Column(tr("audit.actor"), lambda e: e.actor),
        Column(tr("audit.action"), lambda e: action_label(e.action, tr)),
        Column(tr("audit.tenant"), lambda e: tenant_names.get(e.tenant_id, e.tenant_id) if e.tenant_id else ""),
        Column(tr("audit.detail"), detail),
    ]


MONEY_KEYS = frozenset({"delivery_fee"})
"""Detail keys whose value is an amount of the entry's tenant's money (the server writes it as a
decimal string, "4000.00")."""


def audit_detail(detail: dict[str, object], tr: Translator, money: Callable[[Decimal], str] | None = None) -> str:
    """An entry's detail in the screen language ("usuario: caja.guero · rol: lector"): a manager
    reads words, not field codes. A key or role this console has no text for keeps its code; an
    amount is written as its tenant's country writes money ("$4.000 COP") when `money` knows how,
    and a country as its name ("español (Colombia)")."""

    def label(key: str) -> str:
        text = tr(f"audit.key.{key}")
        return key if text == f"audit.key.{key}" else text

    def value(key: str, raw: object) -> str:
        if key == "role" and tr(f"role.{raw}") != f"role.{raw}":
            return tr(f"role.{raw}")
        if key in MONEY_KEYS and money is not None:
            try:
                return money(Decimal(str(raw)))
            except InvalidOperation:
                return str(raw)
        if key == "locale" and isinstance(raw, str):
            return _country_name(raw, tr.language)
        if isinstance(raw, list | tuple):
            return ", ".join(str(v) for v in raw)
        return str(raw)

    return " · ".join(f"{label(k)}: {value(k, v)}" for k, v in sorted(detail.items()) if v not in (None, "", []))


def _country_name(code: str, language: str) -> str:
    """ "es_CO" as the reader's language names it ("español (Colombia)"); a code Babel does not know stays."""
    try:
        return Locale.parse(code).get_display_name(language) or code
    except (ValueError, UnknownLocaleError):
        return code
