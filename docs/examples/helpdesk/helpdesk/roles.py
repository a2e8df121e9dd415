"""The roles of the helpdesk and what each may do, in one place for every DocType to share."""

from __future__ import annotations

from typing import Literal, get_args

SUPPORT_AGENT = "Support Agent"
"""Works tickets: reads customers, creates and updates contacts and tickets."""
SUPPORT_MANAGER = "Support Manager"
"""Everything an agent does, plus managing customers and deleting tickets."""
SYSTEM_MANAGER = "System Manager"
"""The framework's administrator role: may do everything, on every row."""

SUPPORT = [SUPPORT_AGENT, SUPPORT_MANAGER]
MANAGERS = [SUPPORT_MANAGER]

Team = Literal["Technical", "Billing"]
"""Ticket queues. A user's teams decide which tickets they see (row-level security)."""
TEAMS: tuple[Team, ...] = get_args(Team)
