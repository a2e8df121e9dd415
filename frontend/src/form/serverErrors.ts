/**
 * Server validation errors placed at their fields: loc [field] or [field, row, childField]
 * becomes RJSF's ErrorSchema (shown under the input); what matches no shown field is returned
 * apart so the form can still say it.
 */
import type { ErrorSchema } from "@rjsf/utils";
import { ApiError, type FieldError } from "../api/http";
import type { FormModel } from "./formModel";

export interface PlacedErrors {
  errorSchema: ErrorSchema;
  /** Messages whose location is not a field on the form. */
  unplaced: string[];
}

/** The field errors of a failed save, including a controller's ValidationError (details.field). */
export function fieldErrorsOf(error: unknown): FieldError[] {
  if (!(error instanceof ApiError)) return [];
  const errors = error.fieldErrors;
  if (errors.length) return errors;
  const field = error.details["field"];
  if (typeof field === "string" && field) return [{ loc: [field], msg: error.message, type: error.type }];
  return [];
}

function addError(schema: Record<string, unknown>, path: (string | number)[], message: string) {
  let node = schema;
  for (const key of path) {
    const name = String(key);
    node[name] ??= {};
    node = node[name] as Record<string, unknown>;
  }
  const list = (node["__errors"] as string[] | undefined) ?? [];
  if (!list.includes(message)) node["__errors"] = [...list, message];
}

function rowIndex(part: string | number | undefined): number | null {
  if (typeof part === "number" && Number.isInteger(part)) return part;
  if (typeof part === "string" && /^\d+$/.test(part)) return Number(part);
  return null;
}

export function placeServerErrors(errors: FieldError[] | undefined, model: FormModel): PlacedErrors {
  const errorSchema: Record<string, unknown> = {};
  const unplaced: string[] = [];
  for (const error of errors ?? []) {
    let loc = [...error.loc];
    // Some validators report the request body as the first step of the path.
    if (loc[0] === "body" && !model.byName.has("body")) loc = loc.slice(1);
    const name = typeof loc[0] === "string" ? loc[0] : undefined;
    const field = name ? model.byName.get(name) : undefined;
    if (!field || !name) {
      unplaced.push(error.msg);
      continue;
    }
    const row = rowIndex(loc[1]);
    const childField = loc[2];
    if (field.fieldtype === "table" && row !== null && typeof childField === "string" && field.child?.fields.some((f) => f.name === childField)) {
      addError(errorSchema, [name, row, childField], error.msg);
    } else if (field.fieldtype === "table" && row !== null) {
      addError(errorSchema, [name], `${error.msg} (row ${row + 1})`);
    } else {
      addError(errorSchema, [name], error.msg);
    }
  }
  return { errorSchema: errorSchema as ErrorSchema, unplaced };
}

/** Drops the errors of the fields named in `changed` (the user is fixing them). */
export function withoutErrorsFor(errors: FieldError[], changed: Iterable<string>): FieldError[] {
  const names = new Set(changed);
  if (!names.size) return errors;
  return errors.filter((error) => {
    const loc = error.loc[0] === "body" ? error.loc.slice(1) : error.loc;
    return !(typeof loc[0] === "string" && names.has(loc[0]));
  });
}
