import mqtt from 'mqtt';
import type { IClientOptions, IConnackPacket, IDisconnectPacket, IPublishPacket, ISubscriptionMap, MqttClient, Packet } from 'mqtt';
import {
  AbortedError,
  LoginError,
  type LoginErrorKind,
  NotLoggedInError,
  OutboxFullError,
  RtmError,
  RtmTimeoutError,
  refusal,
  rpcError,
} from './errors.js';
import { Emitter } from './emitter.js';
import { topics, utf8, text } from './topics.js';
import type { ConnectionChangeReason, ConnectionState, RtmClientOptions, RtmEvents } from './types.js';

/** The PUBACK of a QoS 1 publish (or a stand-in for QoS 0). */
export interface PubAck {
  reasonCode: number;
  status?: string;
  messageId: string;
  reasonString?: string;
  user: Record<string, string>;
}

export interface PublishSpec {
  topic: string;
  payload: string | Uint8Array;
  qos?: 0 | 1;
  retain?: boolean;
  user?: Record<string, string>;
  expiry?: number;
  responseTopic?: string;
  correlationData?: Uint8Array;
}

export interface OpOptions {
  timeout: number;
  signal?: AbortSignal;
  /** Send again after a lost connection (default true). */
  retry?: boolean;
  /** Whether a `conflict` on a repeat means the first attempt went through (call actions). */
  conflictIsSuccessOnRetry?: boolean;
}

type SubackLike = { granted?: (number | object)[]; properties?: { reasonString?: string } };

/** SUBACK reason codes, one per filter, with the SUBACK's reason string. */
export type SubackCodes = number[] & { reasonString?: string };

function subscriptionMap(subs: Sub[]): ISubscriptionMap {
  const m: ISubscriptionMap = {};
  for (const s of subs) m[s.topic] = { qos: s.qos, nl: !!s.nl };
  return m;
}

export interface Sub {
  topic: string;
  qos: 0 | 1;
  nl?: boolean;
}

type Kind = 'pub' | 'sub' | 'unsub';

interface Op {
  seq: number;
  kind: Kind;
  pub?: PublishSpec;
  subs?: Sub[];
  unsubs?: string[];
  retry: boolean;
  conflictIsSuccessOnRetry: boolean;
  attempts: number;
  sent: boolean;
  done: boolean;
  /** Takes the answer (PubAck, or the SUBACK/UNSUBACK reason codes). */
  answer: (a: PubAck | number[]) => void;
  fail: (e: unknown) => void;
}

type Attempt =
  | { ok: true; conn: MqttClient; connack: IConnackPacket }
  | { ok: false; refused: true; code: number; reasonString?: string }
  | { ok: false; refused: false; error?: Error };

const LOGIN_REFUSALS: Record<number, LoginErrorKind> = {
  0x85: 'INVALID_UID',
  0x86: 'BAD_TOKEN',
  0x87: 'TOKEN_EXPIRED',
  0x8a: 'BANNED',
};
const UNAVAILABLE = new Set([0x88, 0x89, 0x9f]);

/** The connection closed during its set-up: try again, as for a failed connection attempt. */
class ConnectionLost extends Error {}

/** Remembers the last n ids, to drop what the server delivers again after a reconnect. */
class IdMemory {
  private readonly set = new Set<string>();
  constructor(private readonly size: number) {}
  /** True the first time an id is seen. */
  add(id: string | undefined): boolean {
    if (!id) return true;
    if (this.set.has(id)) return false;
    this.set.add(id);
    if (this.set.size > this.size) this.set.delete(this.set.values().next().value as string);
    return true;
  }
}

/**
 * The client's engine: one MQTT connection at a time, the connection state machine, the outbox and the
 * incoming dispatch. Each connection attempt uses a fresh MQTT.js client with its own reconnect turned off: the
 * engine decides when to reconnect (back-off, token renewal) and resends what was unanswered, with the same `rtm-cid`.
 */
export class Engine extends Emitter<RtmEvents> {
  readonly uid: string;
  readonly options: Required<Omit<RtmClientOptions, 'token' | 'tokenSupplier' | 'mqtt' | 'reconnectBackoff'>> & {
    backoff: { initial: number; max: number; jitter: number };
  };
  private readonly mqttOptions: Partial<IClientOptions>;
  private token?: string;
  private readonly tokenSupplier?: RtmClientOptions['tokenSupplier'];

  state: ConnectionState = 'DISCONNECTED';
  private conn?: MqttClient;
  private wanted = false;
  private loginPromise?: Promise<void>;
  private generation = 0;
  private reconnectTimer?: ReturnType<typeof setTimeout>;
  private serverDisconnect?: IDisconnectPacket;

  private seq = 0;
  private queue: Op[] = [];
  private readonly inflight = new Set<Op>();
  private inflightPubs = 0;
  private sendQuota = 10;
  private unfinished = 0;
  private readonly pubacks = new Map<number, PubAck>();

  private readonly rpcWaiters = new Map<string, { resolve: (v: unknown) => void; reject: (e: unknown) => void; lost: () => void }>();
  private rpcSeq = 0;
  private readonly prefix = Math.random().toString(36).slice(2, 10);
  private cidSeq = 0;

  readonly messages: IdMemory;
  readonly events: IdMemory;

  /** Subscriptions to make again on a fresh session, in order; set by the feature modules. */
  restore: () => Sub[] = () => [];
  /** Told which restored subscriptions the server refused (index into restore()'s list, error). */
  restoreRefused: (sub: Sub, error: RtmError) => void = () => {};
  /** Called after every (re)connection on a fresh session, once CONNECTED. */
  afterFreshSession: () => void = () => {};
  /** Incoming publishes, after the engine's own (RPC replies). */
  dispatch: (topic: string, payload: Uint8Array, packet: IPublishPacket) => void = () => {};
  /** Told when the session ends for good (logout, abort). */
  sessionEnded: () => void = () => {};

  constructor(o: RtmClientOptions) {
    super();
    if (!o || typeof o.url !== 'string' || !o.url) throw new TypeError(`url must be a broker URL such as ws://host:8000/mqtt, but was ${o?.url}`);
    this.uid = o.uid;
    if (o.token === undefined && o.tokenSupplier === undefined) throw new TypeError('one of token or tokenSupplier is required, but neither was given');
    this.token = o.token;
    this.tokenSupplier = o.tokenSupplier;
    this.mqttOptions = o.mqtt ?? {};
    const ms = (name: string, v: number | undefined, dflt: number, min = 1): number => {
      if (v === undefined) return dflt;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new TypeError(`${name} must be a number of at least ${min}, but was ${v}`);
      return v;
    };
    const b = o.reconnectBackoff ?? {};
    this.options = {
      url: o.url,
      uid: o.uid,
      sendTimeout: ms('sendTimeout', o.sendTimeout, 10_000),
      requestTimeout: ms('requestTimeout', o.requestTimeout, 10_000),
      loginTimeout: ms('loginTimeout', o.loginTimeout, 15_000),
      connectTimeout: ms('connectTimeout', o.connectTimeout, 10_000),
      keepAlive: ms('keepAlive', o.keepAlive, 30, 0),
      sessionExpiry: ms('sessionExpiry', o.sessionExpiry, 3600, 0),
      outboxCapacity: ms('outboxCapacity', o.outboxCapacity, 1000),
      receiveMaximum: ms('receiveMaximum', o.receiveMaximum, 100),
      duplicateMemory: ms('duplicateMemory', o.duplicateMemory, 1024),
      backoff: {
        initial: ms('reconnectBackoff.initial', b.initial, 500),
        max: ms('reconnectBackoff.max', b.max, 30_000),
        jitter: b.jitter === undefined ? 0.5 : Math.min(1, Math.max(0, b.jitter)),
      },
    };
    this.messages = new IdMemory(this.options.duplicateMemory);
    this.events = new IdMemory(this.options.duplicateMemory);
  }

  // ---------------------------------------------------------------- connection

  private setState(state: ConnectionState, reason: ConnectionChangeReason, extra: { reasonCode?: number; reasonString?: string; sessionResumed?: boolean } = {}): void {
    this.state = state;
    this.emit('connectionStateChanged', { state, reason, ...extra });
  }

  renewToken(token: string): void {
    this.token = token;
    if (this.state === 'RECONNECTING' && this.reconnectTimer) {
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = undefined;
      void this.reconnect(1, this.generation);
    }
  }

  private async currentToken(refresh: boolean): Promise<string> {
    if (this.tokenSupplier && (refresh || this.token === undefined)) {
      this.token = await this.tokenSupplier(this.uid);
    }
    if (this.token === undefined) throw new Error('no token');
    return this.token;
  }

  login(): Promise<void> {
    if (this.loginPromise) return this.loginPromise;
    if (this.state === 'CONNECTED' || this.state === 'RECONNECTING') return Promise.resolve();
    this.wanted = true;
    const gen = ++this.generation;
    this.setState('CONNECTING', 'LOGIN');
    this.loginPromise = this.loginLoop(gen).finally(() => {
      this.loginPromise = undefined;
    });
    return this.loginPromise;
  }

  private async loginLoop(gen: number): Promise<void> {
    const deadline = Date.now() + this.options.loginTimeout;
    let attempt = 0;
    let last: LoginError | undefined;
    let refreshed = false;
    while (true) {
      if (gen !== this.generation) throw new LoginError('CANCELED', 'logout() was called during the login');
      let token: string;
      try {
        token = await this.currentToken(false);
      } catch (e) {
        return this.loginFailed(new LoginError('NO_TOKEN', `the token supplier failed: ${(e as Error)?.message ?? e}`));
      }
      const r = await this.attempt(token, Math.max(1, Math.min(this.options.connectTimeout, deadline - Date.now())));
      if (gen !== this.generation) {
        if (r.ok) r.conn.end(true);
        throw new LoginError('CANCELED', 'logout() was called during the login');
      }
      if (r.ok) {
        let lost: Error | undefined;
        try {
          await this.setUp(r.conn, r.connack, true);
        } catch (e) {
          if (this.conn === r.conn) this.conn = undefined;
          r.conn.end(true);
          if (!(e instanceof ConnectionLost)) return this.loginFailed(e instanceof LoginError ? e : new LoginError('SUBSCRIPTION_REFUSED', String(e)));
          lost = e;
        }
        if (gen !== this.generation) {
          r.conn.end(true);
          throw new LoginError('CANCELED', 'logout() was called during the login');
        }
        if (!lost) {
          this.setState('CONNECTED', 'LOGIN_SUCCESS', { sessionResumed: !!r.connack.sessionPresent });
          this.pump();
          return;
        }
        last = new LoginError('UNREACHABLE', `cannot connect to ${this.options.url}: ${lost.message}`);
      } else if (r.refused) {
        const kind = LOGIN_REFUSALS[r.code];
        const message = `the server refused the login: ${r.reasonString ?? 'CONNACK reason code'} [CONNACK 0x${r.code.toString(16)}]`;
        if ((kind === 'BAD_TOKEN' || kind === 'TOKEN_EXPIRED') && this.tokenSupplier && !refreshed) {
          refreshed = true;
          this.token = undefined;
          continue;
        }
        if (!UNAVAILABLE.has(r.code)) return this.loginFailed(new LoginError(kind ?? 'REFUSED', message, r.code, r.reasonString));
        last = new LoginError('SERVER_UNAVAILABLE', message, r.code, r.reasonString);
      } else {
        last = new LoginError('UNREACHABLE', `cannot connect to ${this.options.url}: ${r.error?.message ?? 'the connection closed'}`);
      }
      const wait = this.backoff(++attempt);
      if (Date.now() + wait >= deadline) {
        return this.loginFailed(last ?? new LoginError('TIMEOUT', `no login within loginTimeout ${this.options.loginTimeout} ms`));
      }
      await new Promise((res) => setTimeout(res, wait));
    }
  }

  private loginFailed(e: LoginError): never {
    this.wanted = false;
    this.generation++;
    this.setState('DISCONNECTED', 'LOGIN_FAILURE', { reasonCode: e.reasonCode, reasonString: e.reasonString });
    this.failAll(new NotLoggedInError(`login failed: ${e.message}`, 'DISCONNECTED'));
    throw e;
  }

  private backoff(n: number): number {
    const { initial, max, jitter } = this.options.backoff;
    const full = Math.min(max, initial * 2 ** Math.min(30, n - 1));
    return Math.round(full * (1 - jitter * Math.random()));
  }

  /** One connection attempt with a fresh MQTT.js client. */
  private attempt(token: string, connectTimeout: number): Promise<Attempt> {
    return new Promise((resolve) => {
      let settled = false;
      let lastError: Error | undefined;
      const c = mqtt.connect(this.options.url, {
        ...this.mqttOptions,
        clientId: this.uid,
        // the server ignores the user name; MQTT.js sends a password only with one
        username: this.uid,
        password: token,
        protocolVersion: 5,
        clean: false,
        reconnectPeriod: 0,
        resubscribe: false,
        connectTimeout,
        keepalive: this.options.keepAlive,
        properties: {
          sessionExpiryInterval: this.options.sessionExpiry,
          receiveMaximum: this.options.receiveMaximum,
          requestProblemInformation: true,
        },
      });
      c.on('packetreceive', (p: Packet) => {
        if (p.cmd === 'connack' && p.reasonCode && !settled) {
          settled = true;
          resolve({ ok: false, refused: true, code: p.reasonCode, reasonString: p.properties?.reasonString });
          c.end(true);
        } else if (p.cmd === 'puback' && p.messageId !== undefined) {
          this.pubacks.set(p.messageId, pubAck(p.reasonCode ?? 0, p.properties));
        } else if (p.cmd === 'disconnect' && c === this.conn) {
          this.serverDisconnect = p;
        }
      });
      c.on('connect', (connack) => {
        if (settled) return;
        settled = true;
        (c.stream as unknown as { setNoDelay?: (b: boolean) => void })?.setNoDelay?.(true);
        resolve({ ok: true, conn: c, connack });
      });
      c.on('error', (e) => {
        lastError = e;
      });
      c.on('message', (topic, payload, packet) => {
        if (c === this.conn) this.onMessage(topic, payload, packet);
      });
      c.on('close', () => {
        if (!settled) {
          settled = true;
          resolve({ ok: false, refused: false, error: lastError });
        } else if (c === this.conn) {
          this.onClosed(c);
        }
      });
    });
  }

  /** Subscribes the private topics (and, on a fresh session, everything to restore) before anything is sent. */
  private async setUp(c: MqttClient, connack: IConnackPacket, login: boolean): Promise<void> {
    this.conn = c;
    this.serverDisconnect = undefined;
    this.sendQuota = Math.min(connack.properties?.receiveMaximum ?? 65535, 65535);
    const me = this.uid;
    const own: Sub[] = [
      { topic: topics.inboxFilter(me), qos: 1 },
      { topic: topics.event(me), qos: 1 },
      { topic: topics.callFilter(me), qos: 1 },
    ];
    const fresh = !connack.sessionPresent;
    const extra = fresh ? this.restore() : [];
    const codes = await this.rawSubscribe(c, [...own, ...extra]);
    if (this.conn !== c) throw new ConnectionLost('the connection was lost while subscribing');
    for (let i = 0; i < own.length; i++) {
      if (codes[i] >= 0x80) {
        throw new LoginError('SUBSCRIPTION_REFUSED', `the server refused the subscription to ${own[i].topic} [SUBACK 0x${codes[i].toString(16)}]`, codes[i]);
      }
    }
    for (let i = 0; i < extra.length; i++) {
      const code = codes[own.length + i];
      if (code >= 0x80) this.restoreRefused(extra[i], refusal(code, undefined, `the server refused ${extra[i].topic} on a fresh session`, 'SUBACK'));
    }
    if (fresh && !login) queueMicrotask(() => this.afterFreshSession());
  }

  private rawSubscribe(c: MqttClient, subs: Sub[]): Promise<number[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new ConnectionLost(`no SUBACK within requestTimeout ${this.options.requestTimeout} ms`)), this.options.requestTimeout);
      c.once('close', () => reject(new ConnectionLost('the connection was lost while subscribing')));
      c.subscribe(
        subscriptionMap(subs),
        (err, _granted, packet) => {
          clearTimeout(timer);
          const codes = (packet ?? (err as unknown as { packet?: SubackLike })?.packet)?.granted as number[] | undefined;
          if (codes) resolve(codes);
          else reject(new LoginError('SUBSCRIPTION_REFUSED', `the subscription failed: ${err?.message}`));
        },
      );
    });
  }

  private onClosed(c: MqttClient): void {
    if (c !== this.conn) return;
    this.conn = undefined;
    const requeue: Op[] = [];
    for (const op of this.inflight) {
      if (op.done) continue;
      if (op.kind === 'pub' && op.pub!.qos === 0) continue;
      if (op.retry) {
        requeue.push(op);
      } else {
        this.settle(op, () => op.fail(new RtmTimeoutError('the connection was lost after the request was sent: its outcome is unknown (read and decide)', true)));
      }
    }
    this.inflight.clear();
    this.inflightPubs = 0;
    this.pubacks.clear();
    requeue.sort((a, b) => a.seq - b.seq);
    this.queue = requeue.concat(this.queue);
    // requests whose reply was due are sent again (behind the requeued ones: the reply is all that was missing)
    for (const w of [...this.rpcWaiters.values()]) w.lost();
    // lost while being set up: the login or reconnect loop that set it up goes on by itself
    if (!this.wanted || this.state !== 'CONNECTED') return;
    const d = this.serverDisconnect;
    this.serverDisconnect = undefined;
    const code = d?.reasonCode;
    const why = { reasonCode: code, reasonString: d?.properties?.reasonString };
    if (code === 0x8e || code === 0x98 || code === 0x8a) {
      this.abort(code === 0x8e ? 'REMOTE_LOGIN' : code === 0x98 ? 'KICKED' : 'BANNED', why);
      return;
    }
    this.setState('RECONNECTING', 'INTERRUPTED', why);
    const gen = this.generation;
    this.reconnectTimer = setTimeout(() => void this.reconnect(1, gen), this.backoff(1));
  }

  private async reconnect(n: number, gen: number): Promise<void> {
    this.reconnectTimer = undefined;
    if (gen !== this.generation || !this.wanted) return;
    let token: string | undefined;
    try {
      token = await this.currentToken(false);
    } catch {
      token = undefined;
    }
    if (token !== undefined) {
      const r = await this.attempt(token, this.options.connectTimeout);
      if (gen !== this.generation || !this.wanted) {
        if (r.ok) r.conn.end(true);
        return;
      }
      if (r.ok) {
        try {
          await this.setUp(r.conn, r.connack, false);
          this.setState('CONNECTED', 'RECONNECTED', { sessionResumed: !!r.connack.sessionPresent });
          this.pump();
          return;
        } catch {
          if (this.conn === r.conn) this.conn = undefined;
          r.conn.end(true);
        }
      } else if (r.refused) {
        const why = { reasonCode: r.code, reasonString: r.reasonString };
        if (r.code === 0x8a || r.code === 0x85) {
          this.abort('BANNED', why);
          return;
        }
        if (r.code === 0x86 || r.code === 0x87) {
          this.setState('RECONNECTING', 'TOKEN_EXPIRED', why);
          if (this.tokenSupplier) this.token = undefined;
        }
      }
    }
    this.reconnectTimer = setTimeout(() => void this.reconnect(n + 1, gen), this.backoff(n + 1));
  }

  private abort(reason: ConnectionChangeReason, why: { reasonCode?: number; reasonString?: string }): void {
    this.wanted = false;
    this.generation++;
    this.setState('ABORTED', reason, why);
    this.failAll(new NotLoggedInError(`the server ended the session (${reason}): ${why.reasonString ?? ''}`, 'ABORTED'));
    this.sessionEnded();
  }

  async logout(): Promise<void> {
    const wasWanted = this.wanted || this.state !== 'DISCONNECTED';
    this.wanted = false;
    this.generation++;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const c = this.conn;
    this.conn = undefined;
    this.failAll(new NotLoggedInError('logout() was called', 'DISCONNECTED'));
    if (c) {
      // Session Expiry 0 on the DISCONNECT ends the session: what is sent meanwhile waits in the offline cache
      await new Promise<void>((res) => c.end(false, { properties: { sessionExpiryInterval: 0 } }, () => res()));
    }
    this.sessionEnded();
    if (wasWanted && this.state !== 'DISCONNECTED') this.setState('DISCONNECTED', 'LOGOUT');
  }

  private failAll(e: RtmError): void {
    const ops = [...this.queue, ...this.inflight];
    this.queue = [];
    this.inflight.clear();
    this.inflightPubs = 0;
    for (const op of ops) this.settle(op, () => op.fail(e));
    for (const w of [...this.rpcWaiters.values()]) w.reject(e);
    this.rpcWaiters.clear();
  }

  // ---------------------------------------------------------------- outbox

  nextClientMessageId(): string {
    return `${this.prefix}-${(++this.cidSeq).toString(36)}`;
  }

  private settle(op: Op, f: () => void): void {
    if (op.done) return;
    op.done = true;
    this.unfinished--;
    f();
  }

  private submit<T>(kind: Kind, body: Partial<Op>, o: OpOptions, onAnswer: (a: PubAck | number[], op: Op) => T): Promise<T> {
    if (!this.wanted) {
      return Promise.reject(new NotLoggedInError(`not logged in (state ${this.state}): call login() first`, this.state));
    }
    if (this.unfinished >= this.options.outboxCapacity) {
      return Promise.reject(new OutboxFullError('OUTBOX_FULL', `the outbox holds outboxCapacity ${this.options.outboxCapacity} unfinished operations`));
    }
    if (o.signal?.aborted) return Promise.reject(new AbortedError('the operation was aborted before it was sent', false));
    return new Promise<T>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => {
        this.settle(op, () => op.fail(new AbortedError(op.sent ? 'the operation was aborted after it was sent: its outcome is unknown' : 'the operation was aborted before it was sent', op.sent)));
      };
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        o.signal?.removeEventListener('abort', onAbort);
        const i = this.queue.indexOf(op);
        if (i >= 0) this.queue.splice(i, 1);
        this.inflight.delete(op);
      };
      const op: Op = {
        seq: ++this.seq,
        kind,
        retry: o.retry !== false,
        conflictIsSuccessOnRetry: !!o.conflictIsSuccessOnRetry,
        attempts: 0,
        sent: false,
        done: false,
        ...body,
        answer: (a) => {
          this.settle(op, () => {
            cleanup();
            try {
              resolve(onAnswer(a, op));
            } catch (e) {
              reject(e);
            }
          });
        },
        fail: (e) => {
          cleanup();
          reject(e);
        },
      };
      this.unfinished++;
      timer = setTimeout(() => {
        this.settle(op, () => op.fail(new RtmTimeoutError(op.sent ? `no answer within ${o.timeout} ms: the outcome is unknown` : `not sent within ${o.timeout} ms (the client was not connected): nothing happened`, op.sent)));
      }, o.timeout);
      o.signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(op);
      this.pump();
    });
  }

  private pump(): void {
    while (this.conn && this.state === 'CONNECTED' && this.queue.length) {
      const op = this.queue[0];
      const counts = op.kind === 'pub' && op.pub!.qos !== 0;
      if (counts && this.inflightPubs >= this.sendQuota) return;
      this.queue.shift();
      this.transmit(op, this.conn);
    }
  }

  private transmit(op: Op, c: MqttClient): void {
    op.sent = true;
    op.attempts++;
    this.inflight.add(op);
    if (op.kind === 'pub') {
      const p = op.pub!;
      const qos = p.qos ?? 1;
      if (qos === 1) this.inflightPubs++;
      const properties: IPublishPacket['properties'] = {};
      if (p.user && Object.keys(p.user).length) properties.userProperties = p.user;
      if (p.expiry !== undefined) properties.messageExpiryInterval = p.expiry;
      if (p.responseTopic) properties.responseTopic = p.responseTopic;
      if (p.correlationData) properties.correlationData = bytes(p.correlationData) as never;
      c.publish(p.topic, (typeof p.payload === 'string' ? p.payload : bytes(p.payload)) as never, { qos, retain: !!p.retain, properties }, (err, packet) => {
        if (c !== this.conn) return; // the connection is gone: onClosed requeued it
        if (qos === 0) {
          this.inflight.delete(op);
          op.answer({ reasonCode: 0, messageId: '', user: {} });
          return;
        }
        this.inflightPubs--;
        let ack: PubAck | undefined;
        const id = (packet as { messageId?: number } | undefined)?.messageId;
        if (id !== undefined) {
          ack = this.pubacks.get(id);
          this.pubacks.delete(id);
        }
        if (!ack && err) ack = { reasonCode: (err as { code?: number }).code ?? 0x80, messageId: '', user: {}, reasonString: err.message };
        this.inflight.delete(op);
        if (!op.done) op.answer(ack ?? { reasonCode: 0, messageId: '', user: {} });
        this.pump();
      });
    } else if (op.kind === 'sub') {
      c.subscribe(
        subscriptionMap(op.subs!),
        (err, _granted, packet) => {
          if (c !== this.conn) return;
          const p = packet ?? (err as unknown as { packet?: SubackLike })?.packet;
          const codes: SubackCodes = [...((p?.granted as number[] | undefined) ?? op.subs!.map(() => 0x80))];
          codes.reasonString = p?.properties?.reasonString ?? err?.message;
          this.inflight.delete(op);
          if (!op.done) op.answer(codes);
        },
      );
    } else {
      c.unsubscribe(op.unsubs!, {}, (err, packet) => {
        if (c !== this.conn) return;
        void err;
        this.inflight.delete(op);
        if (!op.done) op.answer(((packet as { granted?: number[] } | undefined)?.granted ?? []) as number[]);
      });
    }
  }

  /** Publishes through the outbox; resolves with the PUBACK, rejects with the typed error of a refusal. */
  publish(spec: PublishSpec, o: OpOptions): Promise<PubAck> {
    return this.submit('pub', { pub: spec }, o, (a, op) => {
      const ack = a as PubAck;
      if (ack.reasonCode >= 0x80) {
        if (op.conflictIsSuccessOnRetry && op.attempts > 1 && ack.status === 'conflict') return { ...ack, reasonCode: 0, status: 'delivered' };
        throw refusal(ack.reasonCode, ack.status, ack.reasonString);
      }
      return ack;
    });
  }

  /** Subscribes through the outbox; resolves with the SUBACK reason codes (the caller judges them). */
  subscribe(subs: Sub[], o: OpOptions): Promise<SubackCodes> {
    return this.submit('sub', { subs }, o, (a) => a as SubackCodes);
  }

  unsubscribe(filters: string[], o: OpOptions): Promise<void> {
    return this.submit('unsub', { unsubs: filters }, o, () => undefined);
  }

  /**
   * A request to the server (`rtm/rpc/{method}`), answered on the event topic with the same Correlation Data. The
   * server does not keep replies: a request whose reply was lost with the connection is sent again after the
   * reconnect (with the same Correlation Data), unless `retry` is false, when it fails with TIMEOUT (wasSent).
   */
  rpc<T = unknown>(method: string, body: unknown, o: OpOptions): Promise<T> {
    const corr = `${this.prefix}.${++this.rpcSeq}`;
    const started = Date.now();
    const json = JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      let done = false;
      let awaiting = false; // the request was accepted (PUBACK); its reply is due
      const finish = (f: () => void) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        o.signal?.removeEventListener('abort', onAbort);
        this.rpcWaiters.delete(corr);
        f();
      };
      const timer = setTimeout(
        () => finish(() => reject(new RtmTimeoutError(`no reply to ${method} within ${o.timeout} ms${awaiting ? ': the outcome is unknown' : ''}`, awaiting))),
        o.timeout,
      );
      const onAbort = () => finish(() => reject(new AbortedError(`${method} was aborted${awaiting ? ' after it was sent: its outcome is unknown' : ''}`, awaiting)));
      const send = () => {
        const left = Math.max(1, o.timeout - (Date.now() - started));
        this.publish(
          { topic: topics.rpc(method), payload: json, qos: 1, responseTopic: topics.event(this.uid), correlationData: utf8(corr) },
          { ...o, timeout: left },
        ).then(
          () => {
            awaiting = true;
          },
          (e) => finish(() => reject(e)),
        );
      };
      this.rpcWaiters.set(corr, {
        resolve: (v) => finish(() => resolve(v as T)),
        reject: (e) => finish(() => reject(e)),
        lost: () => {
          if (!awaiting) return; // still in the outbox, which sends it again by itself
          awaiting = false;
          if (o.retry === false) {
            finish(() => reject(new RtmTimeoutError(`the connection was lost before the reply to ${method}: its outcome is unknown (read and decide)`, true)));
          } else {
            send();
          }
        },
      });
      o.signal?.addEventListener('abort', onAbort, { once: true });
      send();
    });
  }

  // ---------------------------------------------------------------- incoming

  private onMessage(topic: string, payload: Uint8Array, packet: IPublishPacket): void {
    const corr = packet.properties?.correlationData;
    if (corr && topic === topics.event(this.uid)) {
      const w = this.rpcWaiters.get(text(corr as unknown as Uint8Array) ?? '');
      if (w) {
        this.rpcWaiters.delete(text(corr as unknown as Uint8Array) ?? '');
        try {
          const reply = JSON.parse(text(payload) ?? '') as { ok: boolean; result?: unknown; error?: { code?: string; message?: string } };
          if (reply.ok) w.resolve(reply.result);
          else w.reject(rpcError(reply.error?.code, reply.error?.message));
        } catch (e) {
          w.reject(new RtmError('UNKNOWN', `the reply was not JSON: ${(e as Error).message}`));
        }
      }
      return;
    }
    this.dispatch(topic, payload, packet);
  }

  /** Public for tests and tools: the MQTT connection in use (undefined while not connected). */
  get connection(): MqttClient | undefined {
    return this.conn;
  }

  emitEvent<K extends keyof RtmEvents>(event: K, ...args: Parameters<RtmEvents[K]>): void {
    this.emit(event, ...args);
  }
}

/** A payload as MQTT.js wants it: Node's Buffer where there is one (Node, MQTT.js's browser build brings its own). */
function bytes(b: Uint8Array): Uint8Array {
  const B = (globalThis as { Buffer?: { from(a: ArrayBuffer, o: number, l: number): Uint8Array } }).Buffer;
  return B ? B.from(b.buffer as ArrayBuffer, b.byteOffset, b.byteLength) : b;
}

function pubAck(reasonCode: number, props: { reasonString?: string; userProperties?: Record<string, string | string[]> } | undefined): PubAck {
  const user: Record<string, string> = {};
  for (const [k, v] of Object.entries(props?.userProperties ?? {})) user[k] = Array.isArray(v) ? v[v.length - 1] : v;
  return { reasonCode, status: user['rtm-status'], messageId: user['rtm-id'] ?? '', reasonString: props?.reasonString, user };
}

/** User properties as a plain record (the last value of a repeated name). */
export function userProps(packet: IPublishPacket): Record<string, string> {
  const user: Record<string, string> = {};
  for (const [k, v] of Object.entries(packet.properties?.userProperties ?? {})) user[k] = Array.isArray(v) ? v[v.length - 1] : v;
  return user;
}
