/**
 * The input of an inline cell edit: one per field type, labelled by the column's label.
 * Enter or leaving the input saves; Escape cancels. A refused save keeps the input open with
 * the server's message in role=alert beside it.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { useTranslation } from "react-i18next";
import type { FieldMeta } from "../api/types";
import { fieldType } from "./columns";
import { DraftError, fromDraft, sameDraft, saveErrorMessage, toDraft, type Draft } from "./cellDraft";

export interface CellEditorProps {
  field: FieldMeta;
  value: unknown;
  /** Saves the parsed value; a rejection keeps the editor open with the error. */
  onSave: (value: unknown) => Promise<unknown>;
  /** Closes the editor; `refocus` when the keyboard ended the edit (Enter/Escape). */
  onClose: (refocus: boolean) => void;
}

type EditorElement = HTMLInputElement | HTMLSelectElement;

export function CellEditor({ field, value, onSave, onClose }: CellEditorProps) {
  const { t } = useTranslation();
  const initial = useRef(toDraft(field, value)).current;
  const [draft, setDraft] = useState<Draft>(initial);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  /** The draft whose save failed: leaving the input does not send it again. */
  const failed = useRef<Draft | null>(null);
  const inputRef = useRef<EditorElement | null>(null);
  const errorId = useId();
  const type = fieldType(field);

  useEffect(() => {
    const input = inputRef.current;
    input?.focus();
    if (input instanceof HTMLInputElement && input.type === "text") input.select();
  }, []);

  async function commit(fromKeyboard: boolean) {
    if (saving) return;
    if (sameDraft(draft, initial)) {
      onClose(fromKeyboard);
      return;
    }
    if (!fromKeyboard && failed.current !== null && sameDraft(draft, failed.current)) return;
    let parsed: unknown;
    try {
      parsed = fromDraft(field, draft);
    } catch (problem) {
      if (!(problem instanceof DraftError)) throw problem;
      failed.current = draft;
      setError(problem.message);
      return;
    }
    setSaving(true);
    try {
      await onSave(parsed);
      onClose(fromKeyboard);
    } catch (problem) {
      failed.current = draft;
      setError(saveErrorMessage(problem, field.name));
      setSaving(false);
      if (fromKeyboard) inputRef.current?.focus();
    }
  }

  function onKeyDown(event: KeyboardEvent<EditorElement>) {
    // The grid's arrow-key navigation must not see keys typed into the editor.
    event.stopPropagation();
    if (event.key === "Escape") {
      event.preventDefault();
      onClose(true);
    } else if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      void commit(true);
    }
  }

  const common = {
    "aria-label": field.label,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": error ? errorId : undefined,
    "aria-busy": saving || undefined,
    onKeyDown,
    onBlur: () => void commit(false),
    "data-cell-editor": "",
  };

  let input;
  if (type === "check") {
    input = (
      <input
        {...common}
        ref={(element) => void (inputRef.current = element)}
        type="checkbox"
        className="autotable-editor-check"
        checked={Boolean(draft)}
        disabled={saving}
        onChange={(event) => setDraft(event.target.checked)}
      />
    );
  } else if (type === "select") {
    input = (
      <select
        {...common}
        ref={(element) => void (inputRef.current = element)}
        className="select autotable-editor"
        value={String(draft)}
        disabled={saving}
        onChange={(event) => setDraft(event.target.value)}
      >
        {!field.required && <option value="">{t("(none)")}</option>}
        {(field.options ?? []).map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    );
  } else {
    const inputType =
      type === "int" || type === "float" ? "number" : type === "date" ? "date" : type === "datetime" ? "datetime-local" : type === "time" ? "time" : "text";
    input = (
      <input
        {...common}
        ref={(element) => void (inputRef.current = element)}
        type={inputType}
        step={type === "float" ? "any" : undefined}
        inputMode={type === "currency" ? "decimal" : undefined}
        className="input autotable-editor"
        readOnly={saving}
        value={String(draft)}
        onChange={(event) => setDraft(event.target.value)}
      />
    );
  }

  return (
    <div className="autotable-editing">
      {input}
      {error && (
        <div id={errorId} role="alert" className="autotable-cell-error">
          {error}
        </div>
      )}
    </div>
  );
}
