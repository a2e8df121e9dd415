"""Webhook bodies: the standard payload, sandboxed Jinja2 templates that must render JSON."""

from __future__ import annotations

import json

import pytest

from framework_m_standard.adapters.webhooks.payload import (
    PayloadError,
    check_template,
    render_body,
    standard_payload,
)

EVENT = {
    "id": "01-event",
    "type": "doc.created",
    "timestamp": "2026-11-21T10:00:00+00:00",
    "data": {
        "type": "doc.created",
        "doctype": "Ticket",
        "id": "doc-1",
        "name": "TKT-1",
        "user": "u-1",
        "data": {"title": 'Printer "on fire"', "total": 3},
    },
}


def test_standard_payload() -> None:
    body = json.loads(render_body(EVENT, template=None, webhook_name="w"))
    assert body == standard_payload(EVENT)
    assert body["event"] == "doc.created"
    assert body["event_id"] == "01-event"
    assert body["doctype"] == "Ticket"
    assert body["name"] == "TKT-1"
    assert body["data"]["title"] == 'Printer "on fire"'


def test_template_renders_json_with_quoted_values() -> None:
    template = (
        '{"text": {{ ("New " ~ doctype ~ ": " ~ doc.title) | tojson }}, '
        '"total": {{ doc.total }}, "event": {{ event.event | tojson }}, '
        '"hook": {{ webhook.name | tojson }}}'
    )
    check_template(template)
    body = json.loads(render_body(EVENT, template=template, webhook_name="slack"))
    assert body == {
        "text": 'New Ticket: Printer "on fire"',
        "total": 3,
        "event": "doc.created",
        "hook": "slack",
    }


@pytest.mark.parametrize("template", ["{{ ", "{% for x in %}{% endfor %}", "{% if %}"])
def test_templates_that_do_not_compile_are_refused(template: str) -> None:
    with pytest.raises(PayloadError, match="invalid template"):
        check_template(template)


def test_sandbox_refuses_internals() -> None:
    with pytest.raises(PayloadError, match="unsafe"):
        render_body(EVENT, template="{{ doc.__class__.__mro__ }}", webhook_name="w")


def test_output_must_be_json_and_bounded() -> None:
    with pytest.raises(PayloadError, match="JSON"):
        render_body(EVENT, template="hello {{ doc.title }}", webhook_name="w")
    with pytest.raises(PayloadError, match="failed to render"):
        render_body(EVENT, template="{{ doc.nope.deeper }}", webhook_name="w")
    with pytest.raises(PayloadError, match="larger"):
        render_body(
            EVENT,
            template='{% for i in range(99999) %}{% for j in range(99) %}"xxxxxxxxxx"{% endfor %}{% endfor %}',
            webhook_name="w",
        )
