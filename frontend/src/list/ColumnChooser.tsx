/** Column choice: a checkbox per field (by label); the title column is always shown. */
import { useTranslation } from "react-i18next";
import type { DocTypeMeta } from "../api/types";
import { Button } from "../components/ui";
import { choosableFields, resolveColumns } from "./columns";

export interface ColumnChooserProps {
  meta: DocTypeMeta;
  /** The chosen columns (null = the DocType's defaults). */
  chosen: readonly string[] | null;
  onChange: (columns: string[] | null) => void;
}

export function ColumnChooser({ meta, chosen, onChange }: ColumnChooserProps) {
  const { t } = useTranslation();
  // What is on screen now, without the title column.
  const shown = resolveColumns(meta, chosen)
    .slice(1)
    .map((field) => field.name);

  function toggle(name: string, on: boolean) {
    onChange(on ? [...shown.filter((other) => other !== name), name] : shown.filter((other) => other !== name));
  }

  return (
    <div>
      <fieldset className="listview-columns">
        <legend className="sr-only">{t("Columns")}</legend>
        {choosableFields(meta).map((field) => (
          <label key={field.name}>
            <input type="checkbox" checked={shown.includes(field.name)} onChange={(event) => toggle(field.name, event.target.checked)} />
            {field.label}
          </label>
        ))}
      </fieldset>
      <Button size="sm" variant="ghost" onClick={() => onChange(null)} disabled={chosen === null}>
        {t("Restore defaults")}
      </Button>
    </div>
  );
}
