"""Every port is a Protocol with the methods and parameters the spec names; models validate."""

from __future__ import annotations

import inspect
import typing
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pydantic
import pytest

import framework_m_core.interfaces as ports
from framework_m_core.exceptions import FrameworkError
from framework_m_core.interfaces import (
    AuditEntry,
    Credentials,
    DecisionSource,
    EmailMessage,
    Event,
    EventBusNotConnectedError,
    FileMetadata,
    FilterGroup,
    FilterSpec,
    JobInfo,
    JobStatus,
    PasswordCredentials,
    PolicyEvaluateRequest,
    PolicyEvaluateResult,
    SearchResult,
    TenantContext,
    Token,
    UserContext,
)

# port -> method -> parameter names after ``self`` (in order)
EXPECTED: dict[str, dict[str, list[str]]] = {
    "EventBusProtocol": {
        "connect": [],
        "disconnect": [],
        "is_connected": [],
        "publish": ["topic", "event"],
        "subscribe": ["topic", "handler", "durable"],
        "subscribe_pattern": ["pattern", "handler", "durable"],
        "unsubscribe": ["subscription_id"],
    },
    "JobQueueProtocol": {
        "enqueue": ["job_name", "kwargs"],
        "schedule": ["job_name", "cron", "kwargs"],
        "cancel": ["job_id"],
        "get_status": ["job_id"],
        "retry": ["job_id"],
    },
    "PermissionProtocol": {
        "evaluate": ["request"],
        "has_permission": ["user", "doctype", "action", "doc"],
        "get_permitted_filters": ["user", "doctype", "action"],
    },
    "AuthContextProtocol": {"get_current_user": []},
    "AuthenticationProtocol": {"supports": ["request"], "authenticate": ["request"]},
    "IdentityProtocol": {
        "get_user": ["user_id"],
        "get_user_by_email": ["email"],
        "authenticate": ["credentials"],
        "validate_token": ["token"],
        "get_attributes": ["user"],
    },
    "StorageProtocol": {
        "save_file": ["path", "content", "content_type"],
        "get_file": ["path"],
        "delete_file": ["path"],
        "list_files": ["prefix"],
        "get_metadata": ["path"],
        "get_url": ["path", "expires"],
        "copy": ["src", "dest"],
        "move": ["src", "dest"],
    },
    "CacheProtocol": {
        "get": ["key"],
        "set": ["key", "value", "ttl"],
        "delete": ["key"],
        "exists": ["key"],
        "get_many": ["keys"],
        "set_many": ["items", "ttl"],
        "delete_pattern": ["pattern"],
        "ttl": ["key"],
    },
    "SearchProtocol": {
        "index": ["doctype", "doc_id", "doc"],
        "delete_index": ["doctype", "doc_id"],
        "search": ["doctype", "query", "filters", "limit", "offset"],
        "reindex": ["doctype"],
    },
    "PrintProtocol": {"render": ["doc", "template", "output_format"]},
    "NotificationProtocol": {
        "send_email": ["to", "subject", "body", "html"],
        "send_sms": ["to", "body"],
    },
    "EmailSenderProtocol": {"send": ["message"]},
    "I18nProtocol": {
        "translate": ["text", "locale", "context", "default", "params"],
        "get_locale": [],
        "set_locale": ["locale"],
        "get_available_locales": [],
        "get_translations": ["locale"],
    },
    "TenantProtocol": {
        "get_current_tenant": [],
        "get_context": [],
        "get_tenant_attributes": ["tenant_id"],
        "get_tenant_config": ["tenant_id"],
        "is_multi_tenant": [],
    },
    "SocketProtocol": {
        "broadcast": ["topic", "message"],
        "send_to_user": ["user_id", "message"],
    },
    "WorkflowProtocol": {
        "start_workflow": ["doctype", "doc_id", "workflow_name"],
        "get_workflow_state": ["doc_id"],
        "transition": ["doc_id", "action", "user", "comment"],
        "get_available_actions": ["doc_id", "user"],
    },
    "AuditLogProtocol": {
        "log": ["user_id", "action", "doctype", "document_id", "changes", "metadata"],
        "query": [
            "user_id",
            "action",
            "doctype",
            "document_id",
            "since",
            "until",
            "limit",
            "offset",
        ],
    },
    "ReadModelProtocol": {
        "project": ["event"],
        "query": ["filters", "limit", "offset"],
        "rebuild": [],
    },
    "RepositoryProtocol": {
        "get": ["session", "id"],
        "get_by_name": ["session", "name"],
        "save": ["session", "entity", "version", "user"],
        "delete": ["session", "id", "hard", "user"],
        "submit": ["session", "entity", "user"],
        "cancel": ["session", "entity", "user"],
        "exists": ["session", "id"],
        "count": ["session", "filters"],
        "list": ["session", "filters", "order_by", "limit", "offset", "with_total"],
        "bulk_save": ["session", "entities", "user"],
    },
    "RepositoryFactoryProtocol": {"get": ["doctype"]},
    "UnitOfWorkProtocol": {"commit": [], "rollback": []},
    "UnitOfWorkFactoryProtocol": {"__call__": ["bind", "write_behind"]},
    "SchemaMapperProtocol": {"create_table": ["model"], "create_tables": ["models"]},
}

SYNC_METHODS = {
    ("EventBusProtocol", "is_connected"),
    ("TenantProtocol", "is_multi_tenant"),
    ("AuthenticationProtocol", "supports"),
    ("RepositoryFactoryProtocol", "get"),
    ("UnitOfWorkFactoryProtocol", "__call__"),
    ("SchemaMapperProtocol", "create_table"),
    ("SchemaMapperProtocol", "create_tables"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_port_is_a_protocol_with_the_expected_methods(name: str) -> None:
    port = getattr(ports, name)
    assert typing.is_protocol(port) if hasattr(typing, "is_protocol") else port._is_protocol
    assert name in ports.__all__
    for method_name, params in EXPECTED[name].items():
        method = getattr(port, method_name)
        signature = inspect.signature(method)
        assert list(signature.parameters)[1:] == params, f"{name}.{method_name}"
        is_async = inspect.iscoroutinefunction(method)
        assert is_async is ((name, method_name) not in SYNC_METHODS), f"{name}.{method_name}"


@pytest.mark.parametrize(
    "name", sorted(n for n in EXPECTED if n not in {"UnitOfWorkFactoryProtocol"})
)
def test_every_port_method_says_what_it_is_for(name: str) -> None:
    port = getattr(ports, name)
    for method_name in EXPECTED[name]:
        doc = inspect.getdoc(getattr(port, method_name))
        assert doc, f"{name}.{method_name} has no docstring"


def test_all_names_resolve_and_are_unique() -> None:
    assert len(set(ports.__all__)) == len(ports.__all__)
    for name in ports.__all__:
        assert hasattr(ports, name), name


def test_every_protocol_in_the_package_is_exported() -> None:
    exported = {name for name in ports.__all__ if name.endswith("Protocol")}
    assert set(EXPECTED) <= exported


def test_keyword_only_options() -> None:
    log = inspect.signature(ports.AuditLogProtocol.log).parameters
    assert log["changes"].kind is inspect.Parameter.KEYWORD_ONLY
    query = inspect.signature(ports.AuditLogProtocol.query).parameters
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in list(query.values())[1:])
    enqueue = inspect.signature(ports.JobQueueProtocol.enqueue).parameters
    assert enqueue["kwargs"].kind is inspect.Parameter.VAR_KEYWORD


# ---------------------------------------------------------------- event bus
def test_event_gets_a_uuid7_id_and_a_utc_timestamp() -> None:
    before = datetime.now(UTC)
    first = Event(source="test", type=ports.DOC_CREATED, data={"doctype": "Invoice"})
    second = Event(source="test", type=ports.DOC_CREATED)
    assert UUID(first.id).version == 7
    assert first.id != second.id
    assert first.id < second.id  # time-ordered
    assert first.timestamp.tzinfo is not None
    assert first.timestamp.utcoffset() == UTC.utcoffset(None)
    assert before <= first.timestamp <= datetime.now(UTC)
    assert second.data == {}


def test_event_requires_source_and_type_and_is_immutable() -> None:
    with pytest.raises(pydantic.ValidationError):
        Event(type="doc.created")  # type: ignore[call-arg]
    with pytest.raises(pydantic.ValidationError):
        Event(source="x")  # type: ignore[call-arg]
    event = Event(source="x", type="y")
    with pytest.raises(pydantic.ValidationError):
        event.type = "z"  # type: ignore[misc]


def test_event_round_trips_through_json() -> None:
    event = Event(source="core", type="doc.updated", data={"id": "1", "n": 2})
    assert Event.model_validate_json(event.model_dump_json()) == event


def test_standard_event_types() -> None:
    assert {
        "doc.created",
        "doc.updated",
        "doc.deleted",
        "doc.submitted",
        "doc.cancelled",
    } == ports.DOC_EVENT_TYPES
    assert set(typing.get_args(ports.DocEventType)) == ports.DOC_EVENT_TYPES
    assert {
        ports.DOC_CREATED,
        ports.DOC_UPDATED,
        ports.DOC_DELETED,
        ports.DOC_SUBMITTED,
        ports.DOC_CANCELLED,
    } == ports.DOC_EVENT_TYPES


def test_not_connected_error_is_a_framework_error_with_a_code() -> None:
    error = EventBusNotConnectedError("not connected", topic="a.b")
    assert isinstance(error, FrameworkError)
    assert error.code == "event_bus_not_connected"
    assert error.context == {"topic": "a.b"}


# ---------------------------------------------------------------- job queue
def test_job_status_values() -> None:
    assert [s.value for s in JobStatus] == [
        "pending",
        "running",
        "success",
        "failed",
        "cancelled",
    ]
    assert JobStatus("failed") is JobStatus.FAILED


def test_job_info_validates() -> None:
    info = JobInfo(id="j1", name="send_mail", status="running", enqueued_at=datetime.now(UTC))
    assert info.status is JobStatus.RUNNING
    assert info.result is None
    assert info.error is None
    with pytest.raises(pydantic.ValidationError):
        JobInfo(id="j1", name="x", status="exploded", enqueued_at=datetime.now(UTC))


# ---------------------------------------------------------------- auth context
def test_user_context_roles_and_attributes() -> None:
    user = UserContext(
        id="u1",
        email="a@example.com",
        roles=["Accounts User"],
        attributes={"roles": ["Sales"], "department": "sales", "level": 5},
    )
    assert user.has_role("Accounts User")
    assert user.has_role("Sales")  # legacy roles in attributes count too
    assert not user.has_role("System Manager")
    assert not user.is_system_user
    assert user.get_attribute("level") == 5
    assert user.get_attribute("missing", "x") == "x"
    assert user.has_attribute("department", "sales")
    assert not user.has_attribute("department", "hr")
    assert not user.has_attribute("missing", None)
    assert user.tenants == []
    assert user.teams == []
    assert user.name is None


def test_user_context_requires_id_and_email() -> None:
    with pytest.raises(pydantic.ValidationError):
        UserContext(id="u1")  # type: ignore[call-arg]
    with pytest.raises(pydantic.ValidationError):
        UserContext(id="u1", email="e", roles="Admin")


def test_system_user_flag_and_role_agree() -> None:
    system = UserContext.system()
    assert system.is_system_user
    assert system.has_role(ports.SYSTEM_ROLE)
    assert system.id == "system"
    flagged = UserContext(id="x", email="e", is_system_user=True)
    assert flagged.has_role("System")
    by_role = UserContext(id="x", email="e", roles=["System"])
    assert by_role.is_system_user
    by_attribute = UserContext(id="x", email="e", attributes={"roles": ["System"]})
    assert by_attribute.is_system_user


# ---------------------------------------------------------------- permission
def test_permission_actions() -> None:
    assert {
        "read",
        "write",
        "create",
        "delete",
        "submit",
        "cancel",
        "amend",
    } == ports.PERMISSION_ACTIONS


def test_decision_source_values() -> None:
    assert {s.value for s in DecisionSource} == {
        "rbac",
        "abac",
        "rebac",
        "combo",
        "custom",
        "external",
    }
    assert DecisionSource("rbac") is DecisionSource.RBAC


def test_policy_request_from_user() -> None:
    user = UserContext(
        id="u1",
        email="e",
        roles=["Sales User"],
        tenants=["acme"],
        teams=["north"],
        attributes={"roles": ["Approver"], "level": 3},
    )
    request = PolicyEvaluateRequest.for_user(
        user, "Invoice", "submit", resource_id="INV-1", resource_attributes={"owner": "u2"}
    )
    assert request.principal == "u1"
    assert request.resource == "Invoice"
    assert request.action == "submit"
    assert request.resource_id == "INV-1"
    assert request.tenant_id == "acme"
    assert request.principal_attributes["roles"] == ["Sales User", "Approver"]
    assert request.principal_attributes["teams"] == ["north"]
    assert request.principal_attributes["level"] == 3
    assert request.resource_attributes == {"owner": "u2"}
    assert user.attributes == {"roles": ["Approver"], "level": 3}  # not mutated


def test_policy_request_rejects_unknown_actions() -> None:
    with pytest.raises(pydantic.ValidationError):
        PolicyEvaluateRequest(principal="u", action="frobnicate", resource="Invoice")


def test_policy_result() -> None:
    result = PolicyEvaluateResult(authorized=False, decision_source="rbac", reason="no role")
    assert result.decision_source is DecisionSource.RBAC
    assert PolicyEvaluateResult(authorized=True, decision_source=DecisionSource.ABAC).reason is None
    with pytest.raises(pydantic.ValidationError):
        PolicyEvaluateResult(authorized=True)  # type: ignore[call-arg]


def test_permitted_filters_are_conditions_with_or_groups() -> None:
    hints = typing.get_type_hints(ports.PermissionProtocol.get_permitted_filters)
    assert hints["return"] == list[FilterSpec | FilterGroup]
    group = FilterGroup(any_of=((FilterSpec(field="owner", value="u1"),), ()))
    assert group.any_of[1] == ()
    with pytest.raises(pydantic.ValidationError):
        FilterGroup(any_of=(("owner",),))  # type: ignore[arg-type]


# ---------------------------------------------------------------- identity
def test_credentials_are_discriminated_and_secret() -> None:
    adapter: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(Credentials)
    parsed = adapter.validate_python({"kind": "password", "username": "a", "password": "pw"})
    assert isinstance(parsed, PasswordCredentials)
    assert "pw" not in repr(parsed)
    assert parsed.password.get_secret_value() == "pw"
    assert isinstance(
        adapter.validate_python({"kind": "magic_link", "token": "t"}), ports.MagicLinkCredentials
    )
    with pytest.raises(pydantic.ValidationError):
        adapter.validate_python({"kind": "carrier_pigeon"})
    assert Token(access_token="abc").token_type == "bearer"


# ---------------------------------------------------------------- the others
def test_file_metadata() -> None:
    meta = FileMetadata(path="2025/01/a.pdf", size=10, content_type="application/pdf")
    assert meta.etag is None
    with pytest.raises(pydantic.ValidationError):
        FileMetadata(path="a", size=-1)


def test_search_result_defaults() -> None:
    result = SearchResult()
    assert (result.items, result.total, result.facets, result.highlights) == ([], 0, {}, {})
    with pytest.raises(pydantic.ValidationError):
        SearchResult(total=-1)


def test_email_message_needs_a_recipient_and_a_body() -> None:
    message = EmailMessage(to=["a@example.com"], subject="Hi", body_text="Hello")
    assert message.cc == []
    with pytest.raises(pydantic.ValidationError):
        EmailMessage(to=[], subject="Hi", body_text="Hello")
    with pytest.raises(pydantic.ValidationError, match="body_text or body_html"):
        EmailMessage(to=["a@example.com"], subject="Hi")


def test_tenant_context() -> None:
    tenant = TenantContext(
        tenant_id="acme", attributes={"features": ["crm"], "default_locale": "hi"}
    )
    assert tenant.has_feature("crm")
    assert not tenant.has_feature("hr")
    assert tenant.default_locale == "hi"
    assert not tenant.is_default
    everything = TenantContext(tenant_id=ports.DEFAULT_TENANT_ID, attributes={"features": "*"})
    assert everything.has_feature("anything")
    assert everything.default_locale is None
    with pytest.raises(pydantic.ValidationError):
        TenantContext(tenant_id="")


def test_audit_entry_defaults() -> None:
    entry = AuditEntry(user_id="u", action="update", doctype="Invoice", document_id="1")
    assert UUID(entry.id).version == 7
    assert entry.timestamp.tzinfo is not None
    assert entry.changes is None
    with pytest.raises(pydantic.ValidationError):
        AuditEntry(user_id="u", action="update", doctype="Invoice")  # type: ignore[call-arg]
