/**
 * Our RJSF registry: one field component for every fieldtype ("fm", which dispatches to
 * FieldInput / ChildTable / ReadOnlyValue), the field template (label, required mark, help,
 * errors with the ids the inputs point at) and the root template laying fields out in the
 * metadata's sections and columns. Nothing of RJSF's default Bootstrap markup is used.
 */
import { clsx } from "clsx";
import { useCallback, useId, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { FormProps } from "@rjsf/core";
import type { ErrorSchema, FieldProps, FieldTemplateProps, ObjectFieldTemplateProps, RegistryFieldsType } from "@rjsf/utils";
import type { FieldMeta } from "../api/types";
import { ChildTable } from "./ChildTable";
import type { FormModel, SectionModel } from "./formModel";
import { FieldInput, ReadOnlyValue } from "./widgets/FieldInput";

/** What AutoForm hands every field through RJSF's formContext. */
export interface AutoFormContext {
  model: FormModel;
  /** Records (or, with null, forgets) a draft error: text typed that is not a value yet. */
  reportDraft: (key: string, message: string | null) => void;
  /** Sections the user collapsed. */
  collapsed: Set<string>;
  toggleSection: (key: string) => void;
}

export const errorId = (id: string) => `${id}__error`;
export const helpId = (id: string) => `${id}__help`;
export const labelId = (id: string) => `${id}__label`;

function fieldOf(context: AutoFormContext, path: (string | number)[]): FieldMeta | undefined {
  const name = path[path.length - 1];
  return typeof name === "string" ? context.model.byName.get(name) : undefined;
}

function hasErrors(schema: ErrorSchema | undefined): boolean {
  if (!schema || typeof schema !== "object") return false;
  for (const [key, value] of Object.entries(schema as Record<string, unknown>)) {
    if (key === "__errors") {
      if (Array.isArray(value) && value.length) return true;
    } else if (hasErrors(value as ErrorSchema)) {
      return true;
    }
  }
  return false;
}

/** The one RJSF field of the Desk: every fieldtype, read-only or not. */
function FmField(props: FieldProps) {
  const context = props.registry.formContext as AutoFormContext;
  const field = fieldOf(context, props.fieldPathId.path);
  const { onChange: rjsfChange, fieldPathId } = props;
  const onChange = useCallback((value: unknown) => rjsfChange(value as never, fieldPathId.path), [rjsfChange, fieldPathId]);
  const id = fieldPathId.$id;
  const { reportDraft } = context;
  const onDraftError = useCallback((message: string | null) => reportDraft(id, message), [reportDraft, id]);
  if (!field) return null;
  const ownErrors = Boolean(props.rawErrors?.length);
  const describedBy = [ownErrors ? errorId(id) : null, field.description ? helpId(id) : null].filter(Boolean).join(" ") || undefined;
  if (props.readonly) {
    return <ReadOnlyValue id={id} field={field} value={props.formData} onChange={onChange} describedBy={describedBy} invalid={ownErrors} />;
  }
  if (field.fieldtype === "table") {
    return (
      <ChildTable
        id={id}
        labelId={labelId(id)}
        field={field}
        rows={Array.isArray(props.formData) ? (props.formData as Record<string, unknown>[]) : []}
        onChange={onChange}
        errorSchema={props.errorSchema}
        disabled={props.disabled}
        describedBy={describedBy}
        onDraftError={reportDraft}
      />
    );
  }
  return (
    <FieldInput
      id={id}
      field={field}
      value={props.formData}
      onChange={onChange}
      onBlur={() => props.onBlur(id, props.formData)}
      required={props.required}
      disabled={props.disabled}
      invalid={ownErrors}
      describedBy={describedBy}
      onDraftError={onDraftError}
    />
  );
}

function RequiredMark() {
  return (
    <span className="required-mark" aria-hidden="true">
      *
    </span>
  );
}

function FieldTemplate(props: FieldTemplateProps) {
  const { id, children, rawErrors, required, registry, fieldPathId, hidden, readonly } = props;
  const context = registry.formContext as AutoFormContext;
  if (fieldPathId.path.length === 0) return children; // the root object
  const field = fieldOf(context, fieldPathId.path);
  if (!field || hidden) return null;
  const errors = rawErrors ?? [];
  const isTable = field.fieldtype === "table";
  const isCheck = field.fieldtype === "check" && !readonly;
  // The mark stays outside the <label>: the field's accessible name is exactly its label, and
  // aria-required tells assistive technology what the asterisk tells the eye.
  const mark = required && !readonly ? <RequiredMark /> : null;
  const labelClass = context.model.labelledBySection.has(field.name) ? "sr-only" : "label";
  return (
    <div className={clsx("fm-field", `fm-field-${field.fieldtype}`, isTable && "fm-span-all", errors.length > 0 && "has-error")} data-field={field.name}>
      {isTable ? (
        <div className={labelClass}>
          <span id={labelId(id)}>{field.label}</span>
          {mark}
        </div>
      ) : isCheck ? null : (
        <div className={labelClass}>
          <label htmlFor={id} id={labelId(id)}>
            {field.label}
          </label>
          {mark}
        </div>
      )}
      {isCheck ? (
        <div className="fm-check-row">
          {children}
          <label htmlFor={id} id={labelId(id)} className="fm-check-label">
            {field.label}
          </label>
          {mark}
        </div>
      ) : (
        children
      )}
      {field.description && (
        <div id={helpId(id)} className="field-help">
          {field.description}
        </div>
      )}
      {errors.length > 0 && (
        <div id={errorId(id)} className="field-error">
          {errors.map((message, index) => (
            <div key={index}>{message}</div>
          ))}
        </div>
      )}
    </div>
  );
}

function SectionBody({ section, content }: { section: SectionModel; content: Map<string, ReactNode> }) {
  if (section.columns) {
    return (
      <div className="fm-columns" style={{ ["--fm-cols" as string]: section.columnCount }}>
        {section.columns.map((column, index) => (
          <div className="fm-column" key={index}>
            {column.map((name) => content.get(name))}
          </div>
        ))}
      </div>
    );
  }
  return (
    <div className="fm-columns fm-flow" style={{ ["--fm-cols" as string]: section.columnCount }}>
      {section.fields.map((name) => content.get(name))}
    </div>
  );
}

function Section({ section, content, errorSchema, context }: { section: SectionModel; content: Map<string, ReactNode>; errorSchema?: ErrorSchema; context: AutoFormContext }) {
  const { t } = useTranslation();
  const bodyId = `fm-section-${useId()}`;
  const withErrors = section.fields.some((name) => hasErrors((errorSchema as Record<string, ErrorSchema> | undefined)?.[name]));
  // A section holding an error is always open: an error nobody can see helps nobody.
  const collapsed = section.collapsible && context.collapsed.has(section.key) && !withErrors;
  return (
    <section className="fm-section" aria-labelledby={section.label ? `${bodyId}-h` : undefined}>
      {section.label &&
        (section.collapsible ? (
          <h2 className="fm-section-title" id={`${bodyId}-h`}>
            <button type="button" className="fm-section-toggle" aria-expanded={!collapsed} aria-controls={bodyId} onClick={() => context.toggleSection(section.key)}>
              <span aria-hidden="true" className="fm-section-chevron">
                {collapsed ? "▸" : "▾"}
              </span>
              {section.label}
            </button>
          </h2>
        ) : (
          <h2 className="fm-section-title" id={`${bodyId}-h`}>
            {section.label}
          </h2>
        ))}
      <div id={bodyId} hidden={collapsed} title={collapsed ? t("Collapsed") : undefined}>
        <SectionBody section={section} content={content} />
      </div>
    </section>
  );
}

function SectionsTemplate(props: ObjectFieldTemplateProps) {
  const context = props.registry.formContext as AutoFormContext;
  const content = new Map(props.properties.filter((p) => !p.hidden).map((p) => [p.name, p.content] as const));
  return (
    <div className="fm-sections">
      {context.model.sections.map((section) => (
        <Section key={section.key} section={section} content={content} errorSchema={props.errorSchema} context={context} />
      ))}
    </div>
  );
}

export const fields: RegistryFieldsType = { fm: FmField };

export const templates: FormProps["templates"] = {
  FieldTemplate,
  ObjectFieldTemplate: SectionsTemplate,
  // The page's own buttons save; RJSF's submit button and error list are not shown.
  ButtonTemplates: { SubmitButton: () => null },
  ErrorListTemplate: () => null,
};
