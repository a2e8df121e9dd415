"""Controllers of the Webhook DocType: checks on save, a secret on insert, secret rotation.

A condition or payload template that cannot work is refused when the webhook is saved
(``ValidationError``, a 422), never discovered by the listener. Registered for the built-in
DocType by the ``init_webhooks`` bootstrap step.
"""

from __future__ import annotations

import secrets

from framework_m_core.doctypes.webhook import Webhook
from framework_m_core.domain.base_controller import BaseController, HookContext
from framework_m_core.exceptions import ValidationError
from framework_m_core.rpc import RpcContext, whitelist
from framework_m_standard.adapters.webhooks.condition import ConditionError, check_condition
from framework_m_standard.adapters.webhooks.payload import PayloadError, check_template

MIN_SECRET = 16


def new_secret() -> str:
    """A random signing secret (256 bits, URL-safe)."""
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookController(BaseController[Webhook]):
    async def validate(self, context: HookContext | None = None) -> None:
        errors: list[dict[str, object]] = []
        if self.doc.condition is not None:
            try:
                check_condition(self.doc.condition)
            except ConditionError as exc:
                errors.append({"loc": ["condition"], "msg": str(exc), "type": "invalid_condition"})
        if self.doc.payload_template is not None:
            try:
                check_template(self.doc.payload_template)
            except PayloadError as exc:
                errors.append(
                    {"loc": ["payload_template"], "msg": str(exc), "type": "invalid_template"}
                )
        if errors:
            raise ValidationError("Invalid webhook", errors=errors)

    async def before_insert(self, context: HookContext | None = None) -> None:
        if not self.doc.secret:
            self.doc.secret = new_secret()

    @whitelist(permission="write")
    async def rotate_secret(self, context: RpcContext, secret: str | None = None) -> dict[str, str]:
        """Replace the signing secret (a random one unless given) and return it, this once."""
        if secret is not None and not MIN_SECRET <= len(secret) <= 256:
            raise ValidationError(
                f"A webhook secret has {MIN_SECRET} to 256 characters",
                errors=[{"loc": ["secret"], "msg": "Wrong length", "type": "string_length"}],
            )
        value = secret or new_secret()
        documents = context.documents
        doc = self.doc
        doc.secret = value
        async with documents.unit_of_work(Webhook.get_meta().bind) as uow:
            await documents.repositories.get(Webhook).save(
                uow.session, doc, doc.version, user=context.user
            )
            await uow.commit()
        return {"secret": value}
