/**
 * Asks before leaving a form with unsaved changes: in-app navigation (a dialog) and closing or
 * reloading the tab (the browser's beforeunload prompt).
 *
 * In-app navigation, Back and Forward included, is held by react-router's useBlocker, which
 * needs a data router (the Desk's createBrowserRouter).
 */
import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useBlocker, type Blocker } from "react-router";
import { ConfirmDialog } from "../components/ui";

export interface GuardApi {
  /** Lets the next navigation through without asking (after a save or a delete). */
  allowNextNavigation: () => void;
  /** The confirmation dialog; render it somewhere on the page. */
  dialog: ReactNode;
}

type Pending = { proceed: () => void; reset: () => void } | null;

function useBeforeUnload(when: boolean) {
  useEffect(() => {
    if (!when) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers show the prompt only when returnValue is set.
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, [when]);
}

/** react-router's blocker: holds a navigation to another path while the form is dirty. */
function useRouterBlock(when: () => boolean, setPending: (pending: Pending) => void) {
  const blocker: Blocker = useBlocker(({ currentLocation, nextLocation }) => when() && currentLocation.pathname !== nextLocation.pathname);
  useEffect(() => {
    if (blocker.state === "blocked") setPending({ proceed: () => blocker.proceed(), reset: () => blocker.reset() });
  }, [blocker, setPending]);
}

export function useUnsavedChangesGuard(dirty: boolean): GuardApi {
  const { t } = useTranslation();
  const [pending, setPending] = useState<Pending>(null);
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;
  const allowed = useRef(false);
  const when = useCallback(() => {
    if (allowed.current) {
      allowed.current = false;
      return false;
    }
    return dirtyRef.current;
  }, []);
  useBeforeUnload(dirty);
  useRouterBlock(when, setPending);
  const allowNextNavigation = useCallback(() => {
    allowed.current = true;
  }, []);

  const dialog = (
    <ConfirmDialog
      open={pending !== null}
      title={t("Leave without saving?")}
      description={t("Your changes to this document have not been saved. They will be lost if you leave.")}
      confirmLabel={t("Leave")}
      cancelLabel={t("Stay")}
      danger
      onConfirm={() => {
        const current = pending;
        setPending(null);
        allowed.current = true;
        current?.proceed();
      }}
      onOpenChange={(open) => {
        if (!open) {
          pending?.reset();
          setPending(null);
        }
      }}
    />
  );
  return { allowNextNavigation, dialog };
}
