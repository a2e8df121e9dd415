/** Previous / next page, rows per page, and where this page sits ("21–40 of 1,234"). */
import { useId } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "../components/ui";
import { PAGE_SIZES } from "./listState";

export interface ListPaginationProps {
  page: number;
  pageSize: number;
  /** Rows on this page. */
  count: number;
  /** All matches, when known. */
  total: number | null;
  hasMore: boolean;
  onPage: (page: number) => void;
  onPageSize: (pageSize: number) => void;
}

export function ListPagination({ page, pageSize, count, total, hasMore, onPage, onPageSize }: ListPaginationProps) {
  const { t, i18n } = useTranslation();
  const sizeId = useId();
  const number = new Intl.NumberFormat(i18n.language);
  const first = (page - 1) * pageSize + 1;
  const last = (page - 1) * pageSize + count;
  const more = total !== null ? last < total : hasMore;
  let summary = "";
  if (count > 0) {
    summary =
      total !== null
        ? t("{{first}}–{{last}} of {{total}}", { first: number.format(first), last: number.format(last), total: number.format(total) })
        : t("{{first}}–{{last}}", { first: number.format(first), last: number.format(last) });
  }
  return (
    <nav className="listview-pagination" aria-label={t("Pagination")}>
      <span className="listview-summary" role="status">
        {summary}
      </span>
      <label className="listview-summary" htmlFor={sizeId}>
        {t("Rows per page")}
      </label>
      <select id={sizeId} className="select" value={pageSize} onChange={(event) => onPageSize(Number(event.target.value))}>
          {PAGE_SIZES.map((size) => (
            <option key={size} value={size}>
              {size}
            </option>
          ))}
      </select>
      <Button size="sm" onClick={() => onPage(page - 1)} disabled={page <= 1}>
        {t("Previous page")}
      </Button>
      <Button size="sm" onClick={() => onPage(page + 1)} disabled={!more}>
        {t("Next page")}
      </Button>
    </nav>
  );
}
