/**
 * The title a Link field shows for the id it stores: GET /api/v1/{target}/{id}, read through the
 * target's title field. Remembered per document, and seeded when the user picks a search hit.
 */
import { useEffect, useState } from "react";
import { api } from "../../api/http";
import { fetchDocTypeMeta } from "../../api/meta";
import type { Doc, DocTypeMeta, SearchHit } from "../../api/types";

const titles = new Map<string, Promise<string | null>>();
const known = new Map<string, string>();
const metas = new Map<string, Promise<DocTypeMeta | null>>();

const key = (doctype: string, id: string) => `${doctype}\u0000${id}`;

export function hitLabel(hit: Pick<SearchHit, "title" | "name" | "id">): string {
  return hit.title || hit.name || hit.id;
}

export function rememberLinkTitle(doctype: string, id: string, title: string) {
  known.set(key(doctype, id), title);
  titles.set(key(doctype, id), Promise.resolve(title));
}

function targetMeta(doctype: string): Promise<DocTypeMeta | null> {
  let meta = metas.get(doctype);
  if (!meta) {
    meta = fetchDocTypeMeta(doctype).catch(() => null);
    metas.set(doctype, meta);
  }
  return meta;
}

export function fetchLinkTitle(doctype: string, id: string): Promise<string | null> {
  const k = key(doctype, id);
  let title = titles.get(k);
  if (!title) {
    title = Promise.all([targetMeta(doctype), api<Doc>(`/api/v1/${encodeURIComponent(doctype)}/${encodeURIComponent(id)}`)])
      .then(([meta, doc]) => {
        const fromTitle = meta?.title_field ? doc[meta.title_field] : undefined;
        const text = (typeof fromTitle === "string" && fromTitle) || doc.name || null;
        if (text) known.set(k, text);
        return text;
      })
      .catch(() => {
        // Not readable or gone: show the id, and try again next time.
        titles.delete(k);
        return null;
      });
    titles.set(k, title);
  }
  return title;
}

/** Forget everything (tests). */
export function clearLinkTitles() {
  titles.clear();
  known.clear();
  metas.clear();
}

/** The title of the linked document; null while unknown (loading, or not readable). */
export function useLinkTitle(doctype: string | null | undefined, id: string | null | undefined): { title: string | null; loading: boolean } {
  const k = doctype && id ? key(doctype, id) : null;
  const [state, setState] = useState<{ key: string | null; title: string | null; loading: boolean }>(() => ({
    key: k,
    title: k ? (known.get(k) ?? null) : null,
    loading: Boolean(k && !known.has(k)),
  }));
  useEffect(() => {
    if (!doctype || !id || !k) {
      setState({ key: null, title: null, loading: false });
      return;
    }
    const cached = known.get(k);
    if (cached) {
      setState({ key: k, title: cached, loading: false });
      return;
    }
    let live = true;
    setState({ key: k, title: null, loading: true });
    void fetchLinkTitle(doctype, id).then((title) => {
      if (live) setState({ key: k, title, loading: false });
    });
    return () => {
      live = false;
    };
  }, [doctype, id, k]);
  if (state.key !== k) return { title: k ? (known.get(k) ?? null) : null, loading: Boolean(k && !known.has(k)) };
  return { title: state.title, loading: state.loading };
}
