"""``CustomPermission``: a rule stored in the database that grants or revokes an action for a role.

Rules add to (``allow``) or take away from (``allow=False``) what ``Meta.permissions``
declares, so an administrator can adjust access without a deployment.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from framework_m_core.doctypes.user import ADMIN_ROLE
from framework_m_core.domain.base_doctype import BaseDocType


class CustomPermission(BaseDocType):
    doctype: str = Field(max_length=140)
    role: str = Field(max_length=140)
    action: Literal["read", "write", "create", "delete", "submit", "cancel", "amend"]
    allow: bool = True
    """True grants the action to the role; False revokes it even if ``Meta.permissions`` grants it."""

    class Meta:
        unique_together = (("doctype", "role", "action"),)
        permissions = {
            "read": [ADMIN_ROLE],
            "write": [ADMIN_ROLE],
            "create": [ADMIN_ROLE],
            "delete": [ADMIN_ROLE],
        }
