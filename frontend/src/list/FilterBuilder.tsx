/**
 * The filter builder: rows of field, operator (per field type) and value, edited as a draft
 * and applied together as the API's filter triples.
 */
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import type { DocTypeMeta, FilterTriple } from "../api/types";
import { Button } from "../components/ui";
import { FilterValueInput } from "./FilterValueInput";
import { titleColumn } from "./columns";
import { emptyValue, filterableFields, newRow, operatorLabel, operatorsFor, rowToTriple, tripleToRow, valueShape, type FilterRow } from "./filters";
import "./list.css";

export interface FilterBuilderProps {
  meta: DocTypeMeta;
  /** The filters in force (from the URL). */
  filters: FilterTriple[];
  onApply: (filters: FilterTriple[]) => void;
}

export function FilterBuilder({ meta, filters, onApply }: FilterBuilderProps) {
  const { t } = useTranslation();
  const fields = useMemo(() => filterableFields(meta), [meta]);
  const byName = useMemo(() => new Map(fields.map((field) => [field.name, field])), [fields]);
  const [rows, setRows] = useState<FilterRow[]>(() =>
    filters.map((triple) => tripleToRow(triple, meta)).filter((row): row is FilterRow => row !== null && byName.has(row.field)),
  );

  function update(index: number, change: (row: FilterRow) => FilterRow) {
    setRows((current) => current.map((row, at) => (at === index ? change(row) : row)));
  }

  function addRow() {
    const first = byName.get(titleColumn(meta).name) ?? fields[0];
    if (first) setRows((current) => [...current, newRow(first)]);
  }

  function apply() {
    const triples = rows
      .map((row) => {
        const field = byName.get(row.field);
        return field ? rowToTriple(row, field) : null;
      })
      .filter((triple): triple is FilterTriple => triple !== null);
    onApply(triples);
  }

  return (
    <form
      className="filterbuilder"
      aria-label={t("Filters")}
      onSubmit={(event) => {
        event.preventDefault();
        apply();
      }}
    >
      {rows.length === 0 && <p className="listview-summary">{t("No filters. Add one to narrow the list.")}</p>}
      {rows.map((row, index) => {
        const field = byName.get(row.field);
        if (!field) return null;
        const operators = operatorsFor(field);
        const offered = operators.includes(row.op) ? operators : [...operators, row.op];
        return (
          <div className="filterbuilder-row" key={index} role="group" aria-label={t("Filter {{number}}", { number: index + 1 })}>
            <select
              className="select"
              aria-label={t("Field")}
              value={row.field}
              onChange={(event) => {
                const next = byName.get(event.target.value);
                if (next) update(index, () => newRow(next));
              }}
            >
              {fields.map((candidate) => (
                <option key={candidate.name} value={candidate.name}>
                  {candidate.label}
                </option>
              ))}
            </select>
            <select
              className="select"
              aria-label={t("Operator")}
              value={row.op}
              onChange={(event) => {
                const op = event.target.value as FilterRow["op"];
                update(index, (current) => ({
                  ...current,
                  op,
                  value: valueShape(op) === valueShape(current.op) ? current.value : emptyValue(field, op),
                }));
              }}
            >
              {offered.map((op) => (
                <option key={op} value={op}>
                  {operatorLabel(op)}
                </option>
              ))}
            </select>
            <FilterValueInput field={field} op={row.op} value={row.value} onChange={(value) => update(index, (current) => ({ ...current, value }))} />
            <Button variant="ghost" size="sm" onClick={() => setRows((current) => current.filter((_, at) => at !== index))}>
              {t("Remove filter")}
            </Button>
          </div>
        );
      })}
      <div className="filterbuilder-actions">
        <Button onClick={addRow}>{t("Add filter")}</Button>
        <Button type="submit" variant="primary">
          {t("Apply filters")}
        </Button>
      </div>
    </form>
  );
}
