"""The bot's texts about the business rules (hours, pause, delivery, payment, stock), per locale.

Kept apart from `texts.py` so the rules and the conversation can grow without touching the same
lines; `texts.BUILT_IN` merges them, and a tenant may override any of them like any other text.
"""

# ruff: noqa: E501  -- one message per line reads (and translates) better than wrapped fragments

from __future__ import annotations

RULES_ES: dict[str, str] = {
    "paused": "En este momento no estamos tomando pedidos; vuelve a escribirnos en un rato. Mientras tanto puedes ver el menú.",
    "closed_menu_only": "Ahora estamos cerrados; abrimos {when}. Puedes ver el menú; los pedidos se toman en nuestro horario.",
    "closed_for_later": "Ahora estamos cerrados; abrimos {when}. Puedes hacer tu pedido ahora y lo preparamos en cuanto abramos.",
    "closed_no_opening": "Ahora estamos cerrados y no tomamos pedidos. Puedes ver el menú.",
    "for_later_line": "⏰ Lo preparamos cuando abramos: {when}.",
    "when.today": "hoy a las {time}",
    "when.tomorrow": "mañana a las {time}",
    "when.weekday": "el {day} a las {time}",
    "when.date": "el {day} a las {time}",
}  # fmt: skip

RULES_EN: dict[str, str] = {
    "paused": "We are not taking orders right now; please write to us again in a while. Meanwhile you can see the menu.",
    "closed_menu_only": "We are closed now; we open {when}. You can see the menu; orders are taken during our hours.",
    "closed_for_later": "We are closed now; we open {when}. You can order now and we will make it as soon as we open.",
    "closed_no_opening": "We are closed now and not taking orders. You can see the menu.",
    "for_later_line": "⏰ We will make it when we open: {when}.",
    "when.today": "today at {time}",
    "when.tomorrow": "tomorrow at {time}",
    "when.weekday": "on {day} at {time}",
    "when.date": "on {day} at {time}",
}  # fmt: skip
