import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/http";
import { createAuthProvider, loginPathReturningTo, safeReturnPath } from "./authProvider";
import { installFakeFetch, type FakeFetch } from "./testing/fakeFetch";

let fake: FakeFetch;
const user = { id: "u1", email: "ada@example.com", name: "Ada Admin", roles: ["System Manager"], teams: [], tenants: [], attributes: {}, auth_method: "session" };

beforeEach(() => {
  fake = installFakeFetch();
  document.cookie = "fm_csrf=tok-9; path=/";
  window.history.replaceState(null, "", "/desk/app/Ticket?page=2");
});
afterEach(() => {
  fake.restore();
  document.cookie = "fm_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/";
});

describe("login", () => {
  it("posts the credentials and goes where it was asked", async () => {
    const onSessionChange = vi.fn();
    const auth = createAuthProvider({ onSessionChange });
    fake.reply({ user, csrf_token: "tok" });
    const result = await auth.login({ email: "ada@example.com", password: "pw", redirectTo: "/app/Ticket" });
    expect(result).toEqual({ success: true, redirectTo: "/app/Ticket" });
    expect(fake.requests[0]).toMatchObject({ method: "POST", path: "/api/v1/auth/login", body: { email: "ada@example.com", password: "pw" } });
    expect(onSessionChange).toHaveBeenCalledWith("login");
  });

  it("never redirects off the Desk after login", async () => {
    const auth = createAuthProvider();
    fake.reply({ user });
    expect((await auth.login({ email: "a", password: "b", redirectTo: "//evil.example/x" })).redirectTo).toBe("/app");
  });

  it("reports wrong credentials and rate limiting in words", async () => {
    const onSessionChange = vi.fn();
    const auth = createAuthProvider({ onSessionChange });
    fake.replyError(401, "not_authenticated", "Invalid credentials");
    fake.replyError(429, "rate_limited", "Too many");
    const wrong = await auth.login({ email: "a", password: "b" });
    expect(wrong.success).toBe(false);
    expect(wrong.error?.message).toBe("Wrong email or password.");
    const limited = await auth.login({ email: "a", password: "b" });
    expect(limited.error?.message).toMatch(/Too many attempts/);
    expect(onSessionChange).not.toHaveBeenCalled();
  });
});

describe("logout", () => {
  it("posts logout with the CSRF header and goes to the login page", async () => {
    const onSessionChange = vi.fn();
    const auth = createAuthProvider({ onSessionChange });
    fake.replyEmpty();
    expect(await auth.logout({})).toEqual({ success: true, redirectTo: "/login" });
    expect(fake.requests[0]).toMatchObject({ method: "POST", path: "/api/v1/auth/logout" });
    expect(fake.requests[0].headers["x-csrf-token"]).toBe("tok-9");
    expect(onSessionChange).toHaveBeenCalledWith("logout");
  });

  it("treats an already-ended session as logged out, but reports other failures", async () => {
    const auth = createAuthProvider();
    fake.replyError(401, "not_authenticated", "No session");
    expect((await auth.logout({})).success).toBe(true);
    fake.replyError(403, "csrf_failed", "Missing or wrong X-CSRF-Token header");
    const failed = await auth.logout({});
    expect(failed.success).toBe(false);
    expect(failed.error?.message).toMatch(/CSRF/);
  });
});

describe("check, identity, permissions", () => {
  it("is authenticated when /auth/me answers", async () => {
    const auth = createAuthProvider();
    fake.reply(user);
    expect(await auth.check()).toEqual({ authenticated: true });
    expect(fake.requests[0].path).toBe("/api/v1/auth/me");
  });

  it("sends a signed-out user to the login page keeping the path they were on", async () => {
    const auth = createAuthProvider();
    fake.replyError(401, "not_authenticated", "Not authenticated");
    expect(await auth.check()).toEqual({
      authenticated: false,
      logout: true,
      redirectTo: `/login?to=${encodeURIComponent("/app/Ticket?page=2")}`,
    });
  });

  it("does not call a server outage a logout", async () => {
    const auth = createAuthProvider();
    fake.replyError(503, "unavailable", "Down for maintenance");
    const result = await auth.check();
    expect(result.authenticated).toBe(false);
    expect(result.redirectTo).toBeUndefined();
    expect(result.error?.message).toBe("Down for maintenance");
  });

  it("shares one /auth/me request between check and getIdentity; identity has a display name", async () => {
    const auth = createAuthProvider();
    fake.reply({ ...user, name: null });
    const [checked, identity] = await Promise.all([auth.check(), auth.getIdentity!()]);
    expect(fake.requests).toHaveLength(1);
    expect(checked.authenticated).toBe(true);
    expect(identity).toMatchObject({ id: "u1", displayName: "ada@example.com" });
    fake.reply(user);
    expect(await auth.getPermissions!()).toEqual(["System Manager"]);
    fake.replyError(401, "not_authenticated", "no");
    expect(await auth.getIdentity!()).toBeNull();
  });
});

describe("onError", () => {
  it("logs out on 401 with the return path; 403 and 404 keep the session", async () => {
    const auth = createAuthProvider();
    expect(await auth.onError(new ApiError(401, "not_authenticated", "Session expired"))).toEqual({
      logout: true,
      redirectTo: `/login?to=${encodeURIComponent("/app/Ticket?page=2")}`,
    });
    expect(await auth.onError({ statusCode: 401, message: "x" })).toMatchObject({ logout: true });
    expect(await auth.onError(new ApiError(403, "permission_denied", "No"))).toEqual({});
    expect(await auth.onError(new ApiError(404, "not_found", "Gone"))).toEqual({});
  });
});

describe("return paths", () => {
  it("accepts Desk paths only", () => {
    expect(safeReturnPath("/app/Ticket/1")).toBe("/app/Ticket/1");
    expect(safeReturnPath("https://evil.example")).toBe("/app");
    expect(safeReturnPath("//evil.example")).toBe("/app");
    expect(safeReturnPath("/\\evil.example")).toBe("/app");
    expect(safeReturnPath("/login?to=/app")).toBe("/app");
    expect(safeReturnPath(null)).toBe("/app");
  });

  it("leaves the login URL plain when the return path is the home page", () => {
    expect(loginPathReturningTo("/app")).toBe("/login");
    expect(loginPathReturningTo("/app/Customer")).toBe("/login?to=%2Fapp%2FCustomer");
  });
});

describe("after logout", () => {
  it("check sends to the plain login page after a deliberate logout, with the path after an expiry", async () => {
    const auth = createAuthProvider();
    fake.replyEmpty();
    await auth.logout({});
    fake.replyError(401, "not_authenticated", "no");
    expect((await auth.check()).redirectTo).toBe("/login");
    fake.replyEmpty();
    await auth.logout({ redirectPath: "/login?to=%2Fapp%2FTicket" }); // Refine's onError flow
    fake.replyError(401, "not_authenticated", "no");
    expect((await auth.check()).redirectTo).toBe(`/login?to=${encodeURIComponent("/app/Ticket?page=2")}`);
    fake.reply({ user });
    await auth.login({ email: "a", password: "b" });
    fake.replyError(401, "not_authenticated", "no");
    expect((await auth.check()).redirectTo).toMatch(/\?to=/);
  });
});
