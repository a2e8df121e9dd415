"""Print port: render a document through a template to PDF or HTML.

The module is named after the concept (the architecture's port list); it defines no
``print`` and shadows nothing, so ``print()`` stays the builtin wherever this is imported.
"""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import BaseModel

PrintFormat = Literal["pdf", "html"]


class PrintProtocol(Protocol):
    async def render(
        self, doc: BaseModel, template: str, output_format: PrintFormat = "pdf"
    ) -> bytes:
        """The document rendered through the named print template, in the requested format."""
        ...
