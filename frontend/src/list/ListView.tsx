/**
 * The list view, /desk/app/{doctype}: one page of documents fetched through Refine's useList
 * (the data provider: one request per page, server-side sorting, filters and search), kept
 * live (liveMode "auto"), with its whole state in the URL query. Search, the filter builder,
 * column choice, bulk delete, CSV export and inline edit sit around an AutoTable.
 */
import { useDeleteMany, useList, useUpdate } from "@refinedev/core";
import { keepPreviousData } from "@tanstack/react-query";
import type { RowSelectionState } from "@tanstack/react-table";
import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { ApiError } from "../api/http";
import { useDocTypeMeta } from "../api/meta";
import type { Doc, DocTypeMeta } from "../api/types";
import { Banner, Button, ConfirmDialog, Input, Spinner } from "../components/ui";
import { AutoTable } from "./AutoTable";
import { ColumnChooser } from "./ColumnChooser";
import { FilterBuilder } from "./FilterBuilder";
import { ListPagination } from "./ListPagination";
import { fetchedFields, resolveColumns, titleFieldName } from "./columns";
import { csvFilename, downloadCsv, toCsv } from "./csv";
import { describeFilter } from "./filters";
import { useListState, type ListState, type SetListState } from "./listState";
import { toCrudFilters, toCrudSorters } from "./refineFilters";
import "./list.css";

// Button names never contain another control's name ("Filters", "Columns"): tests and
// assistive technology find controls by name, often by substring.

/** Typing in the search box waits this long before the URL (and the request) follow. */
const SEARCH_DELAY_MS = 300;

function errorMessage(error: unknown, label: string, t: (key: string, options?: Record<string, unknown>) => string): string {
  if (error instanceof ApiError || (error && typeof error === "object" && "statusCode" in error)) {
    const status = (error as { statusCode?: number; status?: number }).statusCode ?? (error as { status?: number }).status;
    if (status === 403) return t("You do not have permission to read {{label}}", { label });
    if (status === 404) return t("{{label}} was not found", { label });
  }
  return error instanceof Error ? error.message : String(error);
}

function SearchBox({ label, value, onSearch }: { label: string; value: string; onSearch: (q: string, now: boolean) => void }) {
  const [text, setText] = useState(value);
  /** The last value this box sent to the URL: a different URL value came from elsewhere (Back). */
  const sent = useRef(value);
  useEffect(() => {
    if (value !== sent.current) {
      sent.current = value;
      setText(value);
    }
  }, [value]);
  useEffect(() => {
    if (text === sent.current) return;
    const timer = setTimeout(() => {
      sent.current = text;
      onSearch(text, false);
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text, onSearch]);
  return (
    <Input
      type="search"
      className="listview-search"
      aria-label={label}
      placeholder={label}
      value={text}
      onChange={(event) => setText(event.target.value)}
      onKeyDown={(event) => {
        if (event.key === "Enter") {
          event.preventDefault();
          sent.current = text;
          onSearch(text, true);
        }
      }}
    />
  );
}

/** A toolbar button that shows or hides a panel below it. */
function Disclosure({ label, open, onToggle, controls }: { label: string; open: boolean; onToggle: () => void; controls: string }) {
  return (
    <Button aria-expanded={open} aria-controls={controls} onClick={onToggle}>
      {label}
    </Button>
  );
}

interface ListPageProps {
  meta: DocTypeMeta;
  state: ListState;
  setState: SetListState;
}

function ListPage({ meta, state, setState }: ListPageProps) {
  const { t } = useTranslation();
  const label = meta.label || meta.doctype;
  const filtersId = useId();
  const columnsId = useId();
  const [panel, setPanel] = useState<"filters" | "columns" | null>(null);
  const [selection, setSelection] = useState<RowSelectionState>({});
  const [confirming, setConfirming] = useState(false);
  const [notice, setNotice] = useState<{ tone: "success" | "danger"; text: string } | null>(null);
  /** Documents saved inline, shown until the refetched page has caught up with them. */
  const [saved, setSaved] = useState<Record<string, Doc>>({});

  // A sort key the DocType does not have would only earn a 400: ignore it.
  const sort = useMemo(() => state.sort.filter((key) => meta.fields.some((field) => field.name === key.id)), [state.sort, meta.fields]);
  const columns = useMemo(() => resolveColumns(meta, state.cols), [meta, state.cols]);
  const fields = useMemo(() => fetchedFields(meta, columns), [meta, columns]);

  const list = useList<Doc, ApiError>({
    resource: meta.doctype,
    pagination: { currentPage: state.page, pageSize: state.pageSize, mode: "server" },
    sorters: toCrudSorters(sort),
    filters: toCrudFilters(state.filters),
    meta: { q: state.q, searchField: titleFieldName(meta), fields },
    liveMode: "auto",
    successNotification: false,
    errorNotification: false,
    queryOptions: { placeholderData: keepPreviousData },
  });
  // The provider adds hasMore (from the API's has_more) to Refine's {data, total}.
  const page = list.query.data as { data: Doc[]; total?: number; hasMore?: boolean } | undefined;
  const rows = useMemo(
    () =>
      (page?.data ?? []).map((doc) => {
        const mine = saved[doc.id];
        return mine && (mine._version ?? 0) > (doc._version ?? 0) ? { ...doc, ...mine } : doc;
      }),
    [page, saved],
  );
  const rowsRef = useRef(rows);
  rowsRef.current = rows;

  // A selection belongs to the page it was made on.
  const pageKey = JSON.stringify([state.page, state.pageSize, state.sort, state.filters, state.q]);
  useEffect(() => setSelection({}), [pageKey]);

  const update = useUpdate<Doc, ApiError>();
  const deleteMany = useDeleteMany<Doc, ApiError>();

  async function saveCell(row: Doc, field: string, value: unknown) {
    const current = rowsRef.current.find((doc) => doc.id === row.id) ?? row;
    try {
      const result = await update.mutateAsync({
        resource: meta.doctype,
        id: row.id,
        values: { [field]: value, _version: current._version },
        successNotification: false,
        errorNotification: false,
      });
      setSaved((before) => ({ ...before, [row.id]: result.data }));
    } catch (error) {
      if (error instanceof ApiError && error.status === 409 && error.type === "version_conflict") {
        void list.query.refetch();
        throw new Error(t("Not saved: someone else saved this document after you opened it. The list now shows their version."));
      }
      throw error;
    }
  }

  // Only rows still on the page count (a live refresh may have taken some away).
  const selectedRows = rows.filter((row) => selection[row.id]);
  const selectedIds = selectedRows.map((row) => row.id);

  async function deleteSelected() {
    try {
      await deleteMany.mutateAsync({ resource: meta.doctype, ids: selectedIds, successNotification: false, errorNotification: false });
      setNotice({ tone: "success", text: t("Deleted {{count}} {{label}}", { count: selectedIds.length, label }) });
      setSelection({});
    } catch (error) {
      setNotice({ tone: "danger", text: errorMessage(error, label, t) });
    } finally {
      setConfirming(false);
    }
  }

  function exportCsv() {
    const chosen = selectedRows.length ? selectedRows : rows;
    downloadCsv(toCsv(chosen, columns), csvFilename(meta.doctype));
  }

  const filtered = state.filters.length > 0 || state.q.trim() !== "";
  const error = list.query.error;
  const total = typeof page?.total === "number" ? page.total : null;
  const onSearch = useCallback((q: string, now: boolean) => setState({ q: q.trim() ? q : "" }, { replace: !now }), [setState]);

  let body;
  if (list.query.isLoading) {
    body = <Spinner label={t("Loading {{label}}", { label })} />;
  } else if (error && !page) {
    body = (
      <Banner tone="danger" role="alert">
        <span>{errorMessage(error, label, t)}</span>
        {error.status !== 403 && <Button onClick={() => void list.query.refetch()}>{t("Try again")}</Button>}
        {error.status === 400 && filtered && <Button onClick={() => setState({ filters: [], q: "" })}>{t("Show all")}</Button>}
      </Banner>
    );
  } else {
    body = (
      <>
        {error && (
          <Banner tone="danger" role="alert">
            {errorMessage(error, label, t)}
          </Banner>
        )}
        <AutoTable
          meta={meta}
          rows={rows}
          columns={state.cols}
          label={t("{{label}} list", { label })}
          sorting={sort}
          onSortingChange={(next) => setState({ sort: next })}
          rowCount={total}
          hasMore={Boolean(page?.hasMore)}
          rowOffset={(state.page - 1) * state.pageSize}
          rowSelection={selection}
          onRowSelectionChange={setSelection}
          onCellSave={meta.permissions?.write ? saveCell : undefined}
          maxHeight="max(320px, calc(100vh - 280px))"
          empty={
            <div className="listview-empty">
              {filtered ? (
                <>
                  <p>{t("No {{label}} matches these filters.", { label })}</p>
                  <Button onClick={() => setState({ filters: [], q: "" })}>{t("Show all")}</Button>
                </>
              ) : (
                <p>{t("No {{label}} yet.", { label })}</p>
              )}
            </div>
          }
        />
        <ListPagination
          page={state.page}
          pageSize={state.pageSize}
          count={rows.length}
          total={total}
          hasMore={Boolean(page?.hasMore)}
          onPage={(next) => setState({ page: next })}
          onPageSize={(size) => setState({ pageSize: size })}
        />
      </>
    );
  }

  return (
    <div className="listview">
      <div className="listview-header">
        <h1>{label}</h1>
        {meta.permissions?.create && (
          <Link className="btn btn-primary" to={`/app/${encodeURIComponent(meta.doctype)}/new`}>
            {t("New {{label}}", { label })}
          </Link>
        )}
      </div>
      <div className="listview-toolbar">
        <SearchBox
          label={t("Search {{label}}", { label })}
          value={state.q}
          onSearch={onSearch}
        />
        <Disclosure label={t("Filters")} open={panel === "filters"} controls={filtersId} onToggle={() => setPanel(panel === "filters" ? null : "filters")} />
        <Disclosure label={t("Columns")} open={panel === "columns"} controls={columnsId} onToggle={() => setPanel(panel === "columns" ? null : "columns")} />
        <span className="listview-spacer" />
        {selectedIds.length > 0 && (
          <span className="listview-summary" role="status">
            {t("{{count}} selected", { count: selectedIds.length })}
          </span>
        )}
        {meta.permissions?.delete && (
          <Button variant="danger" disabled={selectedIds.length === 0} onClick={() => setConfirming(true)}>
            {t("Delete selected")}
          </Button>
        )}
        <Button onClick={exportCsv} disabled={rows.length === 0}>
          {t("Export CSV")}
        </Button>
      </div>
      {state.filters.length > 0 && (
        <p className="listview-summary">
          {t("Filtered by:")} {state.filters.map((triple) => describeFilter(triple, meta)).join("; ")}{" "}
          <Button size="sm" variant="ghost" onClick={() => setState({ filters: [] })}>
            {t("Show all")}
          </Button>
        </p>
      )}
      {panel === "filters" && (
        <div
          id={filtersId}
          className="listview-panel"
          onKeyDown={(event) => {
            if (event.key === "Escape") setPanel(null);
          }}
        >
          <FilterBuilder
            key={JSON.stringify(state.filters)}
            meta={meta}
            filters={state.filters}
            onApply={(filters) => {
              setState({ filters });
              setPanel(null);
            }}
          />
        </div>
      )}
      {panel === "columns" && (
        <div
          id={columnsId}
          className="listview-panel"
          onKeyDown={(event) => {
            if (event.key === "Escape") setPanel(null);
          }}
        >
          <ColumnChooser meta={meta} chosen={state.cols} onChange={(cols) => setState({ cols })} />
        </div>
      )}
      {notice && (
        <Banner tone={notice.tone} role={notice.tone === "danger" ? "alert" : "status"}>
          <span>{notice.text}</span>
          <Button size="sm" variant="ghost" onClick={() => setNotice(null)}>
            {t("Dismiss")}
          </Button>
        </Banner>
      )}
      {body}
      <ConfirmDialog
        open={confirming}
        title={t("Delete {{count}} {{label}}?", { count: selectedIds.length, label })}
        description={t("This cannot be undone.")}
        confirmLabel={t("Delete")}
        cancelLabel={t("Cancel")}
        danger
        busy={deleteMany.mutation.isPending}
        onConfirm={() => void deleteSelected()}
        onOpenChange={setConfirming}
      />
    </div>
  );
}

export default function ListView() {
  const { t } = useTranslation();
  const { doctype = "" } = useParams();
  const meta = useDocTypeMeta(doctype);
  const [state, setState] = useListState();

  if (meta.isLoading) return <Spinner />;
  if (meta.error || !meta.data) {
    return (
      <div className="listview">
        <h1>{doctype}</h1>
        <Banner tone="danger" role="alert">
          {errorMessage(meta.error, doctype, t)}
        </Banner>
      </div>
    );
  }
  return <ListPage key={doctype} meta={meta.data} state={state} setState={setState} />;
}
