/** The home page: the most recently changed documents the user may read, and "New ..." links. */
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useDocTypeList } from "../api/meta";
import { hitLabel, useDocumentSearch } from "../api/search";
import { Banner, Button, Spinner } from "../components/ui";
import { deskPaths } from "../providers/resources";
import { formatRelative } from "./formatRelative";

export function Dashboard() {
  const { t, i18n } = useTranslation();
  const doctypes = useDocTypeList();
  const recent = useDocumentSearch("", { limit: 10 });
  const labels = new Map((doctypes.data ?? []).map((d) => [d.doctype, d.label]));
  const creatable = (doctypes.data ?? []).filter((d) => d.can_create).sort((a, b) => a.label.localeCompare(b.label));

  return (
    <div className="dashboard">
      <h1>{t("Dashboard")}</h1>
      <div className="dashboard-grid">
        <section className="card" aria-labelledby="recent-heading">
          <h2 id="recent-heading">{t("Recent documents")}</h2>
          {recent.isLoading && <Spinner label={t("Loading recent documents")} />}
          {recent.isError && (
            <Banner tone="danger" role="alert">
              {t("Recent documents could not be loaded.")}{" "}
              <Button size="sm" onClick={() => void recent.refetch()}>
                {t("Retry")}
              </Button>
            </Banner>
          )}
          {recent.isSuccess && recent.data.length === 0 && <p className="muted">{t("No documents yet.")}</p>}
          {recent.isSuccess && recent.data.length > 0 && (
            <ul className="recent-list" aria-labelledby="recent-heading">
              {recent.data.map((hit) => (
                <li key={`${hit.doctype}/${hit.id}`}>
                  <Link to={deskPaths.edit(hit.doctype, hit.id)}>{hitLabel(hit)}</Link>
                  <span className="badge">{labels.get(hit.doctype) ?? hit.doctype}</span>
                  {hit.modified && (
                    <time className="muted" dateTime={hit.modified} title={new Date(hit.modified).toLocaleString(i18n.language)}>
                      {formatRelative(hit.modified, i18n.language)}
                    </time>
                  )}
                </li>
              ))}
            </ul>
          )}
        </section>
        {creatable.length > 0 && (
          <section className="card" aria-labelledby="quick-heading">
            <h2 id="quick-heading">{t("Quick links")}</h2>
            <ul className="quick-links">
              {creatable.map((d) => (
                <li key={d.doctype}>
                  <Link to={deskPaths.create(d.doctype)}>{t("New {{label}}", { label: d.label })}</Link>
                </li>
              ))}
            </ul>
          </section>
        )}
      </div>
    </div>
  );
}
