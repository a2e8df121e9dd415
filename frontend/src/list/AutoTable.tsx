/**
 * AutoTable: a DocType's documents as an ARIA grid, its columns from the metadata.
 *
 * Server-side by design: sorting and selection are controlled props (the caller fetches the
 * page), rows are virtualized (only those in view are in the DOM, with aria-rowcount /
 * aria-rowindex telling assistive technology where they are), cells can be edited in place
 * (double-click, Enter or F2; `onCellSave` does the saving) and the grid is navigated with
 * the arrow keys (one tab stop, roving focus). Usable on an app's own page inside the Desk's
 * router and QueryClient.
 */
import {
  functionalUpdate,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type RowSelectionState,
  type SortingState,
} from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { clsx } from "clsx";
import {
  useCallback,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type CSSProperties,
  type FocusEvent,
  type KeyboardEvent,
  type ReactNode,
} from "react";
import { useTranslation } from "react-i18next";
import type { Doc, DocTypeMeta, FieldMeta } from "../api/types";
import { GridRow, type GridColumn } from "./GridRow";
import { isInlineEditable } from "./cellDraft";
import { fieldType, isSortable, resolveColumns } from "./columns";
import { useLinkTitles, type LinkTitles } from "./linkTitles";
import "./list.css";

export type { RowSelectionState, SortingState };

export interface AutoTableProps {
  meta: DocTypeMeta;
  /** The rows on this page, as the API returns them. */
  rows: Doc[];
  /** Field names to show after the title column; default: the DocType's list_fields. */
  columns?: readonly string[] | null;
  /** The grid's accessible name; default "{label} list". */
  label?: string;
  /** Controlled sorting (one key); without onSortingChange the headers are not sortable. */
  sorting?: SortingState;
  onSortingChange?: (sorting: SortingState) => void;
  /** How many documents match in all (when known), for aria-rowcount. */
  rowCount?: number | null;
  /** More documents follow this page (used when rowCount is unknown). */
  hasMore?: boolean;
  /** Index of the first row within all matches (the page's offset), for aria-rowindex. */
  rowOffset?: number;
  /** Controlled row selection by document id; with onRowSelectionChange a checkbox column appears. */
  rowSelection?: RowSelectionState;
  onRowSelectionChange?: (selection: RowSelectionState) => void;
  /** Saves an inline edit; reject with the ApiError to show its field message by the cell. */
  onCellSave?: (row: Doc, field: string, value: unknown) => Promise<unknown>;
  /** Where a document opens; default "/app/{doctype}/{id}" (inside the Desk router). */
  docHref?: (doctype: string, id: string) => string;
  /** Titles of linked documents; default: fetched for the rows in view (useLinkTitles). */
  linkTitles?: LinkTitles;
  /** Height of the scrolling area (CSS); default min(70vh, 640px). */
  maxHeight?: number | string;
  rowHeight?: number;
  overscan?: number;
  /** Shown under the header when there are no rows. */
  empty?: ReactNode;
}

const HEADER_HEIGHT = 40;
const SELECT_COLUMN = "__select";

interface CellPosition {
  /** -1 is the header row. */
  row: number;
  col: number;
}

function defaultDocHref(doctype: string, id: string): string {
  return `/app/${encodeURIComponent(doctype)}/${encodeURIComponent(id)}`;
}

/** Grid track and minimum width of a column, by field type. */
function columnTrack(field: FieldMeta | undefined, isTitle: boolean): [string, number] {
  if (!field) return ["44px", 44];
  if (isTitle) return ["minmax(220px, 2fr)", 220];
  switch (fieldType(field)) {
    case "check":
      return ["minmax(90px, 0.5fr)", 90];
    case "int":
    case "float":
    case "currency":
      return ["minmax(110px, 1fr)", 110];
    case "date":
      return ["minmax(130px, 1fr)", 130];
    case "datetime":
      return ["minmax(170px, 1fr)", 170];
    case "text":
      return ["minmax(200px, 2fr)", 200];
    default:
      return ["minmax(140px, 1fr)", 140];
  }
}

function focusTarget(cell: Element): HTMLElement {
  return (cell.querySelector("[data-focus-target]") as HTMLElement | null) ?? (cell as HTMLElement);
}

function SelectAllCheckbox({ checked, indeterminate, label, tabIndex, onChange, disabled }: {
  checked: boolean;
  indeterminate: boolean;
  label: string;
  tabIndex: number;
  disabled: boolean;
  onChange: (event: unknown) => void;
}) {
  return (
    <input
      type="checkbox"
      aria-label={label}
      checked={checked}
      disabled={disabled}
      ref={(element) => {
        if (element) element.indeterminate = indeterminate;
      }}
      onChange={onChange}
      tabIndex={tabIndex}
      data-focus-target=""
    />
  );
}

export function AutoTable({
  meta,
  rows,
  columns: chosen,
  label,
  sorting: sortingProp,
  onSortingChange,
  rowCount,
  hasMore = false,
  rowOffset = 0,
  rowSelection: selectionProp,
  onRowSelectionChange,
  onCellSave,
  docHref = defaultDocHref,
  linkTitles: linkTitlesProp,
  maxHeight = "min(70vh, 640px)",
  rowHeight = 36,
  overscan = 8,
  empty,
}: AutoTableProps) {
  const { t } = useTranslation();
  const fields = useMemo(() => resolveColumns(meta, chosen), [meta, chosen]);
  const fetchedTitles = useLinkTitles(fields, rows, linkTitlesProp === undefined);
  const linkTitles = linkTitlesProp ?? fetchedTitles;
  const selectable = Boolean(onRowSelectionChange);
  const sortable = Boolean(onSortingChange);
  const editable = Boolean(onCellSave) && meta.permissions?.write !== false;
  const sorting = sortingProp ?? [];
  const rowSelection = selectionProp ?? {};
  const fieldById = useMemo(() => new Map(fields.map((field) => [field.name, field])), [fields]);
  const titleName = fields[0]?.name;

  const columnDefs = useMemo<ColumnDef<Doc>[]>(() => {
    const defs: ColumnDef<Doc>[] = fields.map((field) => ({
      id: field.name,
      accessorFn: (row: Doc) => row[field.name],
      header: field.label,
      enableSorting: sortable && isSortable(field),
    }));
    if (selectable) defs.unshift({ id: SELECT_COLUMN, header: "", enableSorting: false });
    return defs;
  }, [fields, selectable, sortable]);

  const table = useReactTable<Doc>({
    data: rows,
    columns: columnDefs,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (row) => String(row.id),
    manualSorting: true,
    manualPagination: true,
    enableMultiSort: false,
    enableSortingRemoval: true,
    sortDescFirst: false,
    enableRowSelection: selectable,
    state: { sorting, rowSelection },
    onSortingChange: (updater) => onSortingChange?.(functionalUpdate(updater, sorting)),
    onRowSelectionChange: (updater) => onRowSelectionChange?.(functionalUpdate(updater, rowSelection)),
  });

  const scrollRef = useRef<HTMLDivElement | null>(null);
  const gridRef = useRef<HTMLDivElement | null>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan,
    scrollMargin: HEADER_HEIGHT,
    scrollPaddingStart: HEADER_HEIGHT,
    getItemKey: (index) => String(rows[index]?.id ?? index),
  });
  const virtualRows = virtualizer.getVirtualItems();

  const [active, setActive] = useState<CellPosition>({ row: -1, col: 0 });
  const [editing, setEditing] = useState<{ rowId: string; field: string } | null>(null);
  /** A cell to focus once it is rendered (after keyboard moves and closed edits). */
  const pendingFocus = useRef<CellPosition | null>(null);

  const headers = table.getHeaderGroups()[0]?.headers ?? [];
  const columnCount = headers.length;
  const lastRow = rows.length - 1;
  const activeRow = Math.min(active.row, lastRow);
  const activeCol = Math.min(active.col, Math.max(columnCount - 1, 0));
  // The one tab stop: the active cell while it is rendered, else its column's header.
  const rendered = virtualRows.some((item) => item.index === activeRow);
  const tabRow = activeRow >= 0 && rendered ? activeRow : -1;

  useLayoutEffect(() => {
    const wanted = pendingFocus.current;
    if (!wanted || !gridRef.current) return;
    const cell = gridRef.current.querySelector(`[data-row="${wanted.row}"][data-col="${wanted.col}"]`);
    if (cell) {
      pendingFocus.current = null;
      focusTarget(cell).focus();
    }
  });

  const moveTo = useCallback(
    (position: CellPosition) => {
      pendingFocus.current = position;
      setActive(position);
      if (position.row >= 0) virtualizer.scrollToIndex(position.row);
    },
    [virtualizer],
  );

  /** The grid's columns as rows draw them (stable while the columns stay the same). */
  const gridColumns = useMemo<GridColumn[]>(() => {
    const columns: GridColumn[] = fields.map((field) => ({
      id: field.name,
      kind: field.name === titleName ? "title" : "field",
      field,
      editable: editable && isInlineEditable(field),
      numeric: ["int", "float", "currency"].includes(fieldType(field)),
    }));
    if (selectable) columns.unshift({ id: SELECT_COLUMN, kind: "select", editable: false, numeric: false });
    return columns;
  }, [fields, titleName, editable, selectable]);

  // Row callbacks stay the same function across renders (GridRow is memoized) and read the
  // latest props through this ref.
  const latest = useRef({ rows, gridColumns, onCellSave, table });
  latest.current = { rows, gridColumns, onCellSave, table };

  const startEdit = useCallback((rowIndex: number, col: number): boolean => {
    const { rows: current, gridColumns: columns } = latest.current;
    const row = current[rowIndex];
    const column = columns[col];
    if (!row || !column?.field || !column.editable) return false;
    setActive({ row: rowIndex, col });
    setEditing({ rowId: String(row.id), field: column.field.name });
    return true;
  }, []);

  const toggleRow = useCallback((id: string, selected: boolean) => {
    latest.current.table.getRow(id).toggleSelected(selected);
  }, []);

  const saveCell = useCallback((doc: Doc, field: string, value: unknown) => {
    const save = latest.current.onCellSave;
    return save ? save(doc, field, value) : Promise.resolve();
  }, []);

  function onGridFocus(event: FocusEvent<HTMLDivElement>) {
    const cell = (event.target as HTMLElement).closest("[data-col]") as HTMLElement | null;
    if (!cell) return;
    const position = { row: Number(cell.dataset.row), col: Number(cell.dataset.col) };
    if (position.row !== active.row || position.col !== active.col) setActive(position);
  }

  function onGridKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const target = event.target as HTMLElement;
    if (target.closest("[data-cell-editor]")) return;
    const cell = target.closest("[data-col]") as HTMLElement | null;
    if (!cell) return;
    const row = Number(cell.dataset.row);
    const col = Number(cell.dataset.col);
    const lastCol = columnCount - 1;
    const pageRows = Math.max(1, Math.floor(((scrollRef.current?.clientHeight ?? 0) - HEADER_HEIGHT) / rowHeight));
    let next: CellPosition | null = null;
    switch (event.key) {
      case "ArrowDown":
        next = { row: Math.min(row + 1, lastRow), col };
        break;
      case "ArrowUp":
        next = { row: Math.max(row - 1, -1), col };
        break;
      case "ArrowRight":
        next = { row, col: Math.min(col + 1, lastCol) };
        break;
      case "ArrowLeft":
        next = { row, col: Math.max(col - 1, 0) };
        break;
      case "Home":
        next = event.ctrlKey ? { row: rows.length ? 0 : -1, col: 0 } : { row, col: 0 };
        break;
      case "End":
        next = event.ctrlKey ? { row: lastRow, col: lastCol } : { row, col: lastCol };
        break;
      case "PageDown":
        next = { row: Math.min(row + pageRows, lastRow), col };
        break;
      case "PageUp":
        next = { row: Math.max(row - pageRows, rows.length ? 0 : -1), col };
        break;
      case "Enter":
      case "F2": {
        // Enter on a link or checkbox does what it does natively; F2 always edits.
        if (row < 0 || (event.key === "Enter" && target !== cell)) return;
        if (startEdit(row, col)) event.preventDefault();
        return;
      }
      default:
        return;
    }
    event.preventDefault();
    if (next.row !== row || next.col !== col) moveTo(next);
  }

  const closeEditor = useCallback((row: number, col: number, refocus: boolean) => {
    setEditing(null);
    if (refocus) pendingFocus.current = { row, col };
  }, []);

  const tracks = gridColumns.map((column) => columnTrack(column.field, column.kind === "title"));
  const gridStyle = {
    "--autotable-cols": tracks.map(([track]) => track).join(" "),
    minWidth: `${tracks.reduce((sum, [, min]) => sum + min, 0)}px`,
  } as CSSProperties;
  const totalRows = rowCount ?? (hasMore ? null : rowOffset + rows.length);
  const tableLabel = label ?? t("{{label}} list", { label: meta.label });

  return (
    <div className="autotable">
      <div className="autotable-scroll" ref={scrollRef} style={{ maxHeight }}>
        <div
          ref={gridRef}
          role="grid"
          aria-label={tableLabel}
          aria-rowcount={totalRows === null ? -1 : totalRows + 1}
          aria-colcount={columnCount}
          aria-multiselectable={selectable || undefined}
          className="autotable-grid"
          style={gridStyle}
          onFocus={onGridFocus}
          onKeyDown={onGridKeyDown}
        >
          <div role="rowgroup" className="autotable-head">
            <div role="row" aria-rowindex={1} className="autotable-row autotable-header-row" style={{ height: HEADER_HEIGHT }}>
              {headers.map((header, col) => {
                const isActive = tabRow === -1 && activeCol === col;
                const sorted = header.column.getIsSorted();
                const field = fieldById.get(header.column.id);
                let content: ReactNode;
                let ownTarget = false;
                if (header.column.id === SELECT_COLUMN) {
                  content = (
                    <SelectAllCheckbox
                      label={t("Select all rows")}
                      checked={rows.length > 0 && table.getIsAllRowsSelected()}
                      indeterminate={table.getIsSomeRowsSelected()}
                      disabled={rows.length === 0}
                      onChange={table.getToggleAllRowsSelectedHandler()}
                      tabIndex={isActive ? 0 : -1}
                    />
                  );
                } else if (header.column.getCanSort()) {
                  content = (
                    <button
                      type="button"
                      className="autotable-sort"
                      onClick={header.column.getToggleSortingHandler()}
                      tabIndex={isActive ? 0 : -1}
                      data-focus-target=""
                    >
                      <span>{field?.label}</span>
                      <span aria-hidden="true" className="autotable-sort-mark">
                        {sorted === "asc" ? "▲" : sorted === "desc" ? "▼" : ""}
                      </span>
                    </button>
                  );
                } else {
                  ownTarget = true;
                  content = <span>{field?.label}</span>;
                }
                return (
                  <div
                    key={header.id}
                    role="columnheader"
                    aria-colindex={col + 1}
                    aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined}
                    className={clsx("autotable-cell autotable-header", field && fieldType(field) === "currency" && "autotable-right")}
                    data-row={-1}
                    data-col={col}
                    tabIndex={ownTarget ? (isActive ? 0 : -1) : undefined}
                  >
                    {content}
                  </div>
                );
              })}
            </div>
          </div>
          <div role="rowgroup" className="autotable-body" style={{ height: virtualizer.getTotalSize() }}>
            {virtualRows.map((item) => {
              const doc = rows[item.index];
              if (!doc) return null;
              const id = String(doc.id);
              return (
                <GridRow
                  key={item.key}
                  meta={meta}
                  doc={doc}
                  index={item.index}
                  ariaRowIndex={rowOffset + item.index + 2}
                  top={item.start - HEADER_HEIGHT}
                  height={rowHeight}
                  columns={gridColumns}
                  selectable={selectable}
                  selected={Boolean(rowSelection[id])}
                  tabCol={tabRow === item.index ? activeCol : -1}
                  editingField={editing?.rowId === id ? editing.field : null}
                  linkTitles={linkTitles}
                  docHref={docHref}
                  onToggle={toggleRow}
                  onSave={saveCell}
                  onCloseEditor={closeEditor}
                  onStartEdit={startEdit}
                />
              );
            })}
          </div>
        </div>
      </div>
      {rows.length === 0 && empty}
    </div>
  );
}

export default AutoTable;
