"""Demo data: a couple of tenants with a catalog, customers in several cities and months of orders.

The orders follow a restaurant's rhythm in the tenant's own time zone: lunch and dinner peaks,
quiet Mondays and Tuesdays, busy Fridays and Saturdays, slow growth, and the last ones today; the
newest six are still open on the board (new, confirmed, shipped) whatever the hour the demo runs.
Customers live at varied addresses written as people there write them (street, number, colonia).
The taquería's WhatsApp chats, played through the real webhook and inbox, are in `demo_chats`.

Orders are placed through the appliance's own services on a clock set back in time (the
composition root's graph, rewired to that clock), so the KPI rollups and the superadmin summary
are built exactly as for live orders.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from comandia.server.services.bundle import Services
from comandia.server.services.demo_chats import TAQUERIA_CHATS, DemoChat, add_demo_chats, chat_moments
from comandia.server.services.orders.orders import OrderService
from comandia.server.services.tenancy.tenants import NewTenant
from comandia.shared.domain.times import to_local, utcnow
from comandia.shared.schemas.catalog import CategoryInput, ProductInput
from comandia.shared.schemas.customers import CustomerInput
from comandia.shared.schemas.orders import OrderInput, OrderLineInput
from comandia.shared.schemas.rules import OpeningHours
from comandia.shared.schemas.tenants import TenantSettingsChange
from comandia.shared.schemas.wire import Amount


@dataclass(frozen=True)
class DemoShop:
    name: str
    timezone: str
    currency: str
    phone_prefix: str
    places: tuple[tuple[str, str, tuple[str, ...]], ...]  # (city, region, neighbourhoods), busiest first
    menu: dict[str, tuple[tuple[str, str, str], ...]]  # category -> (sku, name, price)
    streets: tuple[str, ...]
    address: str
    """How an address is written there: `{street}`, `{number}`, `{cross}` (Colombia's "# 45-12") and `{area}`."""
    chats: tuple[DemoChat, ...] = ()
    """Customers writing on WhatsApp as the demo ends (a sandbox number; see `demo_chats`)."""
    hours: OpeningHours | None = None
    """The business's opening hours (its settings): they hold every planned order (11:00 to 23:30)."""


def _every_day(usual: tuple[str, str], weekend: tuple[str, str]) -> OpeningHours:
    """`usual` hours Sunday to Thursday, `weekend` on Friday and Saturday nights."""
    return OpeningHours(
        mon=(usual,), tue=(usual,), wed=(usual,), thu=(usual,), fri=(weekend,), sat=(weekend,), sun=(usual,)
    )


SHOPS = (
    DemoShop(
        "Taquería El Güero (demo)",
        "America/Mexico_City",
        "MXN",
        "+52155",
        (
            ("Ciudad de México", "CDMX", ("Roma Norte", "Condesa", "Del Valle", "Narvarte", "Coyoacán", "Escandón")),
            ("Guadalajara", "Jalisco", ("Americana", "Providencia", "Chapalita", "Santa Tere")),
            ("Monterrey", "Nuevo León", ("Centro", "Mitras Centro", "Obispado", "Cumbres")),
            ("Puebla", "Puebla", ("La Paz", "El Carmen", "Huexotitla")),
            ("Querétaro", "Querétaro", ("Centro", "Jardines de la Hacienda", "Álamos")),
        ),
        {
            "Tacos": (
                ("TAC-PAS", "Taco al pastor", "22.00"),
                ("TAC-SUA", "Taco de suadero", "24.00"),
                ("TAC-BIS", "Taco de bistec", "25.00"),
                ("TAC-CAM", "Taco de camarón", "38.00"),
            ),
            "Bebidas": (
                ("BEB-HOR", "Agua de horchata", "30.00"),
                ("BEB-JAM", "Agua de jamaica", "30.00"),
                ("BEB-COC", "Coca-Cola 600 ml", "28.00"),
            ),
            "Postres": (("POS-FLA", "Flan napolitano", "45.00"), ("POS-CHU", "Churros (3)", "40.00")),
        },
        (
            "Av. Insurgentes Sur",
            "Calle Durango",
            "Av. Juárez",
            "Calle Hidalgo",
            "Calle Morelos",
            "Av. Revolución",
            "Calle Zacatecas",
            "Calle Guanajuato",
            "Av. Chapultepec",
            "Calle Allende",
            "Calle Independencia",
            "Calle 5 de Mayo",
            "Av. Universidad",
            "Calle Tonalá",
            "Calle Orizaba",
        ),
        "{street} {number}, Col. {area}",
        TAQUERIA_CHATS,
        hours=_every_day(("11:00", "23:45"), ("11:00", "02:00")),
    ),
    DemoShop(
        "Pizzería Napoli (demo)",
        "America/Bogota",
        "COP",
        "+57300",
        (
            ("Bogotá", "Cundinamarca", ("Chapinero", "Teusaquillo", "Usaquén", "Cedritos", "La Soledad")),
            ("Medellín", "Antioquia", ("El Poblado", "Laureles", "Belén", "Envigado")),
            ("Cali", "Valle del Cauca", ("San Fernando", "Granada", "Ciudad Jardín")),
            ("Barranquilla", "Atlántico", ("El Prado", "Alto Prado", "Riomar")),
        ),
        {
            "Pizzas": (
                ("PZ-MAR", "Pizza margarita", "32000.00"),
                ("PZ-HAW", "Pizza hawaiana", "36000.00"),
                ("PZ-PEP", "Pizza pepperoni", "38000.00"),
                ("PZ-4Q", "Pizza cuatro quesos", "41000.00"),
            ),
            "Bebidas": (("BEB-LIM", "Limonada natural", "8000.00"), ("BEB-COC", "Coca-Cola 400 ml", "5000.00")),
            "Postres": (("POS-TIR", "Tiramisú", "14000.00"),),
        },
        (
            "Carrera 7",
            "Calle 45",
            "Carrera 13",
            "Calle 72",
            "Avenida Caracas",
            "Carrera 15",
            "Calle 85",
            "Carrera 43A",
            "Calle 10",
            "Transversal 39",
        ),
        "{street} # {cross}-{number}, {area}",
        hours=_every_day(("11:00", "23:45"), ("11:00", "00:30")),
    ),
)

FIRST_NAMES = (
    "Ana",
    "Luis",
    "María",
    "José",
    "Carmen",
    "Jorge",
    "Lucía",
    "Pedro",
    "Sofía",
    "Diego",
    "Valentina",
    "Andrés",
    "Camila",
    "Miguel",
    "Paula",
    "Juan",
)
LAST_NAMES = (
    "García",
    "Hernández",
    "López",
    "Martínez",
    "Rodríguez",
    "Pérez",
    "Sánchez",
    "Ramírez",
    "Torres",
    "Flores",
    "Gómez",
    "Díaz",
    "Vargas",
    "Castro",
    "Ortiz",
    "Morales",
)


@dataclass(frozen=True)
class DemoCustomer:
    id: int
    address: str
    city: str
    region: str


@dataclass(frozen=True)
class PlannedOrder:
    """One demo order as it will be placed: when (UTC), for which customer (an index into the
    demo's customers), what, and the status changes after it with their moments."""

    at: dt.datetime
    customer: int
    lines: tuple[tuple[int, str], ...]  # (quantity, sku)
    channel: str
    steps: tuple[tuple[dt.datetime, str], ...] = ()

    @property
    def status(self) -> str:
        """Where the order ends up."""
        return self.steps[-1][1] if self.steps else "new"


@dataclass(frozen=True)
class DemoTenant:
    tenant_id: str
    name: str
    manager: str
    password: str
    orders: int
    plan: tuple[PlannedOrder, ...] = field(default=(), repr=False, compare=False)
    chat_moments: tuple[tuple[dt.datetime, ...], ...] = field(default=(), repr=False, compare=False)
    """When each turn of each demo chat was written (`chat_moments`), in the shop's chats' order."""

    def login(self) -> dict[str, object]:
        """What the operator is shown: the tenant, its order count and the manager's login."""
        return {
            "tenant_id": self.tenant_id,
            "name": self.name,
            "orders": self.orders,
            "manager": self.manager,
            "password": self.password,
        }


class _Clock:
    """A clock the demo moves to each order's moment."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, moment: dt.datetime) -> None:
        """To `moment`: the demo's chats each happen at their own."""
        self.now = moment


def create_demo(
    services_on: Callable[[Callable[[], dt.datetime]], Services],
    days: int = 90,
    orders_per_day: int = 6,
    seed: int = 7,
    on_progress: Callable[[int, int, str], None] | None = None,
) -> list[DemoTenant]:
    """Create the demo tenants with a manager login each; returns how to log in as them.

    Args:
        services_on: the appliance's services on a given clock (`Runtime.rewired`).
    """
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    made = []
    for shop in SHOPS:
        clock = _Clock()
        services = services_on(clock)
        tenant = services.tenants.create(
            NewTenant(f"{shop.name} {secrets.token_hex(2)}", shop.timezone, shop.currency, "es"), actor="demo"
        )
        if shop.hours is not None:
            services.tenant_settings.update(tenant.id, "demo", TenantSettingsChange(opening_hours=shop.hours))
        skus = _catalog(services, tenant.id, shop)
        customers = _customers(services, tenant.id, shop, rng)
        now = utcnow()
        plan = plan_orders(shop.timezone, skus, len(customers), rng, days, orders_per_day, now)
        for count, planned in enumerate(plan, start=1):
            _place(services.orders, clock, tenant.id, planned, customers)
            if on_progress is not None:
                on_progress(count, len(plan), tenant.id)
        moments = chat_moments(shop.chats, shop.hours, shop.timezone, now, rng) if shop.chats else []
        if moments:
            add_demo_chats(services, tenant.id, shop.phone_prefix, shop.chats, moments, clock.set)
        manager, password = f"gerente-{tenant.id}", secrets.token_urlsafe(9)
        services.users.create(manager, password, "manager", tenant.id, actor="demo")
        placed = len(plan) + sum(chat.orders for chat in shop.chats)
        made.append(
            DemoTenant(
                tenant.id, tenant.name, manager, password, placed, tuple(plan), tuple(tuple(turns) for turns in moments)
            )
        )
    return made


def _catalog(services: Services, tenant_id: str, shop: DemoShop) -> list[str]:
    skus = []
    for position, (category, products) in enumerate(shop.menu.items()):
        created = services.catalog.create_category(tenant_id, CategoryInput(category, sort_order=position))
        for order, (sku, name, price) in enumerate(products):
            services.catalog.create_product(
                tenant_id, ProductInput(sku, name, Amount(price), category_id=created.id, sort_order=order)
            )
            skus.append(sku)
    return skus


def _customers(services: Services, tenant_id: str, shop: DemoShop, rng: random.Random) -> list[DemoCustomer]:
    made = []
    for i in range(40):
        city, region, areas = shop.places[min(int(rng.expovariate(0.8)), len(shop.places) - 1)]
        address = street_address(shop, areas, rng)
        customer = services.customers.create(
            tenant_id,
            CustomerInput(
                phone=f"{shop.phone_prefix}{rng.randrange(10**7):07d}{i % 10}",
                name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                city=city,
                region=region,
                default_address=address,
            ),
        )
        made.append(DemoCustomer(customer.id, address, city, region))
    return made


def street_address(shop: DemoShop, areas: tuple[str, ...], rng: random.Random) -> str:
    """A delivery address as people there write it: a street, a number, the neighbourhood (colonia)."""
    address = shop.address.format(
        street=rng.choice(shop.streets),
        number=rng.randrange(2, 480),
        cross=rng.randrange(1, 120),
        area=rng.choice(areas),
    )
    return address + (f", int. {rng.randrange(1, 12)}" if rng.random() < 0.25 else "")


WEEK = (0.75, 0.7, 0.8, 0.95, 1.25, 1.5, 1.1)
"""How busy each weekday is against the average, Monday first: a restaurant's week."""


def _moments(day: dt.date, count: int, zone: str, rng: random.Random) -> list[dt.datetime]:
    """`count` order times on the local `day`: around lunch (14:00) and dinner (20:30), in UTC."""
    moments = []
    for _ in range(count):
        hour = rng.gauss(14.0, 0.9) if rng.random() < 0.45 else rng.gauss(20.5, 1.1)
        local = dt.datetime.combine(day, dt.time(), ZoneInfo(zone)) + dt.timedelta(hours=min(max(hour, 11.0), 23.5))
        moments.append(local.astimezone(dt.UTC))
    return sorted(moments)


def plan_orders(
    zone: str, skus: list[str], customers: int, rng: random.Random, days: int, per_day: int, now: dt.datetime
) -> list[PlannedOrder]:
    """Orders over the last `days` local days up to `now`: busier weekends, lunch and dinner peaks,
    a business slowly growing (the last weeks about a third busier than the first), and the
    newest orders still open. Pure: the demo places exactly this plan, and tests check its rhythm."""
    today, plan = to_local(now, zone).date(), []
    for back in range(days - 1, -1, -1):
        day = today - dt.timedelta(days=back)
        growth = 0.85 + 0.3 * (days - back) / days
        expected = per_day * WEEK[day.weekday()] * growth * rng.uniform(0.85, 1.15)
        for moment in _moments(day, max(1, round(expected)), zone, rng):
            if moment > now:
                break  # the rest of today has not happened yet
            customer = min(int(rng.expovariate(0.12)), customers - 1)
            lines = tuple((rng.randint(1, 3), sku) for sku in rng.sample(skus, rng.randint(1, 3)))
            channel = rng.choice(("whatsapp", "whatsapp", "console"))
            plan.append(PlannedOrder(moment, customer, lines, channel, _steps(moment, rng, now)))
    return _board(plan, rng, now)


OPEN_ON_THE_BOARD = ("shipped", "shipped", "confirmed", "confirmed", "new", "new")
"""Where the newest orders stand, oldest first: whatever the hour the demo runs (after closing, or
before opening), the board shows the business's latest opening hours still being served."""


def _board(plan: list[PlannedOrder], rng: random.Random, now: dt.datetime) -> list[PlannedOrder]:
    """The plan with its newest orders open: new, confirmed or shipped, each step between its
    order's moment and `now` (an order placed a minute ago is confirmed within that minute)."""
    latest = plan[-len(OPEN_ON_THE_BOARD) :]
    opened = []
    for planned, status in zip(latest, OPEN_ON_THE_BOARD[-len(latest) :], strict=True):
        steps, moment = [], planned.at
        for step in ("confirmed", "shipped")[: ("new", "confirmed", "shipped").index(status)]:
            moment = min(moment + dt.timedelta(minutes=rng.randint(4, 20)), now)
            steps.append((moment, step))
        opened.append(dataclasses.replace(planned, steps=tuple(steps)))
    return plan[: len(plan) - len(latest)] + opened


def _steps(placed: dt.datetime, rng: random.Random, now: dt.datetime) -> tuple[tuple[dt.datetime, str], ...]:
    """An order's life as it would have gone until `now`: older orders are finished (a few
    cancelled), the last hour's are still on the board."""
    if rng.random() < 0.07:
        cancelled = placed + dt.timedelta(minutes=5)
        return ((cancelled, "cancelled"),) if cancelled <= now else ()
    steps, moment = [], placed
    for status in ("confirmed", "shipped", "completed"):
        moment += dt.timedelta(minutes=rng.randint(5, 25))
        if moment > now:
            break
        steps.append((moment, status))
    return tuple(steps)


def _place(
    orders: OrderService, clock: _Clock, tenant_id: str, planned: PlannedOrder, customers: list[DemoCustomer]
) -> None:
    """Place one planned order and move it along, each step on the clock at its moment."""
    clock.now = planned.at
    customer = customers[planned.customer]
    order = orders.create(
        tenant_id,
        OrderInput(
            customer.id,
            tuple(OrderLineInput(quantity, sku=sku) for quantity, sku in planned.lines),
            channel=planned.channel,
            delivery_address=customer.address,
            delivery_city=customer.city,
            delivery_region=customer.region,
        ),
        actor="demo",
    )
    for moment, status in planned.steps:
        clock.now = moment
        reason = "El cliente canceló" if status == "cancelled" else None
        orders.change_status(tenant_id, order.id, status, "demo", reason=reason)
