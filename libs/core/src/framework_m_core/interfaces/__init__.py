"""The ports of Framework M: one ``typing.Protocol`` per concern, with its supporting models.

Adapters in ``framework_m_standard`` (and third-party packages) implement these; the rest of
the code depends only on them.
"""

from framework_m_core.interfaces.audit_log import AuditEntry, AuditLogProtocol
from framework_m_core.interfaces.auth_context import SYSTEM_ROLE, AuthContextProtocol, UserContext
from framework_m_core.interfaces.authentication import (
    Authenticated,
    AuthenticationProtocol,
    AuthMethod,
    AuthRequest,
)
from framework_m_core.interfaces.cache import CacheProtocol
from framework_m_core.interfaces.email_sender import (
    EmailAttachment,
    EmailMessage,
    EmailSenderProtocol,
)
from framework_m_core.interfaces.event_bus import (
    DOC_CANCELLED,
    DOC_CREATED,
    DOC_DELETED,
    DOC_EVENT_TYPES,
    DOC_SUBMITTED,
    DOC_UPDATED,
    DocEventType,
    Event,
    EventBusNotConnectedError,
    EventBusProtocol,
    EventHandler,
)
from framework_m_core.interfaces.i18n import I18nProtocol
from framework_m_core.interfaces.identity import (
    ApiKeyCredentials,
    Credentials,
    IdentityProtocol,
    MagicLinkCredentials,
    OAuthCredentials,
    PasswordCredentials,
    Token,
)
from framework_m_core.interfaces.job_queue import JobInfo, JobQueueProtocol, JobStatus
from framework_m_core.interfaces.notification import NotificationProtocol
from framework_m_core.interfaces.permission import (
    PERMISSION_ACTIONS,
    DecisionSource,
    PermissionAction,
    PermissionProtocol,
    PolicyEvaluateRequest,
    PolicyEvaluateResult,
)
from framework_m_core.interfaces.print import PrintFormat, PrintProtocol
from framework_m_core.interfaces.read_model import ReadModelProtocol
from framework_m_core.interfaces.repository import (
    FILTER_OPERATORS,
    Condition,
    FilterGroup,
    FilterOperator,
    FilterSpec,
    OrderSpec,
    PaginatedResult,
    RepositoryFactoryProtocol,
    RepositoryProtocol,
)
from framework_m_core.interfaces.schema_mapper import SchemaMapperProtocol
from framework_m_core.interfaces.search import SearchProtocol, SearchResult
from framework_m_core.interfaces.socket import SocketProtocol
from framework_m_core.interfaces.storage import FileMetadata, StorageProtocol
from framework_m_core.interfaces.tenant import DEFAULT_TENANT_ID, TenantContext, TenantProtocol
from framework_m_core.interfaces.unit_of_work import (
    UnitOfWorkFactoryProtocol,
    UnitOfWorkProtocol,
)
from framework_m_core.interfaces.workflow import (
    WorkflowProtocol,
    WorkflowStateInfo,
    WorkflowTransitionResult,
)

__all__ = [
    "DEFAULT_TENANT_ID",
    "DOC_CANCELLED",
    "DOC_CREATED",
    "DOC_DELETED",
    "DOC_EVENT_TYPES",
    "DOC_SUBMITTED",
    "DOC_UPDATED",
    "FILTER_OPERATORS",
    "PERMISSION_ACTIONS",
    "SYSTEM_ROLE",
    "ApiKeyCredentials",
    "AuditEntry",
    "AuditLogProtocol",
    "AuthContextProtocol",
    "AuthMethod",
    "AuthRequest",
    "Authenticated",
    "AuthenticationProtocol",
    "CacheProtocol",
    "Condition",
    "Credentials",
    "DecisionSource",
    "DocEventType",
    "EmailAttachment",
    "EmailMessage",
    "EmailSenderProtocol",
    "Event",
    "EventBusNotConnectedError",
    "EventBusProtocol",
    "EventHandler",
    "FileMetadata",
    "FilterGroup",
    "FilterOperator",
    "FilterSpec",
    "I18nProtocol",
    "IdentityProtocol",
    "JobInfo",
    "JobQueueProtocol",
    "JobStatus",
    "MagicLinkCredentials",
    "NotificationProtocol",
    "OAuthCredentials",
    "OrderSpec",
    "PaginatedResult",
    "PasswordCredentials",
    "PermissionAction",
    "PermissionProtocol",
    "PolicyEvaluateRequest",
    "PolicyEvaluateResult",
    "PrintFormat",
    "PrintProtocol",
    "ReadModelProtocol",
    "RepositoryFactoryProtocol",
    "RepositoryProtocol",
    "SchemaMapperProtocol",
    "SearchProtocol",
    "SearchResult",
    "SocketProtocol",
    "StorageProtocol",
    "TenantContext",
    "TenantProtocol",
    "Token",
    "UnitOfWorkFactoryProtocol",
    "UnitOfWorkProtocol",
    "UserContext",
    "WorkflowProtocol",
    "WorkflowStateInfo",
    "WorkflowTransitionResult",
]
