/** Deployment settings the server writes into /desk/config.js as window.__FRAMEWORK_CONFIG__. */
export interface FrameworkConfig {
  /** Prefix of every API call: "" for the same origin, or "https://api.example.com". */
  apiBase: string;
  /** Where the Desk is mounted ("/desk"); the router's basename. */
  deskBase: string;
  /** "cookie": HttpOnly session cookie + CSRF header (the only strategy built so far). */
  authStrategy: "cookie";
  /** Path of the login page, relative to deskBase. */
  loginUrl: string;
  /** The realtime WebSocket path (same origin as apiBase). */
  streamPath: string;
  appName: string;
}

declare global {
  interface Window {
    __FRAMEWORK_CONFIG__?: Partial<FrameworkConfig>;
  }
}

const defaults: FrameworkConfig = {
  apiBase: "",
  deskBase: "/desk",
  authStrategy: "cookie",
  loginUrl: "/login",
  streamPath: "/api/v1/stream",
  appName: "Framework M",
};

export function frameworkConfig(): FrameworkConfig {
  const injected = typeof window === "undefined" ? undefined : window.__FRAMEWORK_CONFIG__;
  return { ...defaults, ...(injected ?? {}) };
}
