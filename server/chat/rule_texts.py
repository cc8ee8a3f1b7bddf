"""The bot's texts about the business rules (hours, pause, delivery, payment, stock), by key.

Kept apart from `texts.py` so the rules and the conversation can grow without touching the same
lines; `texts.BUILT_IN` merges them, and a tenant may override any of them like any other text.
Written in English (the gettext msgid); Spanish is in the message catalog (`shared/locale`).
"""

# ruff: noqa: E501  -- one message per line reads (and translates) better than wrapped fragments

from __future__ import annotations

from comandia.shared.i18n import N_

RULES: dict[str, str] = {
    "paused": N_("We are not taking orders right now; please write to us again in a while. Meanwhile you can see the menu."),
    "closed_menu_only": N_("We are closed now; we open {when}. You can see the menu; orders are taken during our hours."),
    "closed_for_later": N_("We are closed now; we open {when}. You can order now and we will make it as soon as we open."),
    "closed_no_opening": N_("We are closed now and not taking orders. You can see the menu."),
    "handoff_closed": N_("I am passing you to a person on our team. We are closed now; we open {when} and they will answer you as soon as we open."),
    "handoff_closed_no_opening": N_("I am passing you to a person on our team. We are closed now; they will answer you as soon as we open."),
    "for_later_line": N_("⏰ We will make it when we open: {when}."),
    "when.today": N_("today at {time}"),
    "when.tomorrow": N_("tomorrow at {time}"),
    "when.weekday": N_("on {day} at {time}"),
    "when.date": N_("on {day} at {time}"),
    "ask_fulfilment": N_("Shall we deliver it, or will you pick it up?"),
    "btn_delivery": N_("Delivery"),
    "btn_pickup": N_("I'll pick it up"),
    "pickup_where": N_("pick up at {address}"),
    "below_minimum": N_("The minimum order is {minimum}; you are {missing} short. Would you like to add something?"),
    "out_of_zone": N_("Sorry, we do not deliver to {address}."),
    "offer_pickup": N_("Would you like to pick it up, or give us another address?"),
    "ask_other_address": N_("Could you give us another address?"),
    "ask_location_for_zone": N_("To know whether we deliver there and the fee, please share your location 📍 (clip ➜ Location)."),
    "ask_payment": N_("How will you pay?"),
    "payment_button": N_("Payment methods"),
    "pay.cash": N_("Cash"),
    "pay.card_on_delivery": N_("Card on delivery"),
    "pay.transfer": N_("Bank transfer"),
    "pay.link": N_("Payment link"),
    "ask_cash": N_("How much will you pay with? The total is {total}; we will bring your change. Type the amount or “exact”."),
    "bad_cash": N_("I did not get the amount. Type how much you will pay with (the total is {total}) or “exact”."),
    "payment_line": N_("Payment: {method}"),
    "cash_line": N_("You pay with {amount}; your change: {change}."),
    "details.transfer": N_("Transfer details: {details}"),
    "details.link": N_("Pay here: {details}"),
    "details.card_on_delivery": N_("{details}"),
    "details.cash": N_("{details}"),
    "eta_line": N_("⏱️ Estimated time: {minutes} min."),
    "sold_out": N_("Sorry, we ran out of {name} 😔."),
    "sold_out_words": N_("We don't have “{text}” right now: we ran out of {name} 😔."),
    "sold_out_category": N_("From {category} I can offer you: {names}."),
    "sold_out_others": N_("I can offer you: {names}."),
    "repeat_order": N_("Done, I put your last order (#{number}) in your cart."),
    "repeat_gone": N_("We no longer have: {names}."),
    "ask.hours": N_("Our hours:\n{hours}"),
    "ask.hours_always": N_("We are open every day, at any hour."),
    "ask.closed_day": N_("closed"),
    "ask.day_range": N_("{first} to {last}"),
    "ask.minimum": N_("The minimum order is {minimum}."),
    "ask.no_minimum": N_("There is no minimum order."),
    "ask.payment": N_("We accept: {methods}."),
    "ask.payment_any": N_("I can't tell you our payment methods from here; type “talk to someone” and a person on our team will tell you."),
    "ask.eta": N_("It takes about {minutes} min."),
    "ask.eta_unknown": N_("It depends on how busy we are; we will tell you the time with your order."),
    "ask.pickup_only": N_("We do not deliver; you can pick up your order at {address}."),
    "ask.zone_yes": N_("Yes, we deliver to {place}; delivery costs {fee}."),
    "ask.zones": N_("We deliver to: {zones}."),
    "ask.zone_no": N_("Sorry, we do not deliver to {place}. We deliver to: {zones}."),
    "ask.order_eta": N_("Your order *#{number}*: {status}. It usually takes about {minutes} min."),
    "ask.order_eta_unknown": N_("Your order *#{number}*: {status}. We will let you know here as soon as it is on its way."),
    "ask.delivery_fee": N_("Yes, we deliver to your home; delivery costs {fee}."),
    "ask.delivery_free": N_("Yes, we deliver to your home, free of charge."),
    "ask.total_with_delivery": N_("With delivery, your total is {total}."),
}  # fmt: skip
