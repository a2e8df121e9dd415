"""Ticket: a support request, with its comments as a child table."""
