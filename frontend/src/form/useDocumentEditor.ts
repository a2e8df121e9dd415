/**
 * The form view's document: loaded with Refine's useOne, edited locally, saved with useCreate /
 * useUpdate (a PUT of the changed fields plus `_version`), deleted, submitted and cancelled.
 *
 * Two versions are kept: `baseline`, the document as the server last gave it, and `value`, what
 * the form shows. What the user changed is always `value` minus `baseline`, which is how a stale
 * save (409) re-applies only the user's own edits on top of the latest version, and how a live
 * event is told apart from the echo of our own save (its _version is not newer than ours).
 */
import { useCreate, useCustomMutation, useDataProvider, useDelete, useOne, useSubscription, useUpdate, type LiveEvent } from "@refinedev/core";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, type FieldError } from "../api/http";
import type { Doc, DocTypeMeta } from "../api/types";
import type { DocValue } from "./AutoForm";
import { changedFields, createPayload, newDocumentValues, sameValue } from "./formModel";
import { fieldErrorsOf, withoutErrorsFor } from "./serverErrors";

export interface LiveChange {
  kind: "updated" | "deleted";
  version?: number;
  by?: string | null;
}

export type SaveResult = { ok: true; doc: Doc; created: boolean } | { ok: false; reason: "invalid" | "conflict" | "error" | "unchanged" };

const API = "/api/v1";
const docPath = (doctype: string, id: string) => `${API}/${encodeURIComponent(doctype)}/${encodeURIComponent(id)}`;

function versionOf(doc: DocValue | null | undefined): number | undefined {
  const v = doc?.["_version"];
  return typeof v === "number" ? v : undefined;
}

/** The message of a failed request, for the banner. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

export interface EditorOptions {
  meta: DocTypeMeta;
  /** undefined for a new document. */
  id?: string;
  /** A document we already hold (just created): shown at once, no loading state. */
  initialDoc?: Doc | null;
}

export function useDocumentEditor({ meta, id, initialDoc }: EditorOptions) {
  const { t } = useTranslation();
  const resource = meta.doctype;
  const isNew = id === undefined;
  const defaults = useMemo(() => newDocumentValues(meta), [meta]);
  const seeded = initialDoc && id !== undefined && String(initialDoc.id) === id ? initialDoc : null;

  const [baseline, setBaselineState] = useState<DocValue | null>(isNew ? defaults : seeded);
  const [value, setValueState] = useState<DocValue>(isNew ? defaults : (seeded ?? {}));
  const [serverErrors, setServerErrors] = useState<FieldError[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [conflict, setConflict] = useState(false);
  const [liveChange, setLiveChange] = useState<LiveChange | null>(null);
  const [busy, setBusy] = useState<null | "save" | "delete" | "submit" | "cancel" | "reload">(null);

  // Refs mirror the state for callbacks that outlive a render (live events, chained saves).
  const baselineRef = useRef(baseline);
  const valueRef = useRef(value);
  const savingRef = useRef(false);
  const heldEvent = useRef<LiveChange | null>(null);
  const setBaseline = useCallback((doc: DocValue | null) => {
    baselineRef.current = doc;
    setBaselineState(doc);
  }, []);
  const setValue = useCallback((next: DocValue) => {
    valueRef.current = next;
    setValueState(next);
  }, []);

  const dataProvider = useDataProvider();
  const { query } = useOne<Doc>({
    resource,
    id,
    liveMode: "off", // our own subscription decides what a change means for an open form
    queryOptions: { enabled: !isNew && !seeded, retry: false, refetchOnWindowFocus: false },
    errorNotification: false,
  });
  const { mutateAsync: createAsync } = useCreate<Doc>();
  const { mutateAsync: updateAsync } = useUpdate<Doc>();
  const { mutateAsync: deleteAsync } = useDelete<Doc>();
  const { mutateAsync: customAsync } = useCustomMutation<Doc>();

  // The first load fills the form; later refetches never replace what the user is editing.
  const loaded = query.data?.data;
  useEffect(() => {
    if (loaded && baselineRef.current === null) {
      setBaseline(loaded);
      setValue(loaded);
    }
  }, [loaded, setBaseline, setValue]);

  const base = baseline ?? (isNew ? defaults : null);
  const changes = useMemo(() => (base ? changedFields(meta, base, value, isNew) : {}), [meta, base, value, isNew]);
  const dirty = Object.keys(changes).length > 0;

  const fetchLatest = useCallback(async (): Promise<Doc> => {
    const { data } = await dataProvider().getOne<Doc>({ resource, id: id as string });
    return data;
  }, [dataProvider, resource, id]);

  const onChange = useCallback(
    (next: DocValue) => {
      const previous = valueRef.current;
      setValue(next);
      // Errors of a field go away as soon as the user changes that field.
      const touched = Object.keys(changedFields(meta, previous, next, isNew));
      if (touched.length) setServerErrors((errors) => withoutErrorsFor(errors, touched));
    },
    [meta, isNew, setValue],
  );

  /** A live event seen while our save was in flight is judged once we know our new version. */
  const judgeLiveChange = useCallback((change: LiveChange) => {
    const mine = versionOf(baselineRef.current);
    if (change.kind === "deleted" || change.version === undefined || mine === undefined || change.version > mine) {
      setLiveChange(change);
    }
  }, []);

  const afterSave = useCallback(
    (doc: Doc, submitted: DocValue) => {
      // Keep what was typed while the request was out; everything else is the server's now.
      const later = changedFields(meta, submitted, valueRef.current, false);
      setBaseline(doc);
      setValue({ ...doc, ...later });
      setServerErrors([]);
      setError(null);
      setConflict(false);
      setLiveChange((current) => (current && current.kind === "updated" && current.version !== undefined && current.version <= (versionOf(doc) ?? 0) ? null : current));
      const held = heldEvent.current;
      heldEvent.current = null;
      if (held) judgeLiveChange(held);
    },
    [meta, setBaseline, setValue, judgeLiveChange],
  );

  const failSave = useCallback(
    (failure: unknown, prefix = t("Not saved")): SaveResult => {
      if (failure instanceof ApiError && failure.status === 409 && failure.type === "version_conflict") {
        setConflict(true);
        setError(null);
        setLiveChange(null);
        return { ok: false, reason: "conflict" };
      }
      const fieldErrors = fieldErrorsOf(failure);
      setServerErrors(fieldErrors);
      setError(fieldErrors.length ? t("{{prefix}}: check the fields marked below.", { prefix }) : `${prefix}: ${errorMessage(failure)}`);
      return { ok: false, reason: fieldErrors.length ? "invalid" : "error" };
    },
    [t],
  );

  /** Saves `submitted` (the value AutoForm validated); with `onTopOf`, on top of that server version. */
  const save = useCallback(
    async (submitted: DocValue = valueRef.current, onTopOf?: DocValue): Promise<SaveResult> => {
      if (savingRef.current) return { ok: false, reason: "error" };
      const against = onTopOf ?? baselineRef.current ?? defaults;
      savingRef.current = true;
      setBusy("save");
      try {
        if (isNew) {
          const { data } = await createAsync({
            resource,
            values: createPayload(meta, submitted),
            successNotification: false,
            errorNotification: false,
          });
          afterSave(data, submitted);
          return { ok: true, doc: data, created: true };
        }
        const changed = changedFields(meta, against, submitted, false);
        if (!Object.keys(changed).length) return { ok: false, reason: "unchanged" };
        const { data } = await updateAsync({
          resource,
          id: id as string,
          values: { ...changed, _version: versionOf(against) },
          mutationMode: "pessimistic",
          // The open form is the detail view: do not refetch it under the user.
          invalidates: ["list", "many"],
          successNotification: false,
          errorNotification: false,
        });
        afterSave(data, submitted);
        return { ok: true, doc: data, created: false };
      } catch (failure) {
        const held = heldEvent.current;
        heldEvent.current = null;
        const result = failSave(failure);
        if (held && !result.ok && result.reason !== "conflict") judgeLiveChange(held);
        return result;
      } finally {
        savingRef.current = false;
        setBusy(null);
      }
    },
    [isNew, defaults, createAsync, updateAsync, resource, meta, id, afterSave, failSave, judgeLiveChange],
  );

  /** "Reload theirs" / "Reload": the latest version; my unsaved edits are dropped only when asked. */
  const reload = useCallback(
    async ({ keepMine }: { keepMine: boolean }) => {
      if (isNew) return;
      setBusy("reload");
      try {
        const latest = await fetchLatest();
        const mine = keepMine && baselineRef.current ? changedFields(meta, baselineRef.current, valueRef.current, false) : {};
        setBaseline(latest);
        setValue({ ...latest, ...mine });
        setConflict(false);
        setLiveChange(null);
        setServerErrors([]);
        setError(null);
      } catch (failure) {
        setError(`${t("Could not reload")}: ${errorMessage(failure)}`);
      } finally {
        setBusy(null);
      }
    },
    [isNew, fetchLatest, meta, setBaseline, setValue, t],
  );

  /** "Save mine on top": read the latest version, re-apply only my changed fields, save with its _version. */
  const saveMineOnTop = useCallback(async (): Promise<SaveResult> => {
    const before = baselineRef.current;
    if (!before || isNew) return { ok: false, reason: "error" };
    const mine = changedFields(meta, before, valueRef.current, false);
    let latest: Doc;
    try {
      latest = await fetchLatest();
    } catch (failure) {
      setError(`${t("Could not reload")}: ${errorMessage(failure)}`);
      return { ok: false, reason: "error" };
    }
    const merged = { ...latest, ...mine };
    setBaseline(latest);
    setValue(merged);
    setConflict(false);
    setLiveChange(null);
    return save(merged, latest);
  }, [isNew, meta, fetchLatest, setBaseline, setValue, save, t]);

  const remove = useCallback(async (): Promise<boolean> => {
    if (isNew) return false;
    setBusy("delete");
    try {
      await deleteAsync({ resource, id: id as string, mutationMode: "pessimistic", successNotification: false, errorNotification: false });
      return true;
    } catch (failure) {
      setError(`${t("Not deleted")}: ${errorMessage(failure)}`);
      return false;
    } finally {
      setBusy(null);
    }
  }, [isNew, deleteAsync, resource, id, t]);

  const transition = useCallback(
    async (action: "submit" | "cancel"): Promise<boolean> => {
      if (isNew) return false;
      setBusy(action);
      savingRef.current = true;
      try {
        const version = versionOf(baselineRef.current);
        const url = `${docPath(resource, id as string)}/${action}${version === undefined ? "" : `?version=${version}`}`;
        const { data } = await customAsync({ url, method: "post", values: {}, successNotification: false, errorNotification: false });
        const doc = data && typeof data === "object" && "id" in data ? data : await fetchLatest();
        afterSave(doc, valueRef.current);
        return true;
      } catch (failure) {
        heldEvent.current = null;
        failSave(failure, action === "submit" ? t("Not submitted") : t("Not cancelled"));
        return false;
      } finally {
        savingRef.current = false;
        setBusy(null);
      }
    },
    [isNew, resource, id, customAsync, fetchLatest, afterSave, failSave, t],
  );

  // Someone else's save of this document: a banner, never a silent overwrite of my edits.
  const onLiveEvent = useCallback(
    (event: LiveEvent) => {
      const payload = (event.payload ?? {}) as { ids?: unknown[]; version?: number; doc?: Doc; reconnected?: boolean };
      if (payload.ids && payload.ids.length && !payload.ids.map(String).includes(String(id))) return;
      if (event.type === "*" && payload.reconnected) {
        // Events may have been missed while offline: compare versions with a fresh read.
        void fetchLatest()
          .then((latest) => {
            const change: LiveChange = { kind: "updated", version: versionOf(latest), by: latest.modified_by ?? null };
            if (savingRef.current) heldEvent.current = change;
            else judgeLiveChange(change);
          })
          .catch(() => undefined);
        return;
      }
      if (event.type !== "updated" && event.type !== "deleted") return;
      const change: LiveChange = {
        kind: event.type,
        version: payload.version ?? versionOf(payload.doc),
        by: payload.doc?.modified_by ?? null,
      };
      if (savingRef.current) {
        // Maybe the echo of the save in flight: decided when its answer gives our new version.
        heldEvent.current = change;
        return;
      }
      judgeLiveChange(change);
    },
    [id, fetchLatest, judgeLiveChange],
  );

  // Refine subscribes once (its effect depends on `enabled` only): route events to the latest handler.
  const onLiveEventRef = useRef(onLiveEvent);
  onLiveEventRef.current = onLiveEvent;
  const forwardLiveEvent = useCallback((event: LiveEvent) => onLiveEventRef.current(event), []);
  useSubscription({
    channel: `resources/${resource}/${id ?? ""}`,
    types: ["updated", "deleted", "*"],
    enabled: !isNew,
    params: { ids: id ? [id] : [], id, resource, subscriptionType: "useOne" },
    onLiveEvent: forwardLiveEvent,
  });

  const loadError = !isNew && !seeded && query.isError ? query.error : null;
  const loading = !isNew && baseline === null && !loadError;

  return {
    isNew,
    value,
    baseline,
    dirty,
    changes,
    loading,
    loadError,
    serverErrors,
    error,
    conflict,
    liveChange,
    busy,
    onChange,
    save,
    reload,
    saveMineOnTop,
    remove,
    transition,
    dismissError: () => setError(null),
    dismissLiveChange: () => setLiveChange(null),
    /** Equal to the server's copy (ignoring fields the form does not edit). */
    isPristine: () => (baselineRef.current ? sameValue(changedFields(meta, baselineRef.current, valueRef.current, isNew), {}) : true),
  };
}

export type DocumentEditor = ReturnType<typeof useDocumentEditor>;
