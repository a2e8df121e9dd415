"""Built-in DocTypes every site has: users, sessions, API keys, permission rules, shares,
job logs and schedules, webhooks and their delivery logs.

They are registered before any app's DocTypes (see ``BUILTIN_DOCTYPES``) and stored like
any other DocType, so the same repository, migrations and permission checks apply to them.
"""

from framework_m_core.doctypes.api_key import ApiKey
from framework_m_core.doctypes.custom_permission import CustomPermission
from framework_m_core.doctypes.document_share import DocumentShare
from framework_m_core.doctypes.job_log import JobLog
from framework_m_core.doctypes.scheduled_job import ScheduledJob
from framework_m_core.doctypes.user import ADMIN_ROLE, User
from framework_m_core.doctypes.user_session import UserSession
from framework_m_core.doctypes.webhook import Webhook
from framework_m_core.doctypes.webhook_log import WebhookLog

BUILTIN_DOCTYPES = (
    User,
    UserSession,
    ApiKey,
    CustomPermission,
    DocumentShare,
    JobLog,
    ScheduledJob,
    Webhook,
    WebhookLog,
)

__all__ = [
    "ADMIN_ROLE",
    "BUILTIN_DOCTYPES",
    "ApiKey",
    "CustomPermission",
    "DocumentShare",
    "JobLog",
    "ScheduledJob",
    "User",
    "UserSession",
    "Webhook",
    "WebhookLog",
]
