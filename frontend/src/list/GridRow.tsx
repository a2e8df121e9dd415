/**
 * One AutoTable row. Memoized: while the grid scrolls only the rows coming into view render,
 * so every prop here is either the row's own data or a stable callback.
 */
import { clsx } from "clsx";
import { memo, type MouseEvent, type ReactNode } from "react";
import { Link } from "react-router";
import type { Doc, DocTypeMeta, FieldMeta } from "../api/types";
import i18n from "../i18n";
import { CellEditor } from "./CellEditor";
import { CellValue } from "./CellValue";
import { fieldType, rowName, rowTitle } from "./columns";
import type { LinkTitles } from "./linkTitles";

export interface GridColumn {
  /** The field's name, or "__select" for the checkbox column. */
  id: string;
  kind: "select" | "title" | "field";
  field?: FieldMeta;
  /** Editable in place (field type, permission and an onCellSave all allow it). */
  editable: boolean;
  numeric: boolean;
}

export interface GridRowProps {
  meta: DocTypeMeta;
  doc: Doc;
  /** Index within the page. */
  index: number;
  /** Position among all matches, header = 1 (aria-rowindex). */
  ariaRowIndex: number;
  top: number;
  height: number;
  columns: readonly GridColumn[];
  selectable: boolean;
  selected: boolean;
  /** The column holding the grid's tab stop when it is in this row, else -1. */
  tabCol: number;
  /** The field being edited in this row. */
  editingField: string | null;
  linkTitles: LinkTitles;
  docHref: (doctype: string, id: string) => string;
  onToggle: (id: string, selected: boolean) => void;
  onSave: (doc: Doc, field: string, value: unknown) => Promise<unknown>;
  onCloseEditor: (row: number, col: number, refocus: boolean) => void;
  onStartEdit: (row: number, col: number) => boolean;
}

export const GridRow = memo(function GridRow({
  meta,
  doc,
  index,
  ariaRowIndex,
  top,
  height,
  columns,
  selectable,
  selected,
  tabCol,
  editingField,
  linkTitles,
  docHref,
  onToggle,
  onSave,
  onCloseEditor,
  onStartEdit,
}: GridRowProps) {
  function onDoubleClick(event: MouseEvent<HTMLDivElement>, col: number) {
    if ((event.target as HTMLElement).closest("[data-cell-editor]")) return;
    if (onStartEdit(index, col)) event.preventDefault();
  }

  return (
    <div
      role="row"
      aria-rowindex={ariaRowIndex}
      aria-selected={selectable ? selected : undefined}
      className={clsx("autotable-row", selected && "autotable-row-selected", editingField && "autotable-row-editing")}
      style={{ height, transform: `translateY(${top}px)` }}
    >
      {columns.map((column, col) => {
        const tabIndex = tabCol === col ? 0 : -1;
        const field = column.field;
        const value = field ? doc[field.name] : undefined;
        let content: ReactNode = null;
        // Whether the cell itself takes focus (else a link or checkbox inside it does).
        let ownTarget = true;
        if (column.kind === "select") {
          ownTarget = false;
          content = (
            <input
              type="checkbox"
              aria-label={i18n.t("Select {{name}}", { name: rowName(meta, doc) })}
              checked={selected}
              onChange={(event) => onToggle(String(doc.id), event.target.checked)}
              tabIndex={tabIndex}
              data-focus-target=""
            />
          );
        } else if (field && editingField === field.name) {
          content = <CellEditor field={field} value={value} onSave={(next) => onSave(doc, field.name, next)} onClose={(refocus) => onCloseEditor(index, col, refocus)} />;
        } else if (column.kind === "title") {
          ownTarget = false;
          content = (
            <Link to={docHref(meta.doctype, String(doc.id))} tabIndex={tabIndex} data-focus-target="" className="autotable-title">
              {rowTitle(meta, doc)}
            </Link>
          );
        } else if (field) {
          const target = fieldType(field) === "link" ? field.link_doctype : null;
          const linkHref = target && typeof value === "string" && value ? docHref(target, value) : undefined;
          if (linkHref) ownTarget = false;
          content = (
            <CellValue
              field={field}
              value={value}
              linkTitle={target && typeof value === "string" ? linkTitles[target]?.[value] : undefined}
              linkHref={linkHref}
              tabIndex={tabIndex}
            />
          );
        }
        return (
          <div
            key={column.id}
            role="gridcell"
            aria-colindex={col + 1}
            aria-readonly={field && !column.editable ? true : undefined}
            className={clsx("autotable-cell", column.numeric && "autotable-right")}
            data-row={index}
            data-col={col}
            tabIndex={ownTarget ? tabIndex : undefined}
            onDoubleClick={(event) => onDoubleClick(event, col)}
            onMouseDown={(event) => {
              // The second click of a double-click would select a word; it opens the editor instead.
              if (event.detail > 1 && column.editable) event.preventDefault();
            }}
          >
            {content}
          </div>
        );
      })}
    </div>
  );
});
