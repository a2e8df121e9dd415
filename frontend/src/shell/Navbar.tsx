/**
 * The top bar: home link, global search (opens the command palette), notifications, theme
 * toggle and the user menu with Log out. Names are what the e2e tests look for.
 */
import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import * as Popover from "@radix-ui/react-popover";
import { useGetIdentity, useLogout } from "@refinedev/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Button } from "../components/ui";
import { BellIcon, MoonIcon, SearchIcon, SunIcon } from "../components/ui/icons";
import { frameworkConfig } from "../config";
import type { Identity } from "../providers/authProvider";
import { useTheme } from "../theme/theme";
import { useCommandPalette } from "./paletteContext";

function isMac(): boolean {
  return typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
}

function initials(name: string): string {
  const parts = name.split(/[\s@.]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? "") + (parts[1]?.[0] ?? "")).toUpperCase() || "?";
}

export function Navbar({ menuButton }: { menuButton?: React.ReactNode }) {
  const { t } = useTranslation();
  const palette = useCommandPalette();
  const { theme, toggle } = useTheme();
  const { data: identity } = useGetIdentity<Identity>();
  const { mutate: logout, isPending: loggingOut } = useLogout();
  const name = identity?.displayName ?? "";

  return (
    <header className="navbar">
      {menuButton}
      <Link to="/app" className="navbar-brand">
        {frameworkConfig().appName}
      </Link>
      <button type="button" className="navbar-search" onClick={palette.open} aria-keyshortcuts={isMac() ? "Meta+K" : "Control+K"}>
        <SearchIcon />
        {t("Search")}
        <kbd aria-hidden="true">{isMac() ? "⌘K" : "Ctrl K"}</kbd>
      </button>
      <div className="navbar-actions">
        <Popover.Root>
          <Popover.Trigger asChild>
            <Button variant="ghost" aria-label={t("Notifications")}>
              <BellIcon />
            </Button>
          </Popover.Trigger>
          <Popover.Portal>
            <Popover.Content className="popover" align="end" sideOffset={6} aria-label={t("Notifications")}>
              <p className="popover-empty">{t("No notifications")}</p>
            </Popover.Content>
          </Popover.Portal>
        </Popover.Root>
        <Button variant="ghost" onClick={toggle} aria-label={theme === "dark" ? t("Switch to light theme") : t("Switch to dark theme")}>
          {theme === "dark" ? <SunIcon /> : <MoonIcon />}
        </Button>
        {identity && (
          <DropdownMenu.Root modal={false}>
            <DropdownMenu.Trigger asChild>
              <Button variant="ghost" className="user-button">
                <span className="avatar" aria-hidden="true">
                  {initials(name)}
                </span>
                <span className="user-name">{name}</span>
              </Button>
            </DropdownMenu.Trigger>
            <DropdownMenu.Portal>
              <DropdownMenu.Content className="menu" align="end" sideOffset={6}>
                <DropdownMenu.Label className="menu-label">{identity.email}</DropdownMenu.Label>
                <DropdownMenu.Separator className="menu-separator" />
                <DropdownMenu.Item className="menu-item" disabled={loggingOut} onSelect={() => logout()}>
                  {t("Log out")}
                </DropdownMenu.Item>
              </DropdownMenu.Content>
            </DropdownMenu.Portal>
          </DropdownMenu.Root>
        )}
      </div>
    </header>
  );
}
