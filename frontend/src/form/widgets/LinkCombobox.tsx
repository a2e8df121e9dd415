/**
 * A Link field: an editable combobox (WAI-ARIA APG, list autocomplete) that searches the target
 * DocType through GET /api/v1/search and stores the chosen document's id while showing its
 * title. ArrowDown opens and moves, ArrowUp moves, Enter chooses, Escape closes, a clear
 * button empties the field.
 */
import { clsx } from "clsx";
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type CSSProperties, type KeyboardEvent, type RefObject } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api } from "../../api/http";
import type { SearchHit } from "../../api/types";
import type { FieldInputProps } from "./FieldInput";
import { hitLabel, rememberLinkTitle, useLinkTitle } from "./linkTitles";

const SEARCH_DELAY_MS = 200;
const SEARCH_LIMIT = 10;

type SearchState = "idle" | "loading" | "done" | "error";

export function LinkCombobox(props: FieldInputProps) {
  const { t } = useTranslation();
  const { id, field, value, onChange, disabled, required } = props;
  const target = field.link_doctype ?? "";
  const current = typeof value === "string" && value ? value : null;
  const { title, loading: titleLoading } = useLinkTitle(target, current);
  const selectedText = current ? (title ?? (titleLoading ? "" : current)) : "";

  const [editing, setEditing] = useState(false);
  const [query, setQuery] = useState("");
  const [open, setOpen] = useState(false);
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [active, setActive] = useState(-1);
  const [state, setState] = useState<SearchState>("idle");
  const [searchError, setSearchError] = useState<string | null>(null);

  const inputRef = useRef<HTMLInputElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const controller = useRef<AbortController | null>(null);
  const requestNo = useRef(0);
  // Keys pressed before the results arrived: applied to them (fast typists, and test robots).
  const pending = useRef<{ activate: boolean; choose: boolean }>({ activate: false, choose: false });

  const listboxId = `${id}__listbox`;
  const optionId = (index: number) => `${id}__option${index}`;
  const label = props.ariaLabel ?? field.label;

  useEffect(
    () => () => {
      clearTimeout(timer.current);
      controller.current?.abort();
    },
    [],
  );

  const choose = useCallback(
    (hit: SearchHit) => {
      rememberLinkTitle(target, hit.id, hitLabel(hit));
      onChange(hit.id);
      setEditing(false);
      setQuery("");
      setOpen(false);
      setActive(-1);
      pending.current = { activate: false, choose: false };
    },
    [onChange, target],
  );

  const runSearch = useCallback(
    (q: string, delay: number) => {
      clearTimeout(timer.current);
      controller.current?.abort();
      setState("loading");
      setSearchError(null);
      const number = ++requestNo.current;
      timer.current = setTimeout(() => {
        const abort = new AbortController();
        controller.current = abort;
        api<{ data: SearchHit[] }>("/api/v1/search", { query: { doctype: target, q: q.trim(), limit: SEARCH_LIMIT }, signal: abort.signal })
          .then((response) => {
            if (number !== requestNo.current) return;
            const found = (response?.data ?? []).filter((hit) => !hit.doctype || hit.doctype === target);
            setHits(found);
            setState("done");
            const { activate, choose: chooseNow } = pending.current;
            pending.current = { activate: false, choose: false };
            if (chooseNow && found.length) choose(found[0]);
            else setActive(activate && found.length ? 0 : -1);
          })
          .catch((error: unknown) => {
            if (number !== requestNo.current || (error instanceof DOMException && error.name === "AbortError")) return;
            setHits([]);
            setActive(-1);
            setState("error");
            setSearchError(error instanceof ApiError ? error.message : t("Search failed"));
          });
      }, delay);
    },
    [choose, t, target],
  );

  const openList = (q: string) => {
    setOpen(true);
    runSearch(q, 0);
  };

  const close = () => {
    clearTimeout(timer.current);
    controller.current?.abort();
    requestNo.current++;
    setOpen(false);
    setActive(-1);
    if (state === "loading") setState("idle");
    pending.current = { activate: false, choose: false };
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    const listed = open && hits.length > 0 && state !== "loading";
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (!open) {
          pending.current.activate = !event.altKey;
          openList(editing ? query : "");
        } else if (state === "loading") {
          pending.current.activate = true;
        } else if (hits.length) {
          setActive((i) => (i + 1) % hits.length);
        }
        break;
      case "ArrowUp":
        event.preventDefault();
        if (listed) setActive((i) => (i <= 0 ? hits.length - 1 : i - 1));
        break;
      case "Enter":
        if (!open) break;
        // Enter in an open list chooses; it never submits the form.
        event.preventDefault();
        if (state === "loading") {
          if (pending.current.activate) pending.current.choose = true;
        } else if (active >= 0 && hits[active]) {
          choose(hits[active]);
        } else if (hits.length === 1) {
          choose(hits[0]);
        }
        break;
      case "Escape":
        if (open) {
          event.preventDefault();
          event.stopPropagation();
          close();
        } else if (editing) {
          event.preventDefault();
          event.stopPropagation();
          setEditing(false);
          setQuery("");
        }
        break;
      case "Tab":
        if (open) close();
        break;
      default:
        break;
    }
  };

  const onInput = (text: string) => {
    setEditing(true);
    setQuery(text);
    setOpen(true);
    setActive(-1);
    runSearch(text, SEARCH_DELAY_MS);
  };

  const onBlur = () => {
    close();
    if (editing) {
      // Emptying the text and leaving clears the link; other text that was not chosen is dropped.
      if (!query.trim() && current) onChange(required ? undefined : null);
      setEditing(false);
      setQuery("");
    }
    props.onBlur?.();
  };

  const clear = () => {
    onChange(required ? undefined : null);
    setEditing(false);
    setQuery("");
    close();
    inputRef.current?.focus();
  };

  const expanded = open && hits.length > 0 && state !== "loading";
  const popupPlacement = usePopupPlacement(inputRef, open);
  const describedBy = [props.describedBy].filter(Boolean).join(" ") || undefined;
  const statusText =
    !open || state === "idle"
      ? ""
      : state === "loading"
        ? t("Searching…")
        : state === "error"
          ? (searchError ?? t("Search failed"))
          : hits.length === 0
            ? t("No matches")
            : t("{{count}} results", { count: hits.length });

  return (
    <div className={clsx("fm-combobox", disabled && "is-disabled")}>
      <div className="fm-combobox-control">
        <input
          ref={inputRef}
          id={id}
          name={id}
          className="input fm-combobox-input"
          type="text"
          role="combobox"
          autoComplete="off"
          spellCheck={false}
          aria-label={props.ariaLabel}
          aria-autocomplete="list"
          aria-expanded={expanded}
          aria-controls={listboxId}
          aria-activedescendant={expanded && active >= 0 ? optionId(active) : undefined}
          aria-invalid={props.invalid || undefined}
          aria-required={required || undefined}
          aria-describedby={describedBy}
          disabled={disabled}
          placeholder={current && titleLoading ? t("Loading…") : t("Search {{doctype}}", { doctype: target })}
          value={editing ? query : selectedText}
          onChange={(e) => onInput(e.target.value)}
          onKeyDown={onKeyDown}
          onBlur={onBlur}
        />
        {current && !disabled && (
          <button type="button" className="fm-combobox-clear" aria-label={t("Clear {{label}}", { label })} title={t("Clear {{label}}", { label })} onClick={clear}>
            <span aria-hidden="true">×</span>
          </button>
        )}
      </div>
      <ul id={listboxId} role="listbox" aria-label={label} className="fm-combobox-list" hidden={!expanded} style={popupPlacement}>
        {hits.map((hit, index) => (
          <li
            key={`${hit.doctype}/${hit.id}`}
            id={optionId(index)}
            role="option"
            aria-selected={index === active}
            className={clsx("fm-combobox-option", index === active && "is-active")}
            // Keep the focus in the input: choosing by mouse must not blur it first.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => choose(hit)}
            onMouseMove={() => setActive(index)}
          >
            <span className="fm-combobox-title">{hitLabel(hit)}</span>
            {/* The name is a hint for the eye; the option's accessible name stays the title. */}
            {hit.title && hit.name && hit.name !== hit.title && (
              <span className="fm-combobox-name" aria-hidden="true">
                {hit.name}
              </span>
            )}
          </li>
        ))}
      </ul>
      {open && statusText && !expanded && (
        <div className="fm-combobox-empty" aria-hidden="true" style={popupPlacement}>
          {statusText}
        </div>
      )}
      <span className="sr-only" aria-live="polite">
        {statusText}
      </span>
    </div>
  );
}

/**
 * Where the popup goes: fixed under the input, so a scrolling container (a child table's
 * grid) does not clip it. Follows the input while the page or a container scrolls.
 */
function usePopupPlacement(inputRef: RefObject<HTMLInputElement | null>, open: boolean): CSSProperties | undefined {
  const [placement, setPlacement] = useState<CSSProperties | undefined>(undefined);
  useLayoutEffect(() => {
    if (!open) return;
    const place = () => {
      const rect = inputRef.current?.getBoundingClientRect();
      if (!rect) return;
      const below = window.innerHeight - rect.bottom;
      // Above the input when there is little room below it.
      const vertical = below < 200 && rect.top > below ? { bottom: window.innerHeight - rect.top + 2, top: "auto" } : { top: rect.bottom + 2 };
      setPlacement({ position: "fixed", left: rect.left, width: Math.max(rect.width, 220), right: "auto", ...vertical });
    };
    place();
    window.addEventListener("scroll", place, true);
    window.addEventListener("resize", place);
    return () => {
      window.removeEventListener("scroll", place, true);
      window.removeEventListener("resize", place);
    };
  }, [open, inputRef]);
  return open ? placement : undefined;
}
