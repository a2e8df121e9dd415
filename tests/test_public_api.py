"""The meta-package's public API: what apps import, and nothing from adapters."""

from __future__ import annotations

import framework_m
from framework_m_core.domain.base_doctype import BaseDocType


def test_public_names() -> None:
    assert set(framework_m.__all__) >= {
        "DocType",
        "ChildDocType",
        "Field",
        "Controller",
        "Link",
        "DocStatus",
        "whitelist",
        "rpc",
        "RpcContext",
        "SystemContext",
        "job",
        "JobContext",
    }
    assert framework_m.DocType is BaseDocType
    for name in framework_m.__all__:
        assert getattr(framework_m, name) is not None


def test_an_app_doctype_reads_like_the_docs() -> None:
    from typing import Annotated
    from uuid import UUID

    from framework_m import Controller, DocType, Field, Link

    class Client(DocType):
        client_name: str = Field(max_length=100)

    class Order(DocType):
        client: Annotated[UUID, Link(Client)]

        class Meta:
            naming = "series:ORD-.####"

    class OrderController(Controller[Order]):
        pass

    assert OrderController.doctype is Order
    assert Order.get_meta().naming == "series:ORD-.####"


def test_public_api_does_not_pull_in_adapters() -> None:
    import subprocess
    import sys

    probe = "import sys, framework_m; assert 'framework_m_standard' not in sys.modules; assert 'sqlalchemy' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", probe]).returncode == 0
