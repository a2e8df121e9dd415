/**
 * One input per fieldtype, used by the form's fields and by the child table's cells alike.
 * Every input is labelled from outside (a <label for> or, in a grid cell, aria-label), reports
 * invalid state with aria-invalid, and points at its messages with aria-describedby.
 *
 * Inputs whose text can be half-typed (numbers, JSON) keep a draft: while the draft does not
 * parse, the value stays what it was and the input reports a draft error, which stops the save.
 */
import { clsx } from "clsx";
import { useEffect, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { FieldMeta } from "../../api/types";
import { dateToInput, formatDateTime, inputToTime, isoToLocalInput, localInputToIso, timeToInput } from "./datetime";
import { LinkCombobox } from "./LinkCombobox";
import { useLinkTitle } from "./linkTitles";

export interface FieldInputProps {
  id: string;
  field: FieldMeta;
  value: unknown;
  onChange: (value: unknown) => void;
  onBlur?: () => void;
  required?: boolean;
  disabled?: boolean;
  invalid?: boolean;
  /** Ids of the elements describing the input (its errors, its help). */
  describedBy?: string;
  /** The accessible name when no <label for> names the input (grid cells). */
  ariaLabel?: string;
  /** Called with a message while the typed text cannot become a value, null once it can. */
  onDraftError?: (message: string | null) => void;
  /** Smaller text areas (grid cells). */
  compact?: boolean;
}

/** Attributes every input shares. */
function common(props: FieldInputProps, draftErrorId?: string) {
  const describedBy = [props.describedBy, draftErrorId].filter(Boolean).join(" ") || undefined;
  return {
    id: props.id,
    name: props.id,
    disabled: props.disabled,
    "aria-label": props.ariaLabel,
    "aria-invalid": props.invalid || Boolean(draftErrorId) || undefined,
    "aria-describedby": describedBy,
    "aria-required": props.required || undefined,
    onBlur: props.onBlur,
  };
}

function emptyValue(required: boolean | undefined): null | undefined {
  // A required field left empty is missing (the validator says "required"); an optional one is
  // cleared explicitly, so a PUT that merges fields really empties it.
  return required ? undefined : null;
}

function DraftError({ id, message }: { id: string; message: string | null }) {
  if (!message) return null;
  return (
    <div id={id} className="field-error">
      {message}
    </div>
  );
}

/** Keeps a text draft for a value, reporting parse errors; resyncs when the value changes from outside. */
function useDraft(props: FieldInputProps, format: (value: unknown) => string, parse: (text: string) => { ok: true; value: unknown } | { ok: false; message: string }) {
  const [draft, setDraft] = useState(() => format(props.value));
  const [error, setError] = useState<string | null>(null);
  const formatted = format(props.value);
  const [lastFormatted, setLastFormatted] = useState(formatted);
  if (formatted !== lastFormatted) {
    // The value changed under us (reload, reorder, reset): show it unless it is what we typed.
    setLastFormatted(formatted);
    const parsed = parse(draft);
    if (!parsed.ok || format(parsed.value) !== formatted) {
      setDraft(formatted);
      setError(null);
    }
  }
  const { onDraftError } = props;
  useEffect(() => {
    onDraftError?.(error);
  }, [error, onDraftError]);
  useEffect(() => () => onDraftError?.(null), [onDraftError]);
  const onText = (text: string) => {
    setDraft(text);
    const parsed = parse(text);
    if (parsed.ok) {
      setError(null);
      props.onChange(parsed.value);
    } else {
      setError(parsed.message);
    }
  };
  return { draft, error, onText };
}

function NumberInput(props: FieldInputProps) {
  const { t } = useTranslation();
  const kind = props.field.fieldtype;
  const { draft, error, onText } = useDraft(
    props,
    (value) => (value === null || value === undefined ? "" : String(value)),
    (text) => {
      const trimmed = text.trim();
      if (!trimmed) return { ok: true, value: emptyValue(props.required) };
      if (kind === "int") {
        return /^[-+]?\d+$/.test(trimmed) && Number.isSafeInteger(Number(trimmed))
          ? { ok: true, value: Number(trimmed) }
          : { ok: false, message: t("Enter a whole number") };
      }
      if (kind === "currency") {
        // Kept as the string typed: a float would round 0.1 + 0.2 and large amounts.
        return /^-?\d+(\.\d+)?$/.test(trimmed) ? { ok: true, value: trimmed } : { ok: false, message: t("Enter an amount like 1234.50") };
      }
      const n = Number(trimmed);
      return trimmed !== "" && Number.isFinite(n) ? { ok: true, value: n } : { ok: false, message: t("Enter a number") };
    },
  );
  const errorId = error ? `${props.id}__draft` : undefined;
  return (
    <>
      <input
        {...common(props, errorId)}
        className={clsx("input", "fm-number", kind === "currency" && "fm-currency")}
        type="text"
        inputMode={kind === "int" ? "numeric" : "decimal"}
        autoComplete="off"
        value={draft}
        onChange={(e) => onText(e.target.value)}
      />
      <DraftError id={`${props.id}__draft`} message={error} />
    </>
  );
}

function JsonInput(props: FieldInputProps) {
  const { t } = useTranslation();
  const { draft, error, onText } = useDraft(
    props,
    (value) => (value === null || value === undefined ? "" : JSON.stringify(value, null, 2)),
    (text) => {
      if (!text.trim()) return { ok: true, value: emptyValue(props.required) };
      try {
        return { ok: true, value: JSON.parse(text) as unknown };
      } catch (e) {
        return { ok: false, message: t("Not valid JSON: {{reason}}", { reason: e instanceof Error ? e.message : String(e) }) };
      }
    },
  );
  const errorId = error ? `${props.id}__draft` : undefined;
  return (
    <>
      <textarea {...common(props, errorId)} className="textarea fm-json" spellCheck={false} value={draft} onChange={(e) => onText(e.target.value)} />
      <DraftError id={`${props.id}__draft`} message={error} />
    </>
  );
}

function SelectInput(props: FieldInputProps) {
  const { t } = useTranslation();
  const options = props.field.options ?? [];
  const current = props.value === null || props.value === undefined ? "" : String(props.value);
  // A value the metadata no longer lists is still shown rather than silently replaced.
  const unknown = current && !options.includes(current);
  return (
    <select {...common(props)} className="select" value={current} onChange={(e) => props.onChange(e.target.value === "" ? emptyValue(props.required) : e.target.value)}>
      {(!props.required || current === "") && <option value="">{props.required ? t("Choose…") : ""}</option>}
      {unknown && <option value={current}>{current}</option>}
      {options.map((option) => (
        <option key={option} value={option}>
          {option}
        </option>
      ))}
    </select>
  );
}

export function FieldInput(props: FieldInputProps): ReactNode {
  const { field, value, onChange } = props;
  const text = typeof value === "string" ? value : value === null || value === undefined ? "" : String(value);
  switch (field.fieldtype) {
    case "text":
      return <textarea {...common(props)} className="textarea" rows={props.compact ? 2 : 4} value={text} onChange={(e) => onChange(e.target.value === "" ? emptyValue(props.required) : e.target.value)} />;
    case "password":
      return <input {...common(props)} className="input" type="password" autoComplete="new-password" value={text} onChange={(e) => onChange(e.target.value === "" ? emptyValue(props.required) : e.target.value)} />;
    case "int":
    case "float":
    case "currency":
      return <NumberInput {...props} />;
    case "check":
      return <input {...common(props)} className="fm-check" type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />;
    case "select":
      return <SelectInput {...props} />;
    case "date":
      return <input {...common(props)} className="input fm-date" type="date" value={dateToInput(value)} onChange={(e) => onChange(e.target.value || emptyValue(props.required))} />;
    case "datetime":
      return (
        <input
          {...common(props)}
          className="input fm-datetime"
          type="datetime-local"
          step={1}
          value={isoToLocalInput(value)}
          onChange={(e) => onChange(localInputToIso(e.target.value) ?? emptyValue(props.required))}
        />
      );
    case "time":
      return <input {...common(props)} className="input fm-time" type="time" step={1} value={timeToInput(value)} onChange={(e) => onChange(inputToTime(e.target.value) ?? emptyValue(props.required))} />;
    case "json":
      return <JsonInput {...props} />;
    case "link":
      return <LinkCombobox {...props} />;
    case "table":
      // Tables are grids of their own (ChildTable); a nested table in a row is not supported.
      return <ReadOnlyValue {...props} />;
    case "data":
    case "uuid":
    default:
      return <input {...common(props)} className="input" type="text" value={text} onChange={(e) => onChange(e.target.value === "" ? emptyValue(props.required) : e.target.value)} />;
  }
}

/** How a read-only value reads. */
export function readOnlyText(field: FieldMeta, value: unknown, linkTitle: string | null, t: (key: string, options?: Record<string, unknown>) => string): string {
  if (value === null || value === undefined || value === "") return "";
  switch (field.fieldtype) {
    case "check":
      return value ? t("Yes") : t("No");
    case "datetime":
      return formatDateTime(value);
    case "link":
      return linkTitle ?? String(value);
    case "json":
      return JSON.stringify(value);
    case "table":
      return Array.isArray(value) ? t("{{count}} rows", { count: value.length }) : "";
    case "password":
      return "••••••••";
    default:
      return String(value);
  }
}

/** A read-only field as text in a read-only input: labelled, focusable, selectable. */
export function ReadOnlyValue(props: FieldInputProps) {
  const { t } = useTranslation();
  const { field, value } = props;
  const { title } = useLinkTitle(field.fieldtype === "link" ? field.link_doctype : null, field.fieldtype === "link" && typeof value === "string" ? value : null);
  const text = readOnlyText(field, value, title, t);
  return (
    <input
      id={props.id}
      className="input fm-readonly"
      readOnly
      aria-readonly="true"
      aria-label={props.ariaLabel}
      aria-describedby={props.describedBy}
      aria-invalid={props.invalid || undefined}
      value={text || "—"}
    />
  );
}
