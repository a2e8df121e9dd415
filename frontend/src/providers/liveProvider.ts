/**
 * Refine's LiveProvider over the realtime stream (docs/realtime.md): ONE WebSocket per tab,
 * opened on the first subscription and closed a while after the last one goes. Refine's
 * channels are "resources/<DocType>" (with params.id for useOne) or "resources/<DocType>/<id>";
 * each becomes a server subscription, reference-counted, and is re-sent after a reconnect.
 */
import type { BaseKey, LiveEvent, LiveProvider } from "@refinedev/core";
import { frameworkConfig } from "../config";

/** What Refine gets for each document event. */
export interface FrameworkLiveEvent extends LiveEvent {
  type: "created" | "updated" | "deleted";
  payload: {
    ids: BaseKey[];
    /** The document as this user's GET returns it; absent for deletes. */
    doc?: Record<string, unknown>;
    /** The document's _version after the change (absent for deletes). */
    version?: number;
    /** The server's event name: doc.created, doc.updated, doc.submitted, ... */
    event: string;
    name?: string | null;
  };
}

interface ServerEvent {
  type: "event";
  event: string;
  doctype: string;
  id: string;
  name?: string | null;
  doc?: Record<string, unknown> & { _version?: number };
}

type ServerMessage =
  | ServerEvent
  | { type: "ready"; user: string }
  | { type: "ping" }
  | { type: "pong" }
  | { type: "ack"; action: string; doctype?: string; id?: string }
  | { type: "error"; code: string; message: string; doctype?: string; id?: string };

export type LiveStatus = "idle" | "connecting" | "open" | "reconnecting" | "closed";

interface Subscriber {
  doctype: string;
  /** Only events of this document; undefined = every document of the DocType. */
  id?: string;
  types: string[];
  callback: (event: LiveEvent) => void;
}

/** The minimum of the browser's WebSocket this module uses (a fake one in unit tests). */
export interface SocketLike {
  readyState: number;
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface LiveOptions {
  url?: string;
  createSocket?: (url: string) => SocketLike;
  /** First reconnect delay; doubles up to maxDelayMs, with +-20% jitter. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** How long the socket stays open after the last unsubscribe (navigation churn). */
  idleCloseMs?: number;
  random?: () => number;
  onStatusChange?: (status: LiveStatus) => void;
}

const OPEN = 1;
/** Close codes after which reconnecting cannot help (not signed in, foreign origin). */
const FINAL_CLOSE_CODES = new Set([4401, 4403]);

export function streamUrl(): string {
  const { apiBase, streamPath } = frameworkConfig();
  if (apiBase) return `${apiBase.replace(/^http/i, "ws").replace(/\/$/, "")}${streamPath}`;
  const { protocol, host } = window.location;
  return `${protocol === "https:" ? "wss" : "ws"}://${host}${streamPath}`;
}

const EVENT_TYPES: Record<string, FrameworkLiveEvent["type"]> = {
  "doc.created": "created",
  "doc.updated": "updated",
  "doc.submitted": "updated",
  "doc.cancelled": "updated",
  "doc.deleted": "deleted",
};

/** "resources/Ticket" -> {doctype}; "resources/Ticket/<id>" -> {doctype, id}. */
export function parseChannel(channel: string): { doctype: string; id?: string } | null {
  const match = /^resources\/([^/]+)(?:\/(.+))?$/.exec(channel);
  if (!match) return null;
  return match[2] ? { doctype: match[1], id: match[2] } : { doctype: match[1] };
}

function serverKey(doctype: string, id?: string): string {
  return id === undefined ? doctype : `${doctype}\u0000${id}`;
}

/** The shared connection; LiveProvider is a thin face over it. */
export class LiveConnection {
  private socket: SocketLike | null = null;
  private readonly subscribers = new Set<Subscriber>();
  /** Server subscriptions by key, with how many subscribers need each. */
  private readonly serverSubs = new Map<string, { doctype: string; id?: string; count: number }>();
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private hadConnection = false;
  /** Events seen lately: a document subscribed both alone and by DocType arrives once. */
  private readonly recent: string[] = [];
  private status: LiveStatus = "idle";
  private readonly options: Required<Omit<LiveOptions, "url" | "onStatusChange">> & Pick<LiveOptions, "url" | "onStatusChange">;

  constructor(options: LiveOptions = {}) {
    this.options = {
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      initialDelayMs: 1000,
      maxDelayMs: 30_000,
      idleCloseMs: 10_000,
      random: Math.random,
      ...options,
    };
  }

  get currentStatus(): LiveStatus {
    return this.status;
  }

  subscribe(subscriber: Subscriber): Subscriber {
    this.subscribers.add(subscriber);
    this.clearIdleTimer();
    const key = serverKey(subscriber.doctype, subscriber.id);
    const entry = this.serverSubs.get(key);
    if (entry) entry.count += 1;
    else {
      this.serverSubs.set(key, { doctype: subscriber.doctype, id: subscriber.id, count: 1 });
      this.sendSubscription("subscribe", subscriber.doctype, subscriber.id);
    }
    this.ensureSocket();
    return subscriber;
  }

  unsubscribe(subscriber: Subscriber): void {
    if (!this.subscribers.delete(subscriber)) return;
    const key = serverKey(subscriber.doctype, subscriber.id);
    const entry = this.serverSubs.get(key);
    if (entry && --entry.count <= 0) {
      this.serverSubs.delete(key);
      this.sendSubscription("unsubscribe", subscriber.doctype, subscriber.id);
    }
    if (this.subscribers.size === 0) {
      this.clearIdleTimer();
      this.idleTimer = setTimeout(() => this.disconnect(), this.options.idleCloseMs);
    }
  }

  /** Close now and forget every subscription (logout). */
  reset(): void {
    this.subscribers.clear();
    this.serverSubs.clear();
    this.disconnect();
  }

  private setStatus(status: LiveStatus) {
    if (this.status === status) return;
    this.status = status;
    this.options.onStatusChange?.(status);
  }

  private sendSubscription(action: "subscribe" | "unsubscribe", doctype: string, id?: string) {
    if (this.socket?.readyState !== OPEN) return; // sent on open
    this.socket.send(JSON.stringify(id === undefined ? { action, doctype } : { action, doctype, id }));
  }

  private ensureSocket() {
    if (this.socket || this.reconnectTimer) return;
    this.connect();
  }

  private connect() {
    this.reconnectTimer = null;
    this.setStatus(this.hadConnection || this.attempt > 0 ? "reconnecting" : "connecting");
    const socket = this.options.createSocket(this.options.url ?? streamUrl());
    this.socket = socket;
    socket.onopen = () => {
      for (const { doctype, id } of this.serverSubs.values()) this.sendSubscription("subscribe", doctype, id);
    };
    socket.onmessage = (message) => this.handleMessage(message.data);
    socket.onclose = (event) => this.handleClose(socket, event.code);
    socket.onerror = () => {
      // A failed handshake also fires close, which decides what to do.
    };
  }

  private handleMessage(raw: unknown) {
    if (typeof raw !== "string") return;
    let message: ServerMessage;
    try {
      message = JSON.parse(raw) as ServerMessage;
    } catch {
      return;
    }
    switch (message.type) {
      case "ready": {
        const missed = this.hadConnection;
        this.hadConnection = true;
        this.attempt = 0;
        this.setStatus("open");
        // Events sent while we were away are lost: tell every subscriber to refetch.
        if (missed) this.announceGap();
        break;
      }
      case "ping":
        this.socket?.send(JSON.stringify({ action: "pong" }));
        break;
      case "event":
        this.dispatch(message);
        break;
      case "error":
        // A refused subscription (permission_denied, not_found): Refine simply gets no events.
        if (import.meta.env.DEV) console.warn(`realtime: ${message.code}: ${message.message}`);
        break;
      default:
        break;
    }
  }

  private announceGap() {
    const date = new Date();
    for (const subscriber of [...this.subscribers]) {
      subscriber.callback({
        channel: `resources/${subscriber.doctype}`,
        type: "*",
        payload: { ids: subscriber.id ? [subscriber.id] : [], reconnected: true },
        date,
      });
    }
  }

  private dispatch(message: ServerEvent) {
    const type = EVENT_TYPES[message.event];
    if (!type) return;
    const version = typeof message.doc?._version === "number" ? message.doc._version : undefined;
    const key = `${message.event}|${message.doctype}|${message.id}|${version ?? ""}`;
    if (this.recent.includes(key)) return;
    this.recent.push(key);
    if (this.recent.length > 64) this.recent.shift();
    const event: FrameworkLiveEvent = {
      channel: `resources/${message.doctype}`,
      type,
      payload: { ids: [message.id], doc: message.doc, version, event: message.event, name: message.name },
      date: new Date(),
    };
    for (const subscriber of [...this.subscribers]) {
      if (subscriber.doctype !== message.doctype) continue;
      if (subscriber.id !== undefined && subscriber.id !== message.id) continue;
      if (!subscriber.types.includes("*") && !subscriber.types.includes(type)) continue;
      subscriber.callback(event);
    }
  }

  private handleClose(socket: SocketLike, code: number) {
    if (this.socket !== socket) return; // an old socket we already replaced or closed
    this.socket = null;
    if (FINAL_CLOSE_CODES.has(code) || this.subscribers.size === 0) {
      this.setStatus("closed");
      return;
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect() {
    const { initialDelayMs, maxDelayMs, random } = this.options;
    const base = Math.min(maxDelayMs, initialDelayMs * 2 ** this.attempt);
    const delay = Math.round(base * (0.8 + 0.4 * random()));
    this.attempt += 1;
    this.setStatus("reconnecting");
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private clearIdleTimer() {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private disconnect() {
    this.clearIdleTimer();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const socket = this.socket;
    this.socket = null;
    this.attempt = 0;
    this.hadConnection = false;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.close(1000, "no subscriptions");
    }
    this.setStatus("idle");
  }
}

export interface FrameworkLiveProvider extends LiveProvider {
  connection: LiveConnection;
}

export function createLiveProvider(options: LiveOptions = {}): FrameworkLiveProvider {
  const connection = new LiveConnection(options);
  return {
    connection,
    subscribe({ channel, types, callback, params }) {
      const parsed = parseChannel(channel);
      if (!parsed) return null;
      // useOne subscribes on the DocType channel with the id in params: watch that document.
      const id = parsed.id ?? (params?.subscriptionType === "useOne" && params.id !== undefined ? String(params.id) : undefined);
      return connection.subscribe({ doctype: parsed.doctype, id, types: types.length ? types : ["*"], callback });
    },
    unsubscribe(subscription: Subscriber | null) {
      if (subscription) connection.unsubscribe(subscription);
    },
  };
}

export const liveProvider = createLiveProvider();
