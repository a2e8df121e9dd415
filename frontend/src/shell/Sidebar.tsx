/**
 * The DocTypes the user may read (GET /api/meta), grouped by module in collapsible groups,
 * with a search box that filters them. Collapsed groups are remembered per browser.
 */
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { NavLink } from "react-router";
import { useDocTypeList } from "../api/meta";
import { Banner, Button, Input, Spinner } from "../components/ui";
import { ChevronIcon } from "../components/ui/icons";
import { deskPaths } from "../providers/resources";
import { groupDocTypes } from "./groupDocTypes";

const COLLAPSED_KEY = "fm-sidebar-collapsed";

function readCollapsed(): string[] {
  try {
    const value: unknown = JSON.parse(window.localStorage.getItem(COLLAPSED_KEY) ?? "[]");
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}

function writeCollapsed(modules: string[]) {
  try {
    window.localStorage.setItem(COLLAPSED_KEY, JSON.stringify(modules));
  } catch {
    // not remembered
  }
}

export function Sidebar({ id, onNavigate }: { id?: string; onNavigate?: () => void }) {
  const { t } = useTranslation();
  const doctypes = useDocTypeList();
  const [search, setSearch] = useState("");
  const [collapsed, setCollapsed] = useState<string[]>(readCollapsed);
  const baseId = useId();
  const groups = groupDocTypes(doctypes.data ?? [], search);
  const searching = search.trim() !== "";

  const toggle = (module: string) => {
    const next = collapsed.includes(module) ? collapsed.filter((m) => m !== module) : [...collapsed, module];
    setCollapsed(next);
    writeCollapsed(next);
  };

  return (
    <nav className="sidebar" aria-label={t("DocTypes")} id={id}>
      <div className="sidebar-search">
        <label htmlFor={`${baseId}-search`} className="sr-only">
          {t("Search DocTypes")}
        </label>
        <Input
          id={`${baseId}-search`}
          type="search"
          placeholder={t("Search DocTypes")}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Escape" && search) {
              e.stopPropagation();
              setSearch("");
            }
          }}
        />
      </div>
      {doctypes.isLoading && <Spinner label={t("Loading DocTypes")} />}
      {doctypes.isError && (
        <Banner tone="danger" role="alert">
          {t("The DocTypes could not be loaded.")}{" "}
          <Button size="sm" onClick={() => void doctypes.refetch()}>
            {t("Retry")}
          </Button>
        </Banner>
      )}
      {doctypes.isSuccess && groups.length === 0 && (
        <p className="sidebar-empty" role="status">
          {searching ? t("No DocType matches") : t("No DocTypes to show")}
        </p>
      )}
      {groups.map((group) => {
        // A search shows every match, whatever was collapsed.
        const open = searching || !collapsed.includes(group.module);
        const listId = `${baseId}-${group.module}`;
        return (
          <section key={group.module} className="sidebar-group">
            <h2 className="sidebar-group-title">
              <button type="button" className="sidebar-group-toggle" aria-expanded={open} aria-controls={listId} onClick={() => toggle(group.module)}>
                <ChevronIcon open={open} />
                {t(group.title)}
              </button>
            </h2>
            <ul id={listId} className="sidebar-list" hidden={!open}>
              {group.doctypes.map((doctype) => (
                <li key={doctype.doctype}>
                  <NavLink to={deskPaths.list(doctype.doctype)} className="sidebar-link" onClick={onNavigate}>
                    {doctype.label}
                  </NavLink>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </nav>
  );
}
