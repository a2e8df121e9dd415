/**
 * Refine's AuthProvider for the cookie session: the server sets fm_session (HttpOnly) and
 * fm_csrf at login; api() sends the CSRF header. A 401 anywhere sends the user to the login
 * page with the path they were on, so signing in brings them back.
 */
import type { AuthProvider } from "@refinedev/core";
import { ApiError, api } from "../api/http";
import type { CurrentUser } from "../api/types";
import { frameworkConfig } from "../config";

export interface LoginParams {
  email: string;
  password: string;
  /** Where to go after signing in (a Desk path such as "/app/Ticket"). */
  redirectTo?: string;
}

/** What useGetIdentity returns: the API's user, with a display name always set. */
export interface Identity extends CurrentUser {
  displayName: string;
}

/** The query parameter of the login page that holds the return path. */
export const RETURN_PARAM = "to";
const HOME = "/app";

/** Only a path inside the Desk: never another site ("//evil.example", "https://..."). */
export function safeReturnPath(value: string | null | undefined): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return HOME;
  if (value === frameworkConfig().loginUrl || value.startsWith(`${frameworkConfig().loginUrl}?`)) return HOME;
  return value;
}

/** The Desk path the browser is on now (router paths are relative to deskBase). */
export function currentDeskPath(): string {
  if (typeof window === "undefined") return HOME;
  const base = frameworkConfig().deskBase.replace(/\/$/, "");
  const { pathname, search, hash } = window.location;
  const path = base && pathname.startsWith(base) ? pathname.slice(base.length) || "/" : pathname;
  return `${path}${search}${hash}`;
}

export function loginPathReturningTo(path: string): string {
  const loginUrl = frameworkConfig().loginUrl;
  const target = safeReturnPath(path);
  return target === HOME ? loginUrl : `${loginUrl}?${RETURN_PARAM}=${encodeURIComponent(target)}`;
}

function toIdentity(user: CurrentUser): Identity {
  return { ...user, displayName: user.name?.trim() || user.email };
}

export interface AuthProviderOptions {
  /** Called after a successful login or logout: drop the previous user's cached data. */
  onSessionChange?: (kind: "login" | "logout") => void;
}

export function createAuthProvider(options: AuthProviderOptions = {}): AuthProvider {
  // After "Log out" the next user should start on the dashboard, not on this user's page.
  let signedOutByUser = false;
  // check() and getIdentity() both read /auth/me when a page opens: share one request.
  let inflight: Promise<Identity> | null = null;
  const me = (): Promise<Identity> => {
    inflight ??= api<CurrentUser>("/api/v1/auth/me")
      .then(toIdentity)
      .finally(() => {
        inflight = null;
      });
    return inflight;
  };

  return {
    async login({ email, password, redirectTo }: LoginParams) {
      try {
        await api("/api/v1/auth/login", { method: "POST", body: { email, password } });
      } catch (error) {
        const message =
          error instanceof ApiError && (error.status === 401 || error.status === 400 || error.status === 422)
            ? "Wrong email or password."
            : error instanceof ApiError && error.status === 429
              ? "Too many attempts. Wait a minute and try again."
              : error instanceof Error
                ? error.message
                : String(error);
        return { success: false, error: { name: "Login failed", message } };
      }
      signedOutByUser = false;
      options.onSessionChange?.("login");
      return { success: true, redirectTo: safeReturnPath(redirectTo) };
    },

    async logout(params?: { redirectPath?: string }) {
      try {
        await api("/api/v1/auth/logout", { method: "POST" });
      } catch (error) {
        // Already signed out (401) is what we wanted; anything else is worth telling.
        if (!(error instanceof ApiError && error.status === 401)) {
          return { success: false, error: error instanceof Error ? error : new Error(String(error)) };
        }
      }
      // Refine's onError logs out with the return path as redirectPath: the session ended.
      signedOutByUser = !params?.redirectPath;
      options.onSessionChange?.("logout");
      return { success: true, redirectTo: frameworkConfig().loginUrl };
    },

    async check() {
      try {
        await me();
        return { authenticated: true };
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          const redirectTo = signedOutByUser ? frameworkConfig().loginUrl : loginPathReturningTo(currentDeskPath());
          return { authenticated: false, logout: true, redirectTo };
        }
        // The server is down or broken: say so rather than pretend the user signed out.
        return { authenticated: false, error: error instanceof Error ? error : new Error(String(error)) };
      }
    },

    async getIdentity() {
      try {
        return await me();
      } catch {
        return null;
      }
    },

    async getPermissions() {
      try {
        return (await me()).roles;
      } catch {
        return [];
      }
    },

    async onError(error: unknown) {
      const status = error instanceof ApiError ? error.status : (error as { statusCode?: number } | null)?.statusCode;
      if (status === 401) return { logout: true, redirectTo: loginPathReturningTo(currentDeskPath()) };
      // 403 is an answer about one document or DocType, not about the session.
      return {};
    },
  };
}
