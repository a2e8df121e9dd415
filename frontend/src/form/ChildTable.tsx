/**
 * A Table field: its child rows as an editable grid. One input per child column, labelled
 * "{column} row N"; per row "Move row N up" / "Move row N down" / "Remove row N"; "Add row" below.
 * After a move, add or remove the focus follows the row, so a keyboard user keeps their place.
 */
import { useEffect, useRef, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { ErrorSchema } from "@rjsf/utils";
import type { FieldMeta } from "../api/types";
import { Button } from "../components/ui";
import { childColumns, newChildRow } from "./formModel";
import { FieldInput, readOnlyText } from "./widgets/FieldInput";

type Row = Record<string, unknown>;

export interface ChildTableProps {
  /** The id prefix of the cells: `${id}_${row}_${column}` (RJSF's path ids). */
  id: string;
  /** The id of the element whose text names the table (the field's label). */
  labelId: string;
  field: FieldMeta;
  rows: Row[];
  onChange: (rows: Row[]) => void;
  errorSchema?: ErrorSchema;
  disabled?: boolean;
  readOnly?: boolean;
  /** Ids describing the whole table (its own errors). */
  describedBy?: string;
  onDraftError?: (key: string, message: string | null) => void;
}

function cellErrors(errorSchema: ErrorSchema | undefined, row: number, column: string): string[] {
  const rowErrors = (errorSchema as Record<string, unknown> | undefined)?.[row] as Record<string, { __errors?: string[] }> | undefined;
  return rowErrors?.[column]?.__errors ?? [];
}

export function ChildTable({ id, labelId, field, rows, onChange, errorSchema, disabled, readOnly, describedBy, onDraftError }: ChildTableProps) {
  const { t } = useTranslation();
  const columns = childColumns(field);
  const editable = !disabled && !readOnly;
  const focusAfter = useRef<string | null>(null);
  const wrapper = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const target = focusAfter.current;
    if (!target) return;
    focusAfter.current = null;
    const element = wrapper.current?.querySelector<HTMLElement>(`[data-focus-key="${target}"]`) ?? document.getElementById(target);
    if (element && !(element as HTMLButtonElement).disabled) element.focus();
    else wrapper.current?.querySelector<HTMLElement>("[data-focus-key='add']")?.focus();
  });

  const cellId = (row: number, column: string) => `${id}_${row}_${column}`;

  const setCell = (index: number, column: string, value: unknown) => {
    onChange(rows.map((row, i) => (i === index ? { ...row, [column]: value } : row)));
  };

  const add = () => {
    focusAfter.current = columns[0] ? cellId(rows.length, columns[0].name) : "add";
    onChange([...rows, newChildRow(field)]);
  };

  const remove = (index: number) => {
    const next = rows.filter((_, i) => i !== index);
    focusAfter.current = next.length === 0 ? "add" : `remove-${Math.min(index, next.length - 1)}`;
    onChange(next);
  };

  const move = (index: number, delta: -1 | 1) => {
    const to = index + delta;
    if (to < 0 || to >= rows.length) return;
    const next = [...rows];
    [next[index], next[to]] = [next[to], next[index]];
    // Stay on the same button of the moved row, or its other move button at either end.
    const atEnd = delta < 0 ? to === 0 : to === rows.length - 1;
    focusAfter.current = atEnd ? `${delta < 0 ? "down" : "up"}-${to}` : `${delta < 0 ? "up" : "down"}-${to}`;
    onChange(next);
  };

  let body: ReactNode;
  if (rows.length === 0) {
    body = (
      <tr>
        <td colSpan={columns.length + 2} className="fm-grid-empty">
          {t("No rows")}
        </td>
      </tr>
    );
  } else {
    body = rows.map((row, index) => {
      const n = index + 1;
      return (
        // Rows are keyed by position: RJSF hands back fresh row objects, and the inputs are
        // controlled, so their content follows the data when rows move.
        <tr key={index}>
          <th scope="row" className="fm-grid-rownum">
            {n}
          </th>
          {columns.map((column) => {
            const errors = cellErrors(errorSchema, index, column.name);
            const inputId = cellId(index, column.name);
            const errorId = `${inputId}__error`;
            const cellLabel = t("{{column}} row {{n}}", { column: column.label, n });
            return (
              <td key={column.name} className={`fm-grid-cell fm-grid-${column.fieldtype}`}>
                {editable ? (
                  <FieldInput
                    id={inputId}
                    field={column}
                    value={row[column.name]}
                    onChange={(value) => setCell(index, column.name, value)}
                    required={column.required}
                    invalid={errors.length > 0}
                    describedBy={errors.length ? errorId : undefined}
                    ariaLabel={cellLabel}
                    compact
                    onDraftError={onDraftError ? (message) => onDraftError(inputId, message) : undefined}
                  />
                ) : (
                  <span aria-label={cellLabel}>{readOnlyText(column, row[column.name], null, t) || "—"}</span>
                )}
                {errors.length > 0 && (
                  <div id={errorId} className="field-error">
                    {errors.join(" ")}
                  </div>
                )}
              </td>
            );
          })}
          <td className="fm-grid-actions">
            {editable && (
              <>
                <Button size="sm" variant="ghost" aria-label={t("Move row {{n}} up", { n })} title={t("Move row {{n}} up", { n })} disabled={index === 0} data-focus-key={`up-${index}`} onClick={() => move(index, -1)}>
                  <span aria-hidden="true">↑</span>
                </Button>
                <Button
                  size="sm"
                  variant="ghost"
                  aria-label={t("Move row {{n}} down", { n })}
                  title={t("Move row {{n}} down", { n })}
                  disabled={index === rows.length - 1}
                  data-focus-key={`down-${index}`}
                  onClick={() => move(index, 1)}
                >
                  <span aria-hidden="true">↓</span>
                </Button>
                <Button size="sm" variant="ghost" aria-label={t("Remove row {{n}}", { n })} title={t("Remove row {{n}}", { n })} data-focus-key={`remove-${index}`} onClick={() => remove(index)}>
                  <span aria-hidden="true">✕</span>
                </Button>
              </>
            )}
          </td>
        </tr>
      );
    });
  }

  return (
    <div className="fm-grid-wrap" ref={wrapper}>
      <div className="fm-grid-scroll">
        <table className="fm-grid" aria-labelledby={labelId} aria-describedby={describedBy}>
          <thead>
            <tr>
              <th scope="col" className="fm-grid-rownum">
                <span aria-hidden="true">#</span>
                <span className="sr-only">{t("Row")}</span>
              </th>
              {columns.map((column) => (
                <th scope="col" key={column.name}>
                  {column.label}
                  {column.required && (
                    <span className="required-mark" aria-hidden="true">
                      *
                    </span>
                  )}
                </th>
              ))}
              <th scope="col" className="fm-grid-actions">
                <span className="sr-only">{t("Row actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>{body}</tbody>
        </table>
      </div>
      {editable && (
        <Button size="sm" className="fm-grid-add" data-focus-key="add" onClick={add}>
          {t("Add row")}
        </Button>
      )}
    </div>
  );
}
