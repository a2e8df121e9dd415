/** The value input of a filter row, per field type and operator (labelled "Value"). */
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api } from "../api/http";
import { useDocTypeMeta } from "../api/meta";
import type { FieldMeta, ListResponse } from "../api/types";
import { fieldType } from "./columns";
import { valueShape, type BuilderOperator, type DraftValue } from "./filters";

/** How many documents a Link filter offers to choose from. */
export const LINK_CHOICES = 200;

function useLinkChoices(target: string | null) {
  const meta = useDocTypeMeta(target ?? undefined);
  const title = meta.data?.title_field;
  return useQuery({
    queryKey: ["link-choices", target, title ?? null],
    enabled: Boolean(target) && !meta.isLoading,
    staleTime: 60_000,
    queryFn: async () => {
      const fields = ["id", "name", ...(title && title !== "name" ? [title] : [])];
      const page = await api<ListResponse>(`/api/v1/${encodeURIComponent(target as string)}`, {
        query: { fields: fields.join(","), limit: LINK_CHOICES, order_by: title ?? "name" },
      });
      return page.data.map((doc) => ({ id: doc.id, title: String((title ? doc[title] : undefined) ?? doc.name ?? doc.id) }));
    },
  });
}

function LinkChoice({ field, value, onChange, id }: { field: FieldMeta; value: string; onChange: (value: string) => void; id?: string }) {
  const { t } = useTranslation();
  const choices = useLinkChoices(field.link_doctype);
  const known = choices.data ?? [];
  return (
    <select className="select" aria-label={t("Value")} id={id} value={value} onChange={(event) => onChange(event.target.value)} aria-busy={choices.isLoading || undefined}>
      <option value="">{t("Choose…")}</option>
      {value && !known.some((choice) => choice.id === value) && <option value={value}>{value}</option>}
      {known.map((choice) => (
        <option key={choice.id} value={choice.id}>
          {choice.title}
        </option>
      ))}
    </select>
  );
}

function inputType(field: FieldMeta): string {
  switch (fieldType(field)) {
    case "int":
    case "float":
    case "currency":
      return "number";
    case "date":
      return "date";
    case "datetime":
      return "datetime-local";
    case "time":
      return "time";
    default:
      return "text";
  }
}

export interface FilterValueInputProps {
  field: FieldMeta;
  op: BuilderOperator;
  value: DraftValue;
  onChange: (value: DraftValue) => void;
}

export function FilterValueInput({ field, op, value, onChange }: FilterValueInputProps) {
  const { t } = useTranslation();
  const shape = valueShape(op);
  const type = fieldType(field);
  if (shape === "none") return <span />;

  if (type === "select" || type === "check") {
    const options = type === "check" ? [{ value: "true", label: t("Yes") }, { value: "false", label: t("No") }] : (field.options ?? []).map((option) => ({ value: option, label: option }));
    if (shape === "many") {
      const selected = Array.isArray(value) ? value : [];
      return (
        <select
          multiple
          className="select"
          aria-label={t("Value")}
          value={selected}
          size={Math.min(4, Math.max(2, options.length))}
          onChange={(event) => onChange(Array.from(event.target.selectedOptions, (option) => option.value))}
        >
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      );
    }
    return (
      <select className="select" aria-label={t("Value")} value={String(value)} onChange={(event) => onChange(event.target.value)}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    );
  }

  if (type === "link" && shape === "one") return <LinkChoice field={field} value={String(value)} onChange={onChange} />;

  const htmlType = inputType(field);
  const step = htmlType === "number" && type !== "int" ? "any" : undefined;
  if (shape === "range") {
    const [low, high] = Array.isArray(value) ? value : ["", ""];
    return (
      <span className="filterbuilder-values">
        <input className="input" aria-label={t("Value")} type={htmlType} step={step} value={low ?? ""} onChange={(event) => onChange([event.target.value, high ?? ""])} />
        <input className="input" aria-label={t("Up to")} type={htmlType} step={step} value={high ?? ""} onChange={(event) => onChange([low ?? "", event.target.value])} />
      </span>
    );
  }
  if (shape === "many") {
    // Free-text lists: comma-separated.
    const text = Array.isArray(value) ? value.join(", ") : String(value);
    return (
      <input
        className="input"
        aria-label={t("Value")}
        placeholder={t("Comma-separated")}
        value={text}
        onChange={(event) => onChange(event.target.value.split(",").map((part) => part.trim()))}
      />
    );
  }
  return <input className="input" aria-label={t("Value")} type={htmlType} step={step} value={String(value)} onChange={(event) => onChange(event.target.value)} />;
}
