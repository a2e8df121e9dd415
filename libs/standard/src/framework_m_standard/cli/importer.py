"""Importing rows as new documents, in batches, through the document service.

Each row is checked first as the API checks a create (fields the actor may write, validation
into the DocType, tenant), so a bad row is rejected with its reason and the others go on.
The valid rows of a batch are then inserted with the repository's ``bulk_save`` in one unit
of work: controller hooks run per document and a failure of any of them, or of the database,
rolls the whole batch back and is reported for the batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from framework_m_core.domain.base_doctype import CHILD_FIELDS, STANDARD_FIELDS, BaseDocType
from framework_m_core.exceptions import FrameworkError
from framework_m_core.interfaces.repository import RepositoryProtocol
from framework_m_core.services.actor import Actor
from framework_m_core.services.document_input import READ_ONLY_FIELDS
from framework_m_core.services.documents import DocumentService
from framework_m_standard.adapters.db.field_registry import analyse
from framework_m_standard.cli.data_files import SourceRow

T = TypeVar("T", bound=BaseDocType)

SERVER_SET_FIELDS = frozenset((READ_ONLY_FIELDS | {"_version"}) - {"docstatus"})
"""Columns of an export the server sets on insert; an import ignores them."""
_CHILD_SERVER_SET = frozenset(STANDARD_FIELDS | CHILD_FIELDS | {"_version"})


@dataclass(frozen=True, slots=True)
class RejectedRow:
    row: str
    """How the file's row is named in the report (``row 17``)."""
    reason: str


@dataclass(frozen=True, slots=True)
class FailedBatch:
    first: str
    last: str
    rows: int
    """Valid rows of the batch that were not imported."""
    reason: str


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    failed_batches: list[FailedBatch] = field(default_factory=list)
    ignored_fields: set[str] = field(default_factory=set)

    @property
    def not_imported(self) -> int:
        return self.rows - self.imported

    @property
    def complete(self) -> bool:
        return self.imported == self.rows


def error_reason(exc: FrameworkError) -> str:
    """A domain error as one line; per-field validation errors as ``field: message``."""
    errors = exc.context.get("errors")
    if isinstance(errors, list) and errors and all(isinstance(e, Mapping) for e in errors):
        parts = []
        for error in errors:
            location = ".".join(str(part) for part in error.get("loc", ()))
            message = str(error.get("msg", ""))
            parts.append(f"{location}: {message}" if location else message)
        detail = "; ".join(parts)
        # "Invalid document" says nothing the field errors do not; other messages do.
        return detail if exc.message == "Invalid document" else f"{exc.message} ({detail})"
    return exc.message


class DocumentImporter(Generic[T]):
    """Imports rows as new ``doctype`` documents, acting as ``actor``.

    ``repository`` replaces the DocType's own (one without controller hooks, for
    ``--bypass-controllers``); ``dry_run`` checks every row and inserts nothing.
    """

    def __init__(
        self,
        documents: DocumentService,
        actor: Actor,
        doctype: type[T],
        *,
        repository: RepositoryProtocol[T] | None = None,
        batch_size: int = 500,
        dry_run: bool = False,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.documents = documents
        self.actor = actor
        self.doctype = doctype
        self.repository = repository or documents.repositories.get(doctype)
        self.batch_size = batch_size
        self.dry_run = dry_run
        self._children = {
            info.alias or name
            for name, info in doctype.model_fields.items()
            if analyse(info).child is not None
        }

    async def run(
        self, rows: Iterable[SourceRow], progress: Callable[[int], None] | None = None
    ) -> ImportReport:
        """Import every row; ``progress(n)`` is told each time ``n`` more rows are done.

        Raises ``PermissionDeniedError`` before reading a row if the actor may not create.
        """
        await self.documents.authorize(self.actor, self.doctype, "create")
        report = ImportReport()
        batch: list[SourceRow] = []
        for row in rows:
            batch.append(row)
            if len(batch) == self.batch_size:
                await self._import_batch(batch, report)
                if progress is not None:
                    progress(len(batch))
                batch = []
        if batch:
            await self._import_batch(batch, report)
            if progress is not None:
                progress(len(batch))
        return report

    async def _import_batch(self, batch: list[SourceRow], report: ImportReport) -> None:
        report.rows += len(batch)
        entities: list[T] = []
        for row in batch:
            entity = self._document(row, report)
            if entity is not None:
                entities.append(entity)
        if not entities or self.dry_run:
            report.imported += len(entities)
            return
        try:
            async with self.documents.unit_of_work(self.doctype.get_meta().bind) as uow:
                await self.repository.bulk_save(uow.session, entities, user=self.actor.user)
                await uow.commit()
        except FrameworkError as exc:
            reason = error_reason(exc)
        except SQLAlchemyError as exc:
            # What the database reports only at commit (a deferred check, a lost connection).
            reason = f"database error: {str(getattr(exc, 'orig', None) or exc).splitlines()[0]}"
        else:
            report.imported += len(entities)
            self.documents.changed(self.doctype)
            return
        report.failed_batches.append(
            FailedBatch(
                first=batch[0].label, last=batch[-1].label, rows=len(entities), reason=reason
            )
        )

    def _document(self, row: SourceRow, report: ImportReport) -> T | None:
        if row.values is None:
            report.rejected.append(RejectedRow(row.label, row.error or "unreadable"))
            return None
        values = self._client_values(row.values, report)
        try:
            return self.documents.new_document(self.actor, self.doctype, values)
        except FrameworkError as exc:
            report.rejected.append(RejectedRow(row.label, error_reason(exc)))
            return None

    def _client_values(self, values: dict[str, Any], report: ImportReport) -> dict[str, Any]:
        """The row without what the server sets (ids, owners, timestamps, versions)."""
        ignored = SERVER_SET_FIELDS.intersection(values)
        if ignored:
            report.ignored_fields.update(ignored)
            values = {k: v for k, v in values.items() if k not in ignored}
        for name in self._children.intersection(values):
            rows = values[name]
            if isinstance(rows, list):
                values[name] = [
                    {k: v for k, v in child.items() if k not in _CHILD_SERVER_SET}
                    if isinstance(child, Mapping)
                    else child
                    for child in rows
                ]
        return values


__all__ = [
    "SERVER_SET_FIELDS",
    "DocumentImporter",
    "FailedBatch",
    "ImportReport",
    "RejectedRow",
    "error_reason",
]
