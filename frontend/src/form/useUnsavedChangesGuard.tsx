/**
 * Asks before leaving a form with unsaved changes: in-app navigation (a dialog) and closing or
 * reloading the tab (the browser's beforeunload prompt).
 *
 * In a data router (createBrowserRouter) this is react-router's useBlocker, which also covers
 * back/forward. Under <BrowserRouter> useBlocker is not available, so the guard wraps the
 * router's navigator instead: every in-app push/replace (links, navigate()) waits for the
 * user's answer; back/forward there is not intercepted.
 */
import { useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { UNSAFE_DataRouterContext, UNSAFE_NavigationContext, useBlocker, type Blocker } from "react-router";
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

/** Data routers: react-router's blocker. */
function useDataRouterBlock(when: () => boolean, setPending: (pending: Pending) => void) {
  const blocker: Blocker = useBlocker(({ currentLocation, nextLocation }) => when() && currentLocation.pathname !== nextLocation.pathname);
  useEffect(() => {
    if (blocker.state === "blocked") setPending({ proceed: () => blocker.proceed(), reset: () => blocker.reset() });
  }, [blocker, setPending]);
}

type Navigator = { push: (...args: unknown[]) => void; replace: (...args: unknown[]) => void };

/** <BrowserRouter>: hold push/replace until the user answers. */
function useNavigatorBlock(when: () => boolean, setPending: (pending: Pending) => void) {
  const { navigator } = useContext(UNSAFE_NavigationContext) as unknown as { navigator: Navigator };
  useEffect(() => {
    const { push, replace } = navigator;
    const wrap =
      (original: (...args: unknown[]) => void) =>
      (...args: unknown[]) => {
        const to = args[0] as string | { pathname?: string };
        const pathname = typeof to === "string" ? to.split(/[?#]/)[0] : to?.pathname;
        if (!when() || pathname === window.location.pathname || pathname === undefined) {
          original.apply(navigator, args);
          return;
        }
        setPending({ proceed: () => original.apply(navigator, args), reset: () => {} });
      };
    navigator.push = wrap(push);
    navigator.replace = wrap(replace);
    return () => {
      navigator.push = push;
      navigator.replace = replace;
    };
  }, [navigator, when, setPending]);
}

function DataRouterBlock(props: { when: () => boolean; setPending: (pending: Pending) => void }) {
  useDataRouterBlock(props.when, props.setPending);
  return null;
}

function NavigatorBlock(props: { when: () => boolean; setPending: (pending: Pending) => void }) {
  useNavigatorBlock(props.when, props.setPending);
  return null;
}

export function useUnsavedChangesGuard(dirty: boolean): GuardApi {
  const { t } = useTranslation();
  const dataRouter = useContext(UNSAFE_DataRouterContext);
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
  const allowNextNavigation = useCallback(() => {
    allowed.current = true;
  }, []);

  const blockerElement = dataRouter ? <DataRouterBlock when={when} setPending={setPending} /> : <NavigatorBlock when={when} setPending={setPending} />;
  const dialog = (
    <>
      {blockerElement}
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
    </>
  );
  return { allowNextNavigation, dialog };
}
