/**
 * The signed-in frame of every /app page: skip link, navbar, sidebar, <main id="content">
 * and the command palette (Ctrl+K / Meta+K anywhere). Not signed in: off to the login page,
 * keeping the path to come back to.
 */
import { useIsAuthenticated } from "@refinedev/core";
import { Suspense, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, Outlet, useLocation } from "react-router";
import { Banner, Button, Spinner } from "../components/ui";
import { MenuIcon } from "../components/ui/icons";
import { loginPathReturningTo } from "../providers/authProvider";
import { CommandPalette } from "./CommandPalette";
import { Navbar } from "./Navbar";
import { PaletteContext } from "./paletteContext";
import { Sidebar } from "./Sidebar";

const SIDEBAR_ID = "desk-sidebar";

export function Layout() {
  const { t } = useTranslation();
  const location = useLocation();
  // Checked again on every mount: the cached answer may predate a login or logout.
  const auth = useIsAuthenticated({ queryOptions: { refetchOnMount: "always" } });
  const [paletteOpen, setPaletteOpen] = useState(false);
  const [menuOpen, setMenuOpen] = useState(false);
  const lastFocus = useRef<HTMLElement | null>(null);
  const openPalette = useCallback(() => {
    if (document.activeElement instanceof HTMLElement && document.activeElement !== document.body) lastFocus.current = document.activeElement;
    else lastFocus.current = null;
    setPaletteOpen(true);
  }, []);
  const palette = useMemo(() => ({ open: openPalette }), [openPalette]);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === "k") {
        event.preventDefault();
        openPalette();
      }
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [openPalette]);

  // The small-screen menu closes when a page opens.
  useEffect(() => setMenuOpen(false), [location.pathname]);

  const focusContent = useCallback((event: React.MouseEvent<HTMLAnchorElement>) => {
    const main = document.getElementById("content");
    if (main) {
      event.preventDefault();
      main.focus();
    }
  }, []);

  if (auth.isLoading || (!auth.data?.authenticated && auth.isFetching)) {
    return (
      <div className="page-center">
        <Spinner label={t("Checking your session")} />
      </div>
    );
  }
  if (!auth.data?.authenticated) {
    if (auth.data?.error && !auth.data.redirectTo) {
      // The server is unreachable or failing: signing in again would not help.
      return (
        <main className="page-center" id="content">
          <Banner tone="danger" role="alert">
            {t("The server cannot be reached. Check your connection and try again.")}{" "}
            <Button size="sm" onClick={() => void auth.refetch()}>
              {t("Retry")}
            </Button>
          </Banner>
        </main>
      );
    }
    // The provider's target: with the return path when the session ended, without after a logout.
    return <Navigate to={auth.data?.redirectTo ?? loginPathReturningTo(`${location.pathname}${location.search}${location.hash}`)} replace />;
  }

  const menuButton = (
    <Button variant="ghost" className="menu-toggle" aria-expanded={menuOpen} aria-controls={SIDEBAR_ID} onClick={() => setMenuOpen((open) => !open)}>
      <MenuIcon />
      <span className="menu-toggle-label">{t("Menu")}</span>
    </Button>
  );

  return (
    <PaletteContext.Provider value={palette}>
      <a href="#content" className="skip-link" onClick={focusContent}>
        {t("Skip to content")}
      </a>
      <div className={menuOpen ? "shell shell-menu-open" : "shell"}>
        <Navbar menuButton={menuButton} />
        <Sidebar id={SIDEBAR_ID} onNavigate={() => setMenuOpen(false)} />
        <main id="content" className="content" tabIndex={-1}>
          <Suspense fallback={<Spinner />}>
            <Outlet />
          </Suspense>
        </main>
      </div>
      <CommandPalette open={paletteOpen} onOpenChange={setPaletteOpen} returnFocusTo={() => lastFocus.current} />
    </PaletteContext.Provider>
  );
}
