"""What a manager reads about a message WhatsApp refused or did not deliver."""

from __future__ import annotations

from comandia.shared.domain.send_failures import ADVICE, send_failure_text
from comandia.shared.i18n import gettext


def test_a_known_code_says_what_failed_and_what_to_do_with_the_code_kept_for_support() -> None:
    said = send_failure_text("es", 131056, "HTTP 400 code 131056: (Business Account, Consumer Account) pair rate limit")
    assert said == (
        "Demasiados mensajes a este cliente en poco tiempo: espera un minuto y vuelve a enviarlo. "
        "(código de WhatsApp 131056)"
    )
    assert send_failure_text("en", 63016, None).startswith("More than 24 hours since the customer's last message")


def test_an_unknown_code_or_a_bare_http_answer_still_reads_as_advice_never_as_http() -> None:
    assert send_failure_text("es", 999999, "HTTP 400 code 999999: Something new") == (
        "WhatsApp no aceptó el mensaje. Inténtalo más tarde; si sigue fallando, da este código a soporte. "
        "(código de WhatsApp 999999)"
    )
    assert send_failure_text("es", None, "HTTP 502 code None: Bad gateway").endswith("(HTTP 502)")
    assert "WhatsApp no aceptó" in send_failure_text("es", None, None)


def test_our_own_reasons_read_as_the_catalog_says() -> None:
    removed = "the WhatsApp number was removed"
    assert send_failure_text("es", None, removed) == gettext("es", removed) == "el número de WhatsApp fue eliminado"


def test_every_advice_has_its_spanish() -> None:
    assert all(gettext("es", advice) != advice for advice in set(ADVICE.values()))
