/** How a list cell shows its value, per field type. */
import { Link } from "react-router";
import type { FieldMeta } from "../api/types";
import i18n from "../i18n";
import { fieldType } from "./columns";
import { formatValue } from "./format";

export interface CellValueProps {
  field: FieldMeta;
  value: unknown;
  /** The linked document's title, once resolved (link fields). */
  linkTitle?: string;
  /** Where a link field's document opens (link fields). */
  linkHref?: string;
  tabIndex?: number;
}

/** No hooks: a list draws hundreds of these while scrolling. */
export function CellValue({ field, value, linkTitle, linkHref, tabIndex }: CellValueProps) {
  const locale = i18n.language;
  if (value === null || value === undefined || value === "") return <span className="autotable-empty" aria-hidden="true" />;
  switch (fieldType(field)) {
    case "check":
      return (
        <span className={value ? "autotable-check-yes" : "autotable-check-no"}>
          <span aria-hidden="true">{value ? "✓" : "–"}</span>
          <span className="sr-only">{value ? i18n.t("Yes") : i18n.t("No")}</span>
        </span>
      );
    case "select":
      return <span className="badge">{String(value)}</span>;
    case "int":
    case "float":
    case "currency":
      return <span className="autotable-number">{formatValue(field, value, locale)}</span>;
    case "date":
    case "datetime":
      return (
        <time dateTime={String(value)} title={String(value)}>
          {formatValue(field, value, locale)}
        </time>
      );
    case "link": {
      const text = formatValue(field, value, locale, linkTitle);
      const className = linkTitle ? undefined : "autotable-id";
      return linkHref ? (
        <Link to={linkHref} tabIndex={tabIndex} className={className} data-focus-target="">
          {text}
        </Link>
      ) : (
        <span className={className}>{text}</span>
      );
    }
    default:
      return <span>{formatValue(field, value, locale)}</span>;
  }
}
