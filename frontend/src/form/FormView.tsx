/**
 * The form view: /app/{doctype}/new and /app/{doctype}/{id}. Loads the metadata and the
 * document, renders AutoForm, and owns the page's actions: Save (also Ctrl+S / Cmd+S), Delete,
 * Submit and Cancel document, the stale-save (409) and live-change banners, and the
 * unsaved-changes guard.
 */
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { ApiError } from "../api/http";
import { useDocTypeMeta } from "../api/meta";
import type { Doc, DocTypeMeta } from "../api/types";
import { Banner, Button, ConfirmDialog, Spinner } from "../components/ui";
import { AutoForm, type AutoFormHandle, type DocValue } from "./AutoForm";
import { formatDateTime } from "./widgets/datetime";
import { useDocumentEditor } from "./useDocumentEditor";
import { useSaveShortcut } from "./useSaveShortcut";
import { useUnsavedChangesGuard } from "./useUnsavedChangesGuard";
import "./form.css";

const paths = {
  list: (doctype: string) => `/app/${encodeURIComponent(doctype)}`,
  edit: (doctype: string, id: string) => `/app/${encodeURIComponent(doctype)}/${encodeURIComponent(id)}`,
};

/** What a page passes when it navigates here right after creating the document. */
interface FormLocationState {
  saved?: boolean;
  doc?: Doc;
}

const TOAST_MS = 4000;

function documentTitle(meta: DocTypeMeta, doc: DocValue | null, id: string): string {
  const fromTitle = meta.title_field ? doc?.[meta.title_field] : undefined;
  if (typeof fromTitle === "string" && fromTitle.trim()) return fromTitle;
  const name = doc?.["name"];
  return typeof name === "string" && name ? name : id;
}

type Confirm = null | "delete" | "submit" | "cancel";

function DocumentForm({ meta, id }: { meta: DocTypeMeta; id?: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const arrival = (location.state ?? null) as FormLocationState | null;
  const editor = useDocumentEditor({ meta, id, initialDoc: arrival?.doc ?? null });
  const formRef = useRef<AutoFormHandle>(null);
  const guard = useUnsavedChangesGuard(editor.dirty);
  const [toast, setToast] = useState<string | null>(arrival?.saved ? t("Saved") : null);
  const [confirm, setConfirm] = useState<Confirm>(null);

  // The document handed over by the create is used once: a browser reload must read the server.
  useEffect(() => {
    if (arrival?.doc || arrival?.saved) navigate(location.pathname, { replace: true, state: null });
  }, []); // on arrival only

  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(null), TOAST_MS);
    return () => clearTimeout(timer);
  }, [toast]);

  const { isNew, baseline, busy } = editor;
  const docstatus = typeof baseline?.["docstatus"] === "number" ? (baseline["docstatus"] as number) : 0;
  const permissions = meta.permissions;
  const canEdit = isNew ? permissions.create : permissions.write && (!meta.is_submittable || docstatus === 0);
  const title = isNew ? t("New {{label}}", { label: meta.label }) : documentTitle(meta, baseline, id ?? "");

  useEffect(() => {
    document.title = `${title} · ${meta.label}`;
  }, [title, meta.label]);

  const onValid = async (valid: DocValue) => {
    const result = await editor.save(valid);
    if (result.ok && result.created) {
      guard.allowNextNavigation();
      navigate(paths.edit(meta.doctype, String(result.doc.id)), { replace: true, state: { saved: true, doc: result.doc } satisfies FormLocationState });
    } else if (result.ok) {
      setToast(t("Saved"));
    } else if (result.reason === "unchanged") {
      setToast(t("No changes to save"));
    }
  };

  const requestSave = () => {
    if (!canEdit || busy) return;
    formRef.current?.submit();
  };
  useSaveShortcut(requestSave);

  const saveMineOnTop = async () => {
    const result = await editor.saveMineOnTop();
    if (result.ok) setToast(t("Saved"));
  };

  const onConfirm = async () => {
    const action = confirm;
    if (action === "delete") {
      const deleted = await editor.remove();
      setConfirm(null);
      if (deleted) {
        guard.allowNextNavigation();
        navigate(paths.list(meta.doctype), { replace: true });
      }
    } else if (action === "submit" || action === "cancel") {
      const done = await editor.transition(action);
      setConfirm(null);
      if (done) setToast(action === "submit" ? t("Submitted") : t("Cancelled"));
    }
  };

  if (editor.loading) return <Spinner label={t("Loading {{label}}", { label: meta.label })} />;
  if (editor.loadError) {
    const missing = editor.loadError instanceof ApiError && (editor.loadError.status === 404 || editor.loadError.status === 403);
    return (
      <div className="fm-formview">
        <h1>{meta.label}</h1>
        <Banner tone="danger" role="alert">
          <span className="fm-banner-text">
            {missing ? t("This document does not exist, or you do not have permission to read it.") : `${t("Could not load the document")}: ${editor.loadError.message}`}
          </span>
          <Link to={paths.list(meta.doctype)}>{t("Back to {{label}}", { label: meta.label })}</Link>
        </Banner>
      </div>
    );
  }

  const statusLabel = docstatus === 1 ? t("Submitted") : docstatus === 2 ? t("Cancelled") : t("Draft");
  const modified = baseline?.["modified"];
  const confirmText: Record<Exclude<Confirm, null>, { title: string; description: string; confirm: string; cancel: string; danger: boolean }> = {
    delete: { title: t("Delete {{title}}?", { title }), description: t("This cannot be undone."), confirm: t("Delete"), cancel: t("Cancel"), danger: true },
    submit: {
      title: t("Submit {{title}}?", { title }),
      description: t("A submitted document can no longer be edited; it can only be cancelled."),
      confirm: t("Submit"),
      cancel: t("Back"),
      danger: false,
    },
    cancel: { title: t("Cancel {{title}}?", { title }), description: t("The document stays, marked as cancelled."), confirm: t("Cancel document"), cancel: t("Back"), danger: true },
  };

  return (
    <div className="fm-formview">
      <nav aria-label={t("Breadcrumb")} className="fm-formview-meta">
        <Link to={paths.list(meta.doctype)}>{meta.label}</Link>
      </nav>
      <header className="fm-formview-header">
        <div>
          <div className="fm-formview-title">
            <h1>{title}</h1>
            {meta.is_submittable && !isNew && <span className={`badge fm-badge-${docstatus === 1 ? "submitted" : docstatus === 2 ? "cancelled" : "draft"}`}>{statusLabel}</span>}
            {editor.dirty && <span className="fm-dirty">{t("Not saved")}</span>}
          </div>
          {!isNew && typeof modified === "string" && <div className="fm-formview-meta">{t("Last saved {{when}}", { when: formatDateTime(modified) })}</div>}
        </div>
        <div className="fm-formview-actions">
          {canEdit && (
            <Button variant="primary" busy={busy === "save"} onClick={requestSave} aria-keyshortcuts="Control+S Meta+S" title={t("Save (Ctrl+S)")}>
              {t("Save")}
            </Button>
          )}
          {meta.is_submittable && !isNew && docstatus === 0 && permissions.submit && (
            <Button onClick={() => setConfirm("submit")} disabled={editor.dirty || busy !== null} title={editor.dirty ? t("Save your changes first") : undefined}>
              {t("Submit")}
            </Button>
          )}
          {meta.is_submittable && !isNew && docstatus === 1 && permissions.cancel && (
            <Button variant="danger" onClick={() => setConfirm("cancel")} disabled={busy !== null}>
              {t("Cancel document")}
            </Button>
          )}
          {!isNew && permissions.delete && docstatus !== 1 && (
            <Button variant="danger" onClick={() => setConfirm("delete")} disabled={busy !== null}>
              {t("Delete")}
            </Button>
          )}
        </div>
      </header>

      {editor.conflict && (
        <Banner tone="warning" role="alert">
          <span className="fm-banner-text">{t("Not saved: someone else saved this document after you opened it. Your changes are still in the form.")}</span>
          <span className="fm-banner-actions">
            <Button size="sm" onClick={() => void editor.reload({ keepMine: false })} disabled={busy !== null}>
              {t("Reload theirs")}
            </Button>
            <Button size="sm" variant="primary" onClick={() => void saveMineOnTop()} disabled={busy !== null}>
              {t("Save mine on top")}
            </Button>
          </span>
        </Banner>
      )}
      {!editor.conflict && editor.liveChange?.kind === "updated" && (
        <Banner tone="info" role="alert">
          <span className="fm-banner-text">
            {t("This document was changed by someone else.")} {editor.dirty ? t("Reloading keeps your unsaved changes on top of theirs.") : ""}
          </span>
          <Button size="sm" onClick={() => void editor.reload({ keepMine: true })} disabled={busy !== null}>
            {t("Reload")}
          </Button>
        </Banner>
      )}
      {!editor.conflict && editor.liveChange?.kind === "deleted" && (
        <Banner tone="warning" role="alert">
          <span className="fm-banner-text">{t("This document was deleted by someone else.")}</span>
          <Link to={paths.list(meta.doctype)}>{t("Back to {{label}}", { label: meta.label })}</Link>
        </Banner>
      )}
      {editor.error && (
        <Banner tone="danger" role="alert">
          <span className="fm-banner-text">{editor.error}</span>
        </Banner>
      )}
      {!canEdit && !isNew && (
        <p className="fm-formview-meta">
          {meta.is_submittable && docstatus !== 0 ? t("A submitted or cancelled document cannot be changed.") : t("You may read this document but not change it.")}
        </p>
      )}

      <AutoForm
        ref={formRef}
        meta={meta}
        value={editor.value}
        onChange={editor.onChange}
        errors={editor.serverErrors}
        isNew={isNew}
        disabled={!canEdit}
        onSubmit={(valid) => void onValid(valid)}
      />

      {guard.dialog}
      {confirm && (
        <ConfirmDialog
          open
          title={confirmText[confirm].title}
          description={confirmText[confirm].description}
          confirmLabel={confirmText[confirm].confirm}
          cancelLabel={confirmText[confirm].cancel}
          danger={confirmText[confirm].danger}
          busy={busy === "delete" || busy === "submit" || busy === "cancel"}
          onConfirm={() => void onConfirm()}
          onOpenChange={(open) => {
            if (!open) setConfirm(null);
          }}
        />
      )}
      <div role="status" aria-live="polite" className={toast ? "fm-toast" : "sr-only"}>
        {toast}
      </div>
    </div>
  );
}

export default function FormView() {
  const { t } = useTranslation();
  const { doctype, id } = useParams();
  const meta = useDocTypeMeta(doctype);
  if (meta.isPending) return <Spinner />;
  if (meta.isError || !meta.data) {
    const status = meta.error instanceof ApiError ? meta.error.status : 0;
    return (
      <div className="fm-formview">
        <h1>{doctype}</h1>
        <Banner tone="danger" role="alert">
          {status === 404
            ? t("There is no DocType named {{doctype}}.", { doctype })
            : status === 403
              ? t("You do not have permission to open {{doctype}}.", { doctype })
              : `${t("Could not load the form")}: ${meta.error?.message ?? ""}`}
        </Banner>
      </div>
    );
  }
  // One editor per document: a new id (after a create, or another link) starts fresh.
  return <DocumentForm key={`${meta.data.doctype}/${id ?? ""}`} meta={meta.data} id={id} />;
}
