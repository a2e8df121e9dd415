"""Workflow port: move documents through named states by permitted actions.

The built-in adapter keeps state in ``WorkflowState`` documents; an external engine
(Temporal, say) can stand behind the same port.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from framework_m_core.interfaces.auth_context import UserContext


class WorkflowStateInfo(BaseModel):
    """Where one document stands in its workflow."""

    model_config = ConfigDict(frozen=True)

    workflow: str
    doctype: str
    doc_id: str
    current_state: str
    updated_at: datetime | None = None


class WorkflowTransitionResult(BaseModel):
    """The outcome of one action: the state before and after, who acted, when."""

    model_config = ConfigDict(frozen=True)

    doc_id: str
    action: str
    from_state: str
    to_state: str
    user_id: str
    timestamp: datetime
    comment: str | None = None


class WorkflowProtocol(Protocol):
    async def start_workflow(
        self, doctype: str, doc_id: str, workflow_name: str
    ) -> WorkflowStateInfo:
        """Put a document in the initial state of the named workflow."""
        ...

    async def get_workflow_state(self, doc_id: str) -> str | None:
        """The document's current state, or None when it is in no workflow."""
        ...

    async def transition(
        self, doc_id: str, action: str, user: UserContext, *, comment: str | None = None
    ) -> WorkflowTransitionResult:
        """Apply an action; raises ``PermissionDeniedError`` or ``ValidationError`` if not allowed."""
        ...

    async def get_available_actions(self, doc_id: str, user: UserContext) -> list[str]:
        """The actions ``user`` may take on the document in its current state."""
        ...
