"""E-mail sender port: deliver one message now (SMTP, an API, or the log in development).

Queueing and retries live above this port, in the e-mail queue job.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator


class EmailAttachment(BaseModel):
    model_config = ConfigDict(frozen=True)

    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


class EmailMessage(BaseModel):
    """One e-mail. At least one of ``body_text`` / ``body_html`` is required."""

    model_config = ConfigDict(frozen=True)

    to: list[str] = Field(min_length=1)
    subject: str
    body_text: str | None = None
    body_html: str | None = None
    from_address: str | None = None
    cc: list[str] = Field(default_factory=list)
    bcc: list[str] = Field(default_factory=list)
    reply_to: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    attachments: list[EmailAttachment] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_a_body(self) -> EmailMessage:
        if self.body_text is None and self.body_html is None:
            raise ValueError("an e-mail needs body_text or body_html")
        return self


class EmailSenderProtocol(Protocol):
    async def send(self, message: EmailMessage) -> str | None:
        """Deliver the message; the transport's message id when it gives one."""
        ...
