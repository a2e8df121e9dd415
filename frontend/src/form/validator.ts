/**
 * RJSF's ValidatorType for the schemas formModel.ts builds: type (with null), enum, required,
 * string lengths and pattern, number bounds, and arrays of objects (child tables).
 *
 * Why not @rjsf/validator-ajv8: Ajv compiles each schema into a function with `new Function`,
 * which a Content-Security-Policy without 'unsafe-eval' forbids, and the Desk is served with such
 * a policy. The schemas here are built by us from metadata and stay within this subset, so a
 * plain interpreter is enough and keeps the form chunk smaller.
 */
import {
  createErrorHandler,
  toErrorSchema,
  unwrapErrorHandler,
  validationDataMerge,
  type CustomValidator,
  type ErrorTransformer,
  type RJSFSchema,
  type RJSFValidationError,
  type UiSchema,
  type ValidationData,
  type ValidatorType,
} from "@rjsf/utils";
import i18n from "../i18n";

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  minItems?: number;
  maxItems?: number;
};

type Path = (string | number)[];

const t = (key: string, options?: Record<string, unknown>) => i18n.t(key, options);

function matchesType(value: unknown, type: string): boolean {
  switch (type) {
    case "null":
      return value === null;
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "array":
      return Array.isArray(value);
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    default:
      return true;
  }
}

function typeMessage(types: string[]): string {
  if (types.includes("integer")) return t("Enter a whole number");
  if (types.includes("number")) return t("Enter a number");
  if (types.includes("boolean")) return t("Choose yes or no");
  return t("This value is not valid");
}

const patterns = new Map<string, RegExp | null>();
function regex(pattern: string): RegExp | null {
  if (!patterns.has(pattern)) {
    try {
      patterns.set(pattern, new RegExp(pattern, "u"));
    } catch {
      patterns.set(pattern, null);
    }
  }
  return patterns.get(pattern) ?? null;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

class Collector {
  readonly errors: RJSFValidationError[] = [];

  add(path: Path, name: string, message: string, params: Record<string, unknown> = {}) {
    const property = path.length ? `.${path.join(".")}` : "";
    this.errors.push({ name, property, message, params, stack: `${property} ${message}`.trim(), schemaPath: "" });
  }
}

function check(schema: Schema, value: unknown, path: Path, out: Collector): void {
  if (value === undefined) return;
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((type) => matchesType(value, type))) {
      out.add(path, "type", typeMessage(types), { type: types });
      return;
    }
  }
  if (schema.enum && !schema.enum.some((option) => option === value)) {
    out.add(path, "enum", t("Choose one of the options"), { allowedValues: schema.enum });
    return;
  }
  if (typeof value === "string") {
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength) {
      out.add(path, "minLength", t("Enter at least {{count}} characters", { count: schema.minLength }), { limit: schema.minLength });
    }
    if (schema.maxLength !== undefined && length > schema.maxLength) {
      out.add(path, "maxLength", t("Enter at most {{count}} characters", { count: schema.maxLength }), { limit: schema.maxLength });
    }
    if (schema.pattern !== undefined) {
      const re = regex(schema.pattern);
      if (re && !re.test(value)) out.add(path, "pattern", t("This value is not in the expected format"), { pattern: schema.pattern });
    }
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) out.add(path, "minimum", t("Enter {{limit}} or more", { limit: schema.minimum }));
    if (schema.maximum !== undefined && value > schema.maximum) out.add(path, "maximum", t("Enter {{limit}} or less", { limit: schema.maximum }));
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) {
      out.add(path, "exclusiveMinimum", t("Enter more than {{limit}}", { limit: schema.exclusiveMinimum }));
    }
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) {
      out.add(path, "exclusiveMaximum", t("Enter less than {{limit}}", { limit: schema.exclusiveMaximum }));
    }
    if (schema.multipleOf !== undefined && schema.multipleOf > 0) {
      const ratio = value / schema.multipleOf;
      if (Math.abs(ratio - Math.round(ratio)) > 1e-9) out.add(path, "multipleOf", t("Enter a multiple of {{limit}}", { limit: schema.multipleOf }));
    }
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) out.add(path, "minItems", t("Add at least {{count}} rows", { count: schema.minItems }));
    if (schema.maxItems !== undefined && value.length > schema.maxItems) out.add(path, "maxItems", t("Enter at most {{count}} rows", { count: schema.maxItems }));
    if (schema.items) value.forEach((item, index) => check(schema.items as Schema, item, [...path, index], out));
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    const required = new Set(schema.required ?? []);
    for (const name of required) {
      // An empty text or a cleared choice is as missing as an absent key.
      if (isEmpty(record[name])) out.add([...path, name], "required", t("This field is required"), { missingProperty: name });
    }
    for (const [name, propertySchema] of Object.entries(schema.properties ?? {})) {
      if (required.has(name) && isEmpty(record[name])) continue;
      check(propertySchema, record[name], [...path, name], out);
    }
  }
}

/** The errors of `value` against `schema` (exported for the tests). */
export function validateValue(schema: RJSFSchema, value: unknown): RJSFValidationError[] {
  const out = new Collector();
  check(schema as Schema, value, [], out);
  return out.errors;
}

export class FormValidator implements ValidatorType {
  validateFormData(
    formData: unknown,
    schema: RJSFSchema,
    customValidate?: CustomValidator,
    transformErrors?: ErrorTransformer,
    uiSchema?: UiSchema,
  ): ValidationData<unknown> {
    let errors = validateValue(schema, formData);
    if (transformErrors) errors = transformErrors(errors, uiSchema);
    const errorSchema = toErrorSchema(errors);
    if (!customValidate) return { errors, errorSchema };
    const handler = customValidate(formData, createErrorHandler(formData), uiSchema, errorSchema);
    return validationDataMerge({ errors, errorSchema }, unwrapErrorHandler(handler));
  }

  isValid(schema: RJSFSchema, formData: unknown): boolean {
    return validateValue(schema, formData).length === 0;
  }

  rawValidation<Result = unknown>(schema: RJSFSchema, formData?: unknown): { errors?: Result[]; validationError?: Error } {
    const errors = validateValue(schema, formData);
    return { errors: errors.length ? (errors as unknown as Result[]) : undefined };
  }
}

export const formValidator = new FormValidator();
