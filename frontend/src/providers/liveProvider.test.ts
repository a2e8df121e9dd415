import type { LiveEvent } from "@refinedev/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLiveProvider, parseChannel, streamUrl, type SocketLike } from "./liveProvider";

/** Stands in for the browser's WebSocket: records what is sent, lets the test play the server. */
class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  closedWith: number | null = null;
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    if (this.readyState !== 1) throw new Error("send before open");
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(code = 1000) {
    this.closedWith = code;
    this.readyState = 3;
  }
  // The server's side:
  open() {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
    this.push({ type: "ready", user: "u1", ping_interval: 25 });
  }
  push(message: object) {
    this.onmessage?.(new MessageEvent("message", { data: JSON.stringify(message) }));
  }
  drop(code: number) {
    this.readyState = 3;
    this.onclose?.(new CloseEvent("close", { code }));
  }
  subscriptions() {
    return this.sent.filter((m) => m.action === "subscribe" || m.action === "unsubscribe");
  }
}

function makeProvider() {
  const statuses: string[] = [];
  const provider = createLiveProvider({
    url: "ws://desk.test/api/v1/stream",
    createSocket: (url) => new FakeSocket(url),
    initialDelayMs: 1000,
    maxDelayMs: 8000,
    idleCloseMs: 5000,
    random: () => 0.5, // no jitter: delays are exactly 1s, 2s, 4s, 8s
    onStatusChange: (s) => statuses.push(s),
  });
  return { provider, statuses };
}

const updated = (id: string, version: number, doctype = "Ticket") => ({
  type: "event",
  event: "doc.updated",
  doctype,
  id,
  name: `TKT-${id}`,
  doc: { id, subject: "Printer", _version: version, modified_by: "u2" },
});

beforeEach(() => {
  FakeSocket.all = [];
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("liveProvider", () => {
  it("opens one socket for several channels and subscribes per DocType and per document", () => {
    const { provider } = makeProvider();
    provider.subscribe({ channel: "resources/Ticket", types: ["*"], callback: vi.fn() });
    provider.subscribe({ channel: "resources/Customer", types: ["*"], callback: vi.fn() });
    provider.subscribe({ channel: "resources/Ticket", types: ["*"], callback: vi.fn(), params: { subscriptionType: "useOne", id: "t1", ids: ["t1"] } });
    provider.subscribe({ channel: "resources/Ticket/t2", types: ["*"], callback: vi.fn() });
    expect(FakeSocket.all).toHaveLength(1);
    const socket = FakeSocket.all[0];
    expect(socket.url).toBe("ws://desk.test/api/v1/stream");
    socket.open();
    expect(socket.subscriptions()).toEqual([
      { action: "subscribe", doctype: "Ticket" },
      { action: "subscribe", doctype: "Customer" },
      { action: "subscribe", doctype: "Ticket", id: "t1" },
      { action: "subscribe", doctype: "Ticket", id: "t2" },
    ]);
  });

  it("delivers events as LiveEvent {channel, type, payload: {ids, doc, version}}", () => {
    const { provider } = makeProvider();
    const all = vi.fn<(e: LiveEvent) => void>();
    const onlyT1 = vi.fn<(e: LiveEvent) => void>();
    const onlyDeletes = vi.fn<(e: LiveEvent) => void>();
    const customers = vi.fn<(e: LiveEvent) => void>();
    provider.subscribe({ channel: "resources/Ticket", types: ["*"], callback: all });
    provider.subscribe({ channel: "resources/Ticket/t1", types: ["*"], callback: onlyT1 });
    provider.subscribe({ channel: "resources/Ticket", types: ["deleted"], callback: onlyDeletes });
    provider.subscribe({ channel: "resources/Customer", types: ["*"], callback: customers });
    const socket = FakeSocket.all[0];
    socket.open();

    socket.push(updated("t1", 3));
    socket.push(updated("t2", 7));
    socket.push({ type: "event", event: "doc.deleted", doctype: "Ticket", id: "t2", name: "TKT-t2" });

    expect(all).toHaveBeenCalledTimes(3);
    expect(all.mock.calls[0][0]).toMatchObject({
      channel: "resources/Ticket",
      type: "updated",
      payload: { ids: ["t1"], version: 3, event: "doc.updated", doc: { subject: "Printer", modified_by: "u2" } },
    });
    expect(all.mock.calls[0][0].date).toBeInstanceOf(Date);
    expect(onlyT1).toHaveBeenCalledTimes(1);
    expect(onlyDeletes).toHaveBeenCalledTimes(1);
    expect(onlyDeletes.mock.calls[0][0]).toMatchObject({ type: "deleted", payload: { ids: ["t2"], doc: undefined } });
    expect(customers).not.toHaveBeenCalled();
  });

  it("maps created/submitted/cancelled and ignores unknown messages", () => {
    const { provider } = makeProvider();
    const callback = vi.fn<(e: LiveEvent) => void>();
    provider.subscribe({ channel: "resources/Ticket", types: ["*"], callback });
    const socket = FakeSocket.all[0];
    socket.open();
    socket.push({ ...updated("t1", 1), event: "doc.created" });
    socket.push({ ...updated("t1", 2), event: "doc.submitted" });
    socket.push({ ...updated("t1", 3), event: "doc.something_new" });
    socket.push({ type: "message", topic: "news", data: {} });
    socket.onmessage?.(new MessageEvent("message", { data: "not json" }));
    expect(callback.mock.calls.map(([e]) => [e.type, e.payload.event])).toEqual([
      ["created", "doc.created"],
      ["updated", "doc.submitted"],
    ]);
  });

  it("delivers an event once even when the document is subscribed alone and by DocType", () => {
    const { provider } = makeProvider();
    const callback = vi.fn();
    provider.subscribe({ channel: "resources/Ticket", types: ["*"], callback });
    provider.subscribe({ channel: "resources/Ticket/t1", types: ["*"], callback: vi.fn() });
    const socket = FakeSocket.all[0];
    socket.open();
    socket.push(updated("t1", 4)); // the server answers for each of the two subscriptions
    socket.push(updated("t1", 4));
    socket.push(updated("t1", 5));
    expect(callback).toHaveBeenCalledTimes(2);
  });

  it("answers the server's ping", () => {
    const { provider } = makeProvider();
    provider.subscribe({ channel: "resources/Ticket", types: ["*"], callback: vi.fn() });
    const socket = FakeSocket.all[0];
    socket.open();
    socket.push({ type: "ping" });
    expect(socket.sent.at(-1)).toEqual({ action: "pong" });
  });

  it("reference-counts subscriptions: unsubscribes from the server when the last one goes", () => {
    const { provider } = makeProvider();
    const a = provider.subscribe({ channel: "resources/Ticket", types: ["*"], callback: vi.fn() });
    const b = provider.subscribe({ channel: "resources/Ticket", types: ["*"], callback: vi.fn() });
    const socket = FakeSocket.all[0];
    socket.open();
    provider.unsubscribe(a);
    expect(socket.subscriptions()).toEqual([{ action: "subscribe", doctype: "Ticket" }]);
    provider.unsubscribe(b);
    expect(socket.subscriptions()).toEqual([
      { action: "subscribe", doctype: "Ticket" },
      { action: "unsubscribe", doctype: "Ticket" },
    ]);
    provider.unsubscribe(b); // twice is harmless
    expect(socket.subscriptions()).toHaveLength(2);
  });

  it("closes the socket a while after the last subscriber leaves, and reopens on demand", () => {
    const { provider } = makeProvider();
    const a = provider.subscribe({ channel: "resources/Ticket", types: ["*"], callback: vi.fn() });
    FakeSocket.all[0].open();
    provider.unsubscribe(a);
    vi.advanceTimersByTime(4000);
    // Navigating to another page within the grace period reuses the socket.
    const b = provider.subscribe({ channel: "resources/Customer", types: ["*"], callback: vi.fn() });
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.all[0].closedWith).toBeNull();
    provider.unsubscribe(b);
    vi.advanceTimersByTime(5000);
    expect(FakeSocket.all[0].closedWith).toBe(1000);
    provider.subscribe({ channel: "resources/Ticket", types: ["*"], callback: vi.fn() });
    expect(FakeSocket.all).toHaveLength(2);
  });

  it("reconnects with growing delays, re-subscribes, and asks subscribers to refetch what they missed", () => {
    const { provider, statuses } = makeProvider();
    const callback = vi.fn<(e: LiveEvent) => void>();
    provider.subscribe({ channel: "resources/Ticket", types: ["*"], callback });
    provider.subscribe({ channel: "resources/Ticket/t9", types: ["*"], callback: vi.fn() });
    FakeSocket.all[0].open();
    FakeSocket.all[0].drop(1006);
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(999);
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(2); // after 1 s
    FakeSocket.all[1].drop(1006); // the server is still down
    vi.advanceTimersByTime(1999);
    expect(FakeSocket.all).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(3); // after 2 s more
    FakeSocket.all[2].drop(1006);
    vi.advanceTimersByTime(4000);
    expect(FakeSocket.all).toHaveLength(4); // after 4 s more
    const socket = FakeSocket.all[3];
    socket.open();
    expect(socket.subscriptions()).toEqual([
      { action: "subscribe", doctype: "Ticket" },
      { action: "subscribe", doctype: "Ticket", id: "t9" },
    ]);
    expect(callback).toHaveBeenCalledWith(expect.objectContaining({ channel: "resources/Ticket", type: "*", payload: expect.objectContaining({ reconnected: true }) }));
    expect(statuses).toEqual(["connecting", "open", "reconnecting", "open"]);
    // A successful connection resets the delay to 1 s.
    socket.drop(1006);
    vi.advanceTimersByTime(1000);
    expect(FakeSocket.all).toHaveLength(5);
  });

  it("caps the delay", () => {
    const { provider } = makeProvider();
    provider.subscribe({ channel: "resources/Ticket", types: ["*"], callback: vi.fn() });
    for (let i = 0; i < 6; i++) {
      FakeSocket.all.at(-1)!.drop(1006);
      vi.advanceTimersByTime(8000);
    }
    expect(FakeSocket.all).toHaveLength(7); // 1, 2, 4, 8, 8, 8 s: each within 8 s
  });

  it("does not reconnect after 4401 (signed out) until something subscribes again", () => {
    const { provider, statuses } = makeProvider();
    provider.subscribe({ channel: "resources/Ticket", types: ["*"], callback: vi.fn() });
    FakeSocket.all[0].drop(4401);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(statuses.at(-1)).toBe("closed");
    provider.subscribe({ channel: "resources/Customer", types: ["*"], callback: vi.fn() });
    expect(FakeSocket.all).toHaveLength(2);
  });

  it("reset() closes and forgets everything (logout)", () => {
    const { provider } = makeProvider();
    const callback = vi.fn();
    provider.subscribe({ channel: "resources/Ticket", types: ["*"], callback });
    const socket = FakeSocket.all[0];
    socket.open();
    provider.connection.reset();
    expect(socket.closedWith).toBe(1000);
    socket.push(updated("t1", 1));
    expect(callback).not.toHaveBeenCalled();
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
  });

  it("ignores channels that are not resources", () => {
    const { provider } = makeProvider();
    expect(provider.subscribe({ channel: "notifications", types: ["*"], callback: vi.fn() })).toBeNull();
    expect(FakeSocket.all).toHaveLength(0);
    provider.unsubscribe(null);
  });
});

describe("helpers", () => {
  it("parses channels", () => {
    expect(parseChannel("resources/Ticket")).toEqual({ doctype: "Ticket" });
    expect(parseChannel("resources/Ticket/abc")).toEqual({ doctype: "Ticket", id: "abc" });
    expect(parseChannel("other/Ticket")).toBeNull();
  });

  it("builds the stream URL from the page's origin, or from apiBase", () => {
    expect(streamUrl()).toBe(`ws://${window.location.host}/api/v1/stream`);
    window.__FRAMEWORK_CONFIG__ = { apiBase: "https://api.example.com" };
    try {
      expect(streamUrl()).toBe("wss://api.example.com/api/v1/stream");
    } finally {
      delete window.__FRAMEWORK_CONFIG__;
    }
  });
});
