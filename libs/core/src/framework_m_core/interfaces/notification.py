"""Notification port: tell a person something, by e-mail or SMS, without caring how."""

from __future__ import annotations

from typing import Protocol


class NotificationProtocol(Protocol):
    async def send_email(self, to: str, subject: str, body: str, *, html: bool = False) -> None:
        """Send (or queue) an e-mail to one address."""
        ...

    async def send_sms(self, to: str, body: str) -> None:
        """Send (or queue) a text message to one phone number."""
        ...
