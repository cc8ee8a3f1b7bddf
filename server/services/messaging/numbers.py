"""WhatsApp numbers: add, list, show, pause, resume, remove, and "test this number" for real.

A number belongs to one tenant. Another tenant's number answers NotFound, like a missing one
(STYLE rule 4). Credentials are sealed before they touch the database and never returned;
every change invalidates the webhook routing map of this process (`NumberDirectory`).
"""

from __future__ import annotations

import builtins
import re
import secrets
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from comandia.server.db.control_models import NUMBER_PROVIDERS, UnroutableEvent, WhatsAppNumber
from comandia.server.db.sessions import Databases
from comandia.server.providers.base import worded
from comandia.server.services import audit
from comandia.server.services.messaging.directory import NumberDirectory, number_info
from comandia.server.services.messaging.pauses import PAUSED_BY_OPERATOR
from comandia.server.services.tenancy.tenants import live_tenant
from comandia.shared.domain.errors import Conflict, NotFound, ValidationFailed
from comandia.shared.domain.phones import to_e164
from comandia.shared.domain.whatsapp import NumberState, ProviderName
from comandia.shared.i18n import N_
from comandia.shared.schemas.numbers import NewNumber, NumberCheck, NumberInfo, UnroutableInfo

"""The pause reason when the operator gives none (a catalog text: `reason_in` reads it in Spanish)."""

_REQUIRED: dict[str, tuple[str, ...]] = {
    ProviderName.META: ("phone_number_id", "access_token", "app_secret"),
    ProviderName.DIALOG360: ("api_key",),
    ProviderName.TWILIO: ("account_sid", "auth_token"),
    ProviderName.SANDBOX: (),
}


class NumberService:
    """Numbers of every tenant, in the control database."""

    def __init__(self, databases: Databases, directory: NumberDirectory) -> None:
        self._db = databases
        self._directory = directory

    def add(self, tenant_id: str, request: NewNumber, actor: str) -> NumberInfo:
        """Register a number; returns it with its verify token and (360dialog/sandbox) webhook secret.

        Raises:
            NotFound: no such tenant.
            ValidationFailed: an unknown provider, a bad number, or a missing credential.
            Conflict: the number or its phone_number_id is already registered.
        """
        e164 = _validate(request)
        _validate_template(request.status_template, request.template_language)
        secret = None
        if request.provider in (ProviderName.DIALOG360, ProviderName.SANDBOX):
            secret = request.webhook_secret or secrets.token_urlsafe(32)
        box = self._db.box
        with self._db.control_session() as session:
            live_tenant(session, tenant_id)
            clash = session.scalar(
                sa.select(WhatsAppNumber.id).where(
                    sa.or_(
                        WhatsAppNumber.e164 == e164,
                        sa.and_(
                            WhatsAppNumber.phone_number_id.is_not(None),
                            WhatsAppNumber.phone_number_id == request.phone_number_id,
                        ),
                    )
                )
            )
            if clash is not None:
                raise Conflict(
                    "this number (or its phone_number_id) is already registered as number {number_id}", number_id=clash
                )
            number = WhatsAppNumber(
                tenant_id=tenant_id,
                provider=request.provider,
                e164=e164,
                phone_number_id=request.phone_number_id,
                waba_id=request.waba_id,
                account_sid=request.account_sid,
                access_token_sealed=_seal(box.seal, request.access_token),
                app_secret_sealed=_seal(box.seal, request.app_secret),
                api_key_sealed=_seal(box.seal, request.api_key),
                auth_token_sealed=_seal(box.seal, request.auth_token),
                verify_token=secrets.token_urlsafe(24) if request.provider == ProviderName.META else None,
                webhook_secret_sealed=_seal(box.seal, secret),
                state=NumberState.ACTIVE,
                status_template=request.status_template,
                template_language=request.template_language,
            )
            session.add(number)
            session.flush()
            audit.record(session, actor, "number.add", tenant_id, number_id=number.id, provider=request.provider)
            session.commit()
            info = number_info(number, webhook_secret=secret)
        self._directory.invalidate()
        return info

    def list(self, tenant_id: str | None = None) -> list[NumberInfo]:
        """Every number, or one tenant's (NotFound for a missing tenant)."""
        with self._db.control_session() as session:
            query = sa.select(WhatsAppNumber).order_by(WhatsAppNumber.id)
            if tenant_id is not None:
                live_tenant(session, tenant_id)
                query = query.where(WhatsAppNumber.tenant_id == tenant_id)
            return [number_info(n) for n in session.scalars(query)]

    def get(self, tenant_id: str | None, number_id: int) -> NumberInfo:
        """Raises: NotFound (no such number, or not `tenant_id`'s)."""
        with self._db.control_session() as session:
            return number_info(_number(session, tenant_id, number_id))

    def pause(self, tenant_id: str | None, number_id: int, actor: str, reason: str = PAUSED_BY_OPERATOR) -> NumberInfo:
        """Stop replying from the number; webhooks are still acknowledged and kept."""
        return self._set_state(tenant_id, number_id, NumberState.PAUSED, reason[:500], actor)

    def resume(self, tenant_id: str | None, number_id: int, actor: str) -> NumberInfo:
        return self._set_state(tenant_id, number_id, NumberState.ACTIVE, None, actor)

    def remove(self, tenant_id: str | None, number_id: int, actor: str) -> None:
        """Forget the number; its webhooks become unroutable and its queued messages fail."""
        with self._db.control_session() as session:
            number = _number(session, tenant_id, number_id, lock=True)
            audit.record(session, actor, "number.remove", number.tenant_id, number_id=number_id, e164=number.e164)
            session.delete(number)
            session.commit()
        self._directory.invalidate()

    def test(self, tenant_id: str | None, number_id: int, language: str) -> NumberCheck:
        """Call the provider's API with the number's credentials and report each check in `language`."""
        self.get(tenant_id, number_id)
        self._directory.invalidate()  # test the credentials as stored now
        return worded(self._directory.provider(number_id).check(), language)

    def set_template(
        self, tenant_id: str | None, number_id: int, template: str | None, language: str | None, actor: str
    ) -> NumberInfo:
        """Set (or clear, with None) the template for status notices after the 24-hour window."""
        template, language = (template or "").strip() or None, (language or "").strip() or None
        _validate_template(template, language)
        with self._db.control_session() as session:
            number = _number(session, tenant_id, number_id, lock=True)
            number.status_template, number.template_language = template, language
            audit.record(session, actor, "number.template", number.tenant_id, number_id=number_id, template=template)
            session.commit()
            info = number_info(number)
        self._directory.invalidate()
        return info

    def unroutable(self, limit: int = 100) -> builtins.list[UnroutableInfo]:
        """The newest webhook bodies no number claimed (superadmin view; bodies are not returned)."""
        with self._db.control_session() as session:
            rows = session.execute(
                sa.select(
                    UnroutableEvent.id,
                    UnroutableEvent.received_at,
                    UnroutableEvent.provider,
                    UnroutableEvent.reason,
                    UnroutableEvent.routing_key,
                    UnroutableEvent.size_bytes,
                )
                .order_by(UnroutableEvent.id.desc())
                .limit(max(1, min(limit, 500)))
            ).all()
            return [UnroutableInfo(*row) for row in rows]

    def _set_state(
        self, tenant_id: str | None, number_id: int, state: str, reason: str | None, actor: str
    ) -> NumberInfo:
        with self._db.control_session() as session:
            number = _number(session, tenant_id, number_id, lock=True)
            if number.state == state:
                raise Conflict("number {number_id} is already {state}", number_id=number_id, state=state)
            number.state, number.pause_reason = state, reason
            audit.record(
                session,
                actor,
                f"number.{'pause' if state == 'paused' else 'resume'}",
                number.tenant_id,
                number_id=number_id,
            )
            session.commit()
            info = number_info(number)
        self._directory.invalidate()
        return info


def _validate(request: NewNumber) -> str:
    if request.provider not in NUMBER_PROVIDERS:
        raise ValidationFailed(
            "unknown provider '{provider}'",
            {"provider": N_("must be one of {choices}")},
            provider=request.provider,
            choices=", ".join(NUMBER_PROVIDERS),
        )
    e164 = to_e164(request.e164, field="e164")
    missing = [name for name in _REQUIRED[request.provider] if not (getattr(request, name) or "").strip()]
    if missing:
        raise ValidationFailed(
            "a {provider} number needs {names}",
            {name: N_("is required for this provider") for name in missing},
            provider=request.provider,
            names=", ".join(missing),
        )
    for name in ("phone_number_id", "waba_id", "account_sid"):
        value = getattr(request, name)
        if value is not None and (len(value) > 64 or not value.replace("_", "").isalnum()):
            raise ValidationFailed("{name} must be up to 64 letters or digits", {name: N_("invalid")}, name=name)
    return e164


def _validate_template(template: str | None, language: str | None) -> None:
    if template is not None and not re.fullmatch(r"[A-Za-z0-9_]{1,512}", template):
        raise ValidationFailed(
            "status_template must be a template name or Content SID (letters, digits, _)",
            {"status_template": N_("invalid")},
        )
    if language is not None and not re.fullmatch(r"[a-z]{2,3}(_[A-Z]{2})?", language):
        raise ValidationFailed(
            "template_language must be a language code such as es or es_MX", {"template_language": N_("invalid")}
        )


def _seal(seal: Callable[[str], str], value: str | None) -> str | None:
    return seal(value.strip()) if value and value.strip() else None


def _number(session: Session, tenant_id: str | None, number_id: int, lock: bool = False) -> WhatsAppNumber:
    number = session.get(WhatsAppNumber, number_id, with_for_update=lock)
    if number is None or (tenant_id is not None and number.tenant_id != tenant_id):
        raise NotFound("WhatsApp number {number_id} does not exist", number_id=number_id)
    return number
