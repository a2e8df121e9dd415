"""Helpdesk: the demo app of Framework M (customers, their contacts, and support tickets)."""
