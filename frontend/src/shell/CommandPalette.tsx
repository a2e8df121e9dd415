/**
 * The command palette (Ctrl+K / Meta+K, or the navbar's Search button): go to a DocType,
 * start a new document, or open a document found by title. A combobox with a listbox:
 * arrow keys move, Enter runs, Escape closes and focus returns where it was.
 */
import { useEffect, useId, useMemo, useState, type KeyboardEvent } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { useDocTypeList } from "../api/meta";
import { hitLabel, useDocumentSearch } from "../api/search";
import { Dialog, Spinner } from "../components/ui";
import { deskPaths } from "../providers/resources";
import { paletteCommands, type PaletteCommand } from "./paletteCommands";
import { useDebounced } from "./useDebounced";

export interface CommandPaletteProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** Where focus goes back on close (the palette is opened by a shortcut, not a trigger). */
  returnFocusTo?: () => HTMLElement | null;
}

interface Option extends PaletteCommand {
  group: "commands" | "documents";
}

const SEARCH_DEBOUNCE_MS = 200;

export function CommandPalette({ open, onOpenChange, returnFocusTo }: CommandPaletteProps) {
  const { t } = useTranslation();
  const onCloseAutoFocus = (event: Event) => {
    event.preventDefault();
    const previous = returnFocusTo?.();
    // The element may be gone when the palette opened another page: then the page itself.
    const target = previous?.isConnected ? previous : document.getElementById("content");
    target?.focus();
  };
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog-content palette" aria-describedby={undefined} onCloseAutoFocus={onCloseAutoFocus}>
          <Dialog.Title className="sr-only">{t("Command palette")}</Dialog.Title>
          {open && <PaletteBody onDone={() => onOpenChange(false)} />}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function PaletteBody({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const baseId = useId();
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const doctypes = useDocTypeList();
  const debounced = useDebounced(query.trim(), SEARCH_DEBOUNCE_MS);
  const search = useDocumentSearch(debounced, { limit: 8, enabled: debounced.length > 0 });
  const labels = useMemo(() => new Map((doctypes.data ?? []).map((d) => [d.doctype, d.label])), [doctypes.data]);

  const options: Option[] = useMemo(() => {
    const commands = paletteCommands(doctypes.data ?? [], query, t).map((c) => ({ ...c, group: "commands" as const }));
    // Documents only for the text they were searched with (no stale hits for other text).
    const documents =
      debounced && debounced === query.trim() && search.data
        ? search.data.map((hit) => ({
            key: `doc:${hit.doctype}:${hit.id}`,
            label: hitLabel(hit),
            hint: labels.get(hit.doctype) ?? hit.doctype,
            to: deskPaths.edit(hit.doctype, hit.id),
            group: "documents" as const,
          }))
        : [];
    return [...commands, ...documents];
  }, [doctypes.data, query, debounced, search.data, labels, t]);

  useEffect(() => setActive(0), [query]);
  const activeIndex = options.length ? Math.min(active, options.length - 1) : -1;
  const optionId = (index: number) => `${baseId}-option-${index}`;

  useEffect(() => {
    if (activeIndex < 0) return;
    document.getElementById(optionId(activeIndex))?.scrollIntoView?.({ block: "nearest" });
  }, [activeIndex]);

  const run = (option: Option | undefined) => {
    if (!option) return;
    onDone();
    navigate(option.to);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (!options.length) return;
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        setActive((activeIndex + 1) % options.length);
        break;
      case "ArrowUp":
        event.preventDefault();
        setActive((activeIndex - 1 + options.length) % options.length);
        break;
      case "Home":
        if (event.ctrlKey) {
          event.preventDefault();
          setActive(0);
        }
        break;
      case "End":
        if (event.ctrlKey) {
          event.preventDefault();
          setActive(options.length - 1);
        }
        break;
      case "Enter":
        event.preventDefault();
        run(options[activeIndex]);
        break;
    }
  };

  const searching = debounced.length > 0 && (search.isFetching || debounced !== query.trim());
  let index = -1;
  const renderGroup = (group: Option["group"], title: string) => {
    const items = options.filter((o) => o.group === group);
    if (!items.length) return null;
    return (
      <div role="group" aria-label={title} className="palette-group">
        <div className="palette-group-title" aria-hidden="true">
          {title}
        </div>
          {items.map((option) => {
            index += 1;
            const i = index;
            const hintId = option.hint ? `${optionId(i)}-hint` : undefined;
            return (
              <div
                key={option.key}
                id={optionId(i)}
                role="option"
                aria-selected={i === activeIndex}
                aria-label={option.hint ? option.label : undefined}
                aria-describedby={hintId}
                className="palette-option"
                onMouseMove={() => i !== activeIndex && setActive(i)}
                onClick={() => run(option)}
              >
                <span className="palette-option-label">{option.label}</span>
                {option.hint && (
                  <span id={hintId} className="palette-option-hint">
                    {option.hint}
                  </span>
                )}
              </div>
            );
          })}
      </div>
    );
  };

  return (
    <div className="palette-body">
      <label htmlFor={`${baseId}-input`} className="sr-only">
        {t("Search or type a command")}
      </label>
      <input
        id={`${baseId}-input`}
        className="input palette-input"
        placeholder={t("Search or type a command")}
        role="combobox"
        aria-expanded={options.length > 0}
        aria-controls={`${baseId}-listbox`}
        aria-autocomplete="list"
        aria-activedescendant={activeIndex >= 0 ? optionId(activeIndex) : undefined}
        autoComplete="off"
        spellCheck={false}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={onKeyDown}
        autoFocus
      />
      <div id={`${baseId}-listbox`} role="listbox" aria-label={t("Results")} className="palette-list">
        {renderGroup("commands", t("Commands"))}
        {renderGroup("documents", t("Documents"))}
      </div>
      <div className="palette-status" role="status" aria-live="polite">
        {searching ? <Spinner label={t("Searching")} /> : search.isError ? t("Document search failed.") : options.length === 0 ? t("No results") : ""}
      </div>
    </div>
  );
}
