/**
 * AutoForm: a DocType's form from its metadata (fields, layout, permissions aside), on RJSF with
 * the Desk's own field, widgets and templates. Controlled: the caller owns the document (value /
 * onChange), the server's errors (errors) and the fetching and saving; AutoForm validates,
 * shows every error at its field and calls onSubmit with a valid value. Usable on any page:
 *
 *   const ref = useRef<AutoFormHandle>(null);
 *   <AutoForm ref={ref} meta={meta} value={doc} onChange={setDoc} onSubmit={save} />
 *   <button onClick={() => ref.current?.submit()}>Save</button>
 */
import Form from "@rjsf/core";
import type { IChangeEvent } from "@rjsf/core";
import { clsx } from "clsx";
import { useCallback, useEffect, useImperativeHandle, useMemo, useRef, useState, type Ref } from "react";
import type { FieldError } from "../api/http";
import type { DocTypeMeta } from "../api/types";
import { buildFormModel } from "./formModel";
import { placeServerErrors } from "./serverErrors";
import { fields, templates, type AutoFormContext } from "./templates";
import { formValidator } from "./validator";
import "./form.css";

export type DocValue = Record<string, unknown>;

export interface AutoFormHandle {
  /** Validates and, when valid, calls onSubmit (asynchronously, after the form's pending changes). */
  submit: () => void;
  /** Validates now, shows the errors and focuses the first; true when the value can be saved. */
  validate: () => boolean;
  /** Moves the focus to the first field showing an error. */
  focusFirstError: () => void;
}

export interface AutoFormProps {
  meta: DocTypeMeta;
  value: DocValue;
  onChange: (value: DocValue) => void;
  /** Errors of the last save, as the server reported them ([field] or [field, row, childField]). */
  errors?: FieldError[];
  disabled?: boolean;
  /** A document not saved yet: read-only fields are left out. Default: the value has no id. */
  isNew?: boolean;
  /** Called with the value when a submit finds it valid. */
  onSubmit?: (value: DocValue) => void;
  /** The <form> element's id (a button elsewhere can submit it with form={id}). */
  id?: string;
  /** The prefix of the inputs' ids; give each AutoForm on one page its own. */
  idPrefix?: string;
  className?: string;
  ref?: Ref<AutoFormHandle>;
}

function focusFirstInvalid(container: HTMLElement | null) {
  // After React has shown the errors (and opened the sections that hold them).
  setTimeout(() => {
    const target = container?.querySelector<HTMLElement>('[aria-invalid="true"]:not([disabled])');
    target?.focus();
  }, 0);
}

export function AutoForm({ meta, value, onChange, errors, disabled, isNew, onSubmit, id, idPrefix = "fm", className, ref }: AutoFormProps) {
  const creating = isNew ?? !value?.id;
  const model = useMemo(() => buildFormModel(meta, creating), [meta, creating]);
  const container = useRef<HTMLDivElement>(null);
  const formRef = useRef<Form>(null);
  const drafts = useRef(new Map<string, string>());
  const [collapsed, setCollapsed] = useState<Set<string>>(() => new Set());

  const reportDraft = useCallback((key: string, message: string | null) => {
    if (message) drafts.current.set(key, message);
    else drafts.current.delete(key);
  }, []);
  const toggleSection = useCallback((key: string) => {
    setCollapsed((previous) => {
      const next = new Set(previous);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  }, []);
  const context = useMemo<AutoFormContext>(() => ({ model, reportDraft, collapsed, toggleSection }), [model, reportDraft, collapsed, toggleSection]);
  const placed = useMemo(() => placeServerErrors(errors, model), [errors, model]);

  // New server errors: take the user to the first of them.
  useEffect(() => {
    if (errors?.length) focusFirstInvalid(container.current);
  }, [errors]);

  useImperativeHandle(
    ref,
    () => ({
      submit: () => formRef.current?.submit(),
      validate: () => {
        const valid = formRef.current?.validateForm() ?? false;
        if (!valid || drafts.current.size) {
          focusFirstInvalid(container.current);
          return false;
        }
        return true;
      },
      focusFirstError: () => focusFirstInvalid(container.current),
    }),
    [],
  );

  const handleChange = useCallback((event: IChangeEvent) => onChange((event.formData ?? {}) as DocValue), [onChange]);
  const handleSubmit = useCallback(
    (event: IChangeEvent) => {
      // Text that does not parse yet (a number, JSON) blocks the save where it is typed.
      if (drafts.current.size) {
        focusFirstInvalid(container.current);
        return;
      }
      onSubmit?.((event.formData ?? {}) as DocValue);
    },
    [onSubmit],
  );
  const handleError = useCallback(() => focusFirstInvalid(container.current), []);

  return (
    <div ref={container} className={clsx("fm-autoform", className)}>
      {placed.unplaced.length > 0 && (
        <ul className="field-error fm-form-errors">
          {placed.unplaced.map((message, index) => (
            <li key={index}>{message}</li>
          ))}
        </ul>
      )}
      <Form
        ref={formRef}
        id={id}
        idPrefix={idPrefix}
        schema={model.schema}
        uiSchema={model.uiSchema}
        formData={value}
        formContext={context}
        validator={formValidator}
        fields={fields}
        templates={templates}
        extraErrors={placed.errorSchema}
        disabled={disabled}
        noHtml5Validate
        showErrorList={false}
        focusOnFirstError={false}
        onChange={handleChange}
        onSubmit={handleSubmit}
        onError={handleError}
      />
    </div>
  );
}

export default AutoForm;
