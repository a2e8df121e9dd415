"""``m import DOCTYPE FILE`` and ``m export DOCTYPE``: documents in and out as CSV or JSON.

Both go through the document service as a user (``--user``) or, by default, as the system
principal (audited): role permissions, row-level security, hidden fields and validation
apply as they do over HTTP, and imports run the DocType's controller hooks unless a system
actor passes ``--bypass-controllers``. See ``importer.py`` for batches and rejected rows.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import cyclopts

from framework_m_core.exceptions import DocTypeNotFoundError
from framework_m_standard.cli.data_files import FileFormat, FileFormatError, detect_format
from framework_m_standard.cli.site_runner import CommandError, SiteSession, run_on_site
from framework_m_standard.cli.user_errors import fail

if TYPE_CHECKING:
    from framework_m_core.domain.base_doctype import BaseDocType
    from framework_m_core.interfaces.repository import RepositoryProtocol
    from framework_m_core.services.actor import Actor
    from framework_m_core.services.documents import DocumentService
    from framework_m_standard.cli.importer import ImportReport

DEFAULT_BATCH_SIZE = 500
_REPORT_LIMIT = 100
"""Rejected rows listed one by one; beyond this only their count (``--all-errors`` for all)."""


def register(app: cyclopts.App) -> None:
    """Add ``import`` and ``export`` to the ``m`` root."""
    app.command(import_, name="import")
    app.command(export, name="export")


# ---------------------------------------------------------------- m import
def import_(
    doctype: str,
    file: Path,
    /,
    *,
    file_format: Annotated[FileFormat | None, cyclopts.Parameter(name="--format")] = None,
    user: str | None = None,
    tenant: str | None = None,
    bypass_controllers: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    dry_run: bool = False,
    all_errors: bool = False,
) -> None:
    """Import the rows of a CSV or JSON file as new documents.

    Every row is validated like a create over the API; rows that fail are reported with
    their number and reason and the others are imported, BATCH_SIZE rows per transaction.
    A batch the database (or a controller hook) refuses is rolled back whole and reported.
    Rows are numbered from 1 (a CSV header is not counted). The exit code is 1 when any
    row was not imported.

    Parameters
    ----------
    doctype
        The DocType to create documents of (its class name, e.g. Customer).
    file
        A CSV file with a header row, or a JSON list of objects (child tables as nested
        lists). Columns the server sets (id, owner, creation, ...) are ignored.
    file_format
        csv or json; by default from the file's extension.
    user
        Act as this user (e-mail): their permissions apply and they own the documents.
        By default the system principal acts (recorded in the audit log).
    tenant
        Create the documents in this tenant (multi-tenant sites).
    bypass_controllers
        Skip the DocType's controller hooks (validation still applies). Only for the
        system principal, i.e. without --user or as a user with the System role.
    batch_size
        Rows per transaction.
    dry_run
        Check every row and report, but import nothing.
    all_errors
        List every rejected row (by default the first 100).
    """
    if batch_size < 1:
        fail("--batch-size must be at least 1")
    try:
        chosen = detect_format(file, file_format)
    except FileFormatError as exc:
        fail(str(exc))
    if not file.is_file():
        fail(f"cannot open {file}: no such file")

    async def body(site: SiteSession) -> tuple[str, ImportReport]:
        from framework_m_standard.cli.data_files import ImportFile
        from framework_m_standard.cli.importer import DocumentImporter

        documents = site.documents
        target = find_doctype(documents, doctype)
        name = target.get_doctype_name()
        reason = f"m import {name} {file.name}"
        async with site.acting_as(user, tenant=tenant, reason=reason) as actor:
            await documents.authorize(actor, target, "create")
            repository = None
            if bypass_controllers:
                if not actor.user.is_system_user:
                    raise CommandError(
                        "--bypass-controllers is only for the system principal; "
                        f"{actor.user.email} is not a system user (leave out --user)"
                    )
                repository = plain_repository(documents, target)
            importer = DocumentImporter(
                documents,
                actor,
                target,
                repository=repository,
                batch_size=batch_size,
                dry_run=dry_run,
            )
            try:
                source = ImportFile(file, chosen, target)
                check_columns(documents, actor, target, source.columns)
                with progress_bar(source.count(), f"Importing {name}") as advance:
                    return name, await importer.run(source.rows(), advance)
            except FileFormatError as exc:
                raise CommandError(str(exc)) from None

    name, report = run_on_site(body)
    print_report(report, doctype=name, dry_run=dry_run, all_errors=all_errors)
    if not report.complete:
        raise SystemExit(1)


def find_doctype(documents: DocumentService, name: str) -> type[BaseDocType]:
    """The API DocType of this name; a unique case-insensitive match is accepted too."""
    try:
        return documents.resource(name)
    except DocTypeNotFoundError:
        pass
    wanted = _loose(name)
    matches = [n for n in documents.registry.list_doctypes() if _loose(n) == wanted]
    if len(matches) == 1:
        try:
            return documents.resource(matches[0])
        except DocTypeNotFoundError:
            pass
    raise CommandError(f"unknown DocType {name!r}")


def _loose(name: str) -> str:
    return name.replace("_", "").replace(" ", "").replace("-", "").lower()


def plain_repository(
    documents: DocumentService, doctype: type[BaseDocType]
) -> RepositoryProtocol[Any]:
    """The DocType's repository without controller hooks (``--bypass-controllers``)."""
    from framework_m_standard.adapters.db.generic_repository import GenericRepository

    repository = documents.repositories.get(doctype)
    if not isinstance(repository, GenericRepository):
        raise CommandError(
            f"{doctype.get_doctype_name()} has its own repository: "
            "--bypass-controllers works only for DocTypes stored in the database"
        )
    # A copy shares the mapping, statements and naming; only the hooks are left out.
    plain = copy.copy(repository)
    plain.controller_class = None
    return plain


def check_columns(
    documents: DocumentService, actor: Actor, doctype: type[BaseDocType], columns: list[str]
) -> None:
    """A CSV header names only fields the actor may write (checked once, not per row)."""
    from framework_m_standard.cli.importer import SERVER_SET_FIELDS

    hidden = documents.hidden_fields(actor, doctype)
    known = {info.alias or name for name, info in doctype.model_fields.items()}
    unknown = [c for c in columns if c not in SERVER_SET_FIELDS and (c not in known or c in hidden)]
    if unknown:
        raise CommandError(
            f"{doctype.get_doctype_name()} has no field {', '.join(map(repr, unknown))} "
            "(check the header row)"
        )


@contextmanager
def progress_bar(total: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """A rich progress bar on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda done: progress.advance(task, done)


def print_report(report: ImportReport, *, doctype: str, dry_run: bool, all_errors: bool) -> None:
    """The rejected rows and failed batches, then a one-line summary."""
    if report.ignored_fields:
        ignored = ", ".join(sorted(report.ignored_fields))
        print(f"Ignored fields the server sets: {ignored}", file=sys.stderr)
    if report.rejected:
        print(f"Rejected rows ({len(report.rejected)}):")
        shown = report.rejected if all_errors else report.rejected[:_REPORT_LIMIT]
        for rejected in shown:
            print(f"  {rejected.row}: {rejected.reason}")
        if len(shown) < len(report.rejected):
            print(f"  ... and {len(report.rejected) - len(shown)} more (--all-errors lists all)")
    for batch in report.failed_batches:
        print(
            f"Batch {batch.first} to {batch.last} rolled back, "
            f"{batch.rows} valid rows not imported: {batch.reason}"
        )
    verb = "would be imported" if dry_run else "imported"
    summary = f"{report.imported} of {report.rows} rows {verb} into {doctype}"
    if report.rejected:
        summary += f"; {len(report.rejected)} rejected"
    lost = sum(batch.rows for batch in report.failed_batches)
    if lost:
        summary += f"; {lost} in failed batches"
    print(summary + (" (dry run: nothing was written)." if dry_run else "."))


# ---------------------------------------------------------------- m export
def export(
    doctype: str,
    /,
    *,
    output: Annotated[Path | None, cyclopts.Parameter(name=["--output", "-o"])] = None,
    file_format: Annotated[FileFormat | None, cyclopts.Parameter(name="--format")] = None,
    where: Annotated[list[str] | None, cyclopts.Parameter(name="--filter", negative=())] = None,
    fields: str | None = None,
    user: str | None = None,
    tenant: str | None = None,
) -> None:
    """Write every document the user may read to CSV (with a header) or JSON (a list).

    Parameters
    ----------
    doctype
        The DocType to export (its class name, e.g. Customer).
    output
        The file to write (replaced when the export is complete); standard output if left out.
    file_format
        csv or json; by default from the output file's extension, else csv.
    where
        A condition FIELD=VALUE (also !=, >, >=, <, <=), or a JSON list of
        [field, operator, value] as in the API. Repeatable; all must match.
    fields
        Comma-separated fields to write; by default every field the user may see.
    user
        Export as this user (e-mail): their permissions and row-level security apply.
        By default the system principal reads everything (recorded in the audit log).
    tenant
        Read in this tenant (multi-tenant sites).
    """
    try:
        chosen = detect_format(output, file_format) if output is not None else file_format
    except FileFormatError as exc:
        fail(str(exc))
    if output is not None and not output.resolve().parent.is_dir():
        fail(f"cannot write {output}: no such directory")

    async def body(site: SiteSession) -> tuple[str, int]:
        from framework_m_standard.adapters.web.query_params import parse_fields
        from framework_m_standard.cli.data_files import open_output, write_records
        from framework_m_standard.cli.exporter import (
            all_records,
            export_columns,
            parse_filter_options,
            started,
        )

        documents = site.documents
        target = find_doctype(documents, doctype)
        name = target.get_doctype_name()
        conditions = parse_filter_options(where or [])
        selected = parse_fields(fields)
        async with site.acting_as(user, tenant=tenant, reason=f"m export {name}") as actor:
            columns = export_columns(documents, actor, target, selected)
            # The first page is read before anything is written: a bad filter or a denied
            # read is then an error line, not a header followed by one.
            records = await started(all_records(documents, actor, target, conditions, selected))
            with open_output(output) as handle:
                return name, await write_records(records, columns, chosen or "csv", handle)

    name, count = run_on_site(body)
    if output is not None:
        print(f"Exported {count} {name} documents to {output}.", file=sys.stderr)


__all__ = [
    "check_columns",
    "export",
    "find_doctype",
    "import_",
    "plain_repository",
    "print_report",
    "progress_bar",
    "register",
]
