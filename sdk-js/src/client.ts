import type { IPublishPacket } from 'mqtt';
import { Calls } from './calls.js';
import { Engine, type OpOptions, type Sub, userProps } from './engine.js';
import { InvalidRequestError, LimitExceededError, RtmError, refusal } from './errors.js';
import { cid as checkCid, key as checkKey, parse, text, topics, uid as checkUid, utf8 } from './topics.js';
import type {
  Attribute,
  AttributeOwner,
  AttributeWriteOptions,
  BroadcastResult,
  CallOptions,
  ChannelSendOptions,
  ChannelSendResult,
  ConnectionState,
  DeliveryStatus,
  HistoryMessage,
  HistoryPage,
  HistoryQuery,
  JoinOptions,
  MemberPage,
  OnlineState,
  Receipt,
  RtmClientOptions,
  RtmEvents,
  SendOptions,
  SendResult,
  ServerInfo,
} from './types.js';

type Payload = string | Uint8Array;

function payloadOf(p: Payload, name = 'payload'): Payload {
  if (typeof p !== 'string' && !(p instanceof Uint8Array)) throw new TypeError(`${name} must be a string or a Uint8Array, but was ${typeof p}`);
  return p;
}

function withText(b: Uint8Array): { payload: Uint8Array; text: string | undefined } {
  const payload = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return { payload, text: text(payload) };
}

/** The sender's own options as user properties. */
function senderProps(o: SendOptions, clientMessageId: string): Record<string, string> {
  const user: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.properties ?? {})) {
    if (k.startsWith('rtm-')) throw new TypeError(`property names starting with rtm- are the protocol's, but '${k}' was given`);
    user[k] = String(v);
  }
  user['rtm-cid'] = clientMessageId;
  if (o.offline === false) user['rtm-offline'] = 'false';
  if (o.history === false) user['rtm-history'] = 'false';
  if (o.receipt) user['rtm-receipt'] = 'true';
  return user;
}

const STATES: Record<string, OnlineState> = { online: 'ONLINE', unreachable: 'UNREACHABLE', offline: 'OFFLINE' };

// ------------------------------------------------------------------------------------------------ base64

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    s += B64[n >> 18] + B64[(n >> 12) & 63] + (i + 1 < b.length ? B64[(n >> 6) & 63] : '=') + (i + 2 < b.length ? B64[n & 63] : '=');
  }
  return s;
}

export function fromBase64(s: string): Uint8Array {
  const clean = s.replace(/[^A-Za-z0-9+/]/g, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    const n = (B64.indexOf(clean[i]) << 18) | (B64.indexOf(clean[i + 1]) << 12) | ((B64.indexOf(clean[i + 2]) & 63) << 6) | (B64.indexOf(clean[i + 3]) & 63);
    out[o++] = n >> 16;
    if (i + 2 < clean.length) out[o++] = (n >> 8) & 255;
    if (i + 3 < clean.length) out[o++] = n & 255;
  }
  return out.subarray(0, o);
}

// ------------------------------------------------------------------------------------------------ features

/** Peer (1:1) messages. Incoming ones come as `peerMessage` events, receipts as `receipt` events. */
export class PeerMessaging {
  private readonly receiptWaiters = new Map<string, { resolve: (r: Receipt) => void; reject: (e: unknown) => void }>();
  private readonly early = new Map<string, Receipt>();

  /** @internal */
  constructor(private readonly engine: Engine) {}

  /**
   * Sends a message. Resolves when the server has it: DELIVERED (handed to the peer), CACHED (the peer is offline;
   * it waits in the offline cache) or UNREACHABLE (not cached, `offline: false`). Rejects with a typed error.
   */
  async send(to: string, payload: Payload, options: SendOptions = {}): Promise<SendResult> {
    checkUid(to, 'to');
    payloadOf(payload);
    const clientMessageId = options.clientMessageId ?? this.engine.nextClientMessageId();
    const ack = await this.engine.publish(
      { topic: topics.inbox(to, this.engine.uid), payload, qos: 1, user: senderProps(options, clientMessageId), expiry: options.expiry },
      { timeout: options.timeout ?? this.engine.options.sendTimeout, signal: options.signal },
    );
    const status: DeliveryStatus = ack.status === 'cached' ? 'CACHED' : ack.status === 'unreachable' || ack.reasonCode === 0x10 ? 'UNREACHABLE' : 'DELIVERED';
    const result: SendResult = { status, messageId: ack.messageId, clientMessageId };
    if (options.receipt && status !== 'UNREACHABLE' && ack.messageId) {
      result.receipt = this.awaitReceipt(ack.messageId);
    }
    return result;
  }

  private awaitReceipt(messageId: string): Promise<Receipt> {
    const early = this.early.get(messageId);
    if (early) {
      this.early.delete(messageId);
      return Promise.resolve(early);
    }
    const p = new Promise<Receipt>((resolve, reject) => {
      this.receiptWaiters.set(messageId, { resolve, reject });
      if (this.receiptWaiters.size > 1000) {
        const [oldest, w] = this.receiptWaiters.entries().next().value as [string, { reject: (e: unknown) => void }];
        this.receiptWaiters.delete(oldest);
        w.reject(new RtmError('TIMEOUT', 'more than 1000 receipts awaited: the oldest is no longer tracked'));
      }
    });
    p.catch(() => {});
    return p;
  }

  /** @internal */
  onReceipt(r: Receipt): void {
    const w = this.receiptWaiters.get(r.messageId);
    if (w) {
      this.receiptWaiters.delete(r.messageId);
      w.resolve(r);
    } else {
      // the receipt may overtake the PUBACK it belongs to
      this.early.set(r.messageId, r);
      if (this.early.size > 256) this.early.delete(this.early.keys().next().value as string);
    }
  }
}

/** Channels: join, leave, send (to all, `only`, `except`), members and counts. */
export class Channels {
  /** @internal joined channels and whether they follow member events */
  readonly joinedChannels = new Map<string, boolean>();
  /** @internal known members per channel, for events without repeats */
  readonly memberSets = new Map<string, Set<string>>();
  /** @internal last count per channel */
  readonly lastCounts = new Map<string, number>();

  /** @internal */
  constructor(private readonly engine: Engine) {}

  private o(o: CallOptions): OpOptions {
    return { timeout: o.timeout ?? this.engine.options.requestTimeout, signal: o.signal };
  }

  /** @internal the subscriptions of a joined channel */
  subs(channel: string, memberEvents: boolean): Sub[] {
    const s: Sub[] = [{ topic: topics.channelJoin(channel), qos: 1, nl: true }];
    if (memberEvents) s.push({ topic: topics.channelMembers(channel), qos: 1 }, { topic: topics.channelCount(channel), qos: 1 });
    return s;
  }

  /** Joins (subscribes to the channel's messages, with No Local, and unless turned off to its members and count). */
  async join(channel: string, options: JoinOptions = {}): Promise<void> {
    checkCid(channel);
    const memberEvents = options.memberEvents !== false;
    if (!this.memberSets.has(channel) && memberEvents) this.memberSets.set(channel, new Set());
    const codes = await this.engine.subscribe(this.subs(channel, memberEvents), this.o(options));
    if (codes[0] >= 0x80) {
      if (memberEvents) this.engine.unsubscribe([topics.channelMembers(channel), topics.channelCount(channel)], this.o({})).catch(() => {});
      if (!this.joinedChannels.has(channel)) this.memberSets.delete(channel);
      throw subackError(codes[0], codes.reasonString, 'CHANNELS_JOINED');
    }
    this.joinedChannels.set(channel, memberEvents);
  }

  async leave(channel: string, options: CallOptions = {}): Promise<void> {
    checkCid(channel);
    const memberEvents = this.joinedChannels.get(channel) ?? true;
    this.joinedChannels.delete(channel);
    await this.engine.unsubscribe(this.subs(channel, memberEvents).map((s) => s.topic), this.o(options));
    this.memberSets.delete(channel);
    this.lastCounts.delete(channel);
  }

  /** The channels this client is in (or joining). */
  joined(): string[] {
    return [...this.joinedChannels.keys()];
  }

  /** Sends to a channel you are a member of; `recipients` is how many other members it went to. */
  async send(channel: string, payload: Payload, options: ChannelSendOptions = {}): Promise<ChannelSendResult> {
    checkCid(channel);
    payloadOf(payload);
    if (options.only && options.except) throw new TypeError('only and except cannot both be given on one message');
    const clientMessageId = options.clientMessageId ?? this.engine.nextClientMessageId();
    const user = senderProps({ ...options, receipt: false, offline: undefined }, clientMessageId);
    for (const [name, list] of [['rtm-only', options.only], ['rtm-except', options.except]] as const) {
      if (list) {
        list.forEach((u) => checkUid(u, name.slice(4) + ' list entry'));
        user[name] = list.join(',');
      }
    }
    const atMostOnce = !!options.atMostOnce;
    const ack = await this.engine.publish(
      { topic: topics.channelMsg(channel, this.engine.uid), payload, qos: atMostOnce ? 0 : 1, user },
      { timeout: options.timeout ?? this.engine.options.sendTimeout, signal: options.signal, retry: !atMostOnce },
    );
    return { recipients: atMostOnce ? -1 : Number(ack.user['rtm-recipients'] ?? 0), messageId: ack.messageId, clientMessageId };
  }

  /** One page of a channel's members, in uid order (up to 100). */
  async members(channel: string, options: CallOptions & { limit?: number; cursor?: string | null } = {}): Promise<MemberPage> {
    checkCid(channel);
    const body: Record<string, unknown> = { cid: channel };
    if (options.limit !== undefined) body.limit = options.limit;
    if (options.cursor) body.cursor = options.cursor;
    const r = await this.engine.rpc<{ members: string[]; cursor: string | null }>('channel.members', body, this.o(options));
    return { members: r.members, cursor: r.cursor ?? null, hasMore: !!r.cursor };
  }

  /** Every member, all pages. */
  async allMembers(channel: string, options: CallOptions = {}): Promise<string[]> {
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page: MemberPage = await this.members(channel, { ...options, cursor });
      all.push(...page.members);
      cursor = page.cursor;
    } while (cursor);
    return all;
  }

  /** The member count of one channel. */
  async count(channel: string, options: CallOptions = {}): Promise<number> {
    return (await this.counts([channel], options))[channel] ?? 0;
  }

  /** The member counts of up to 32 channels. */
  async counts(channels: string[], options: CallOptions = {}): Promise<Record<string, number>> {
    channels.forEach((c) => checkCid(c));
    return this.engine.rpc<Record<string, number>>('channel.count', { cids: channels }, this.o(options));
  }

  /** The channels a user (yourself by default) is in, as the server knows them. */
  async joinedOnServer(uid?: string, options: CallOptions = {}): Promise<string[]> {
    const r = await this.engine.rpc<{ channels: string[] }>('channel.joined', uid ? { uid: checkUid(uid) } : {}, this.o(options));
    return r.channels;
  }

  /** @internal */
  onMember(channel: string, uid: string, payload: Uint8Array, retained: boolean): void {
    const known = this.memberSets.get(channel);
    if (!known) return;
    if (payload.length) {
      if (known.has(uid)) return;
      known.add(uid);
      let since: number | undefined;
      try {
        since = JSON.parse(text(payload) ?? '{}').since;
      } catch {
        since = undefined;
      }
      this.engine.emitEvent('memberJoined', { channel, uid, since, initial: retained });
    } else if (known.delete(uid)) {
      this.engine.emitEvent('memberLeft', { channel, uid, initial: false });
    }
  }

  /** @internal */
  onCount(channel: string, payload: Uint8Array): void {
    if (!this.joinedChannels.has(channel) && !this.memberSets.has(channel)) return;
    const count = Number(text(payload));
    if (!Number.isFinite(count) || this.lastCounts.get(channel) === count) return;
    this.lastCounts.set(channel, count);
    this.engine.emitEvent('channelCount', { channel, count });
  }

  /** @internal After a rejoin on a fresh session, members that left meanwhile are reported as left. */
  async reconcile(): Promise<void> {
    for (const [channel, memberEvents] of this.joinedChannels) {
      if (!memberEvents) continue;
      try {
        const now = new Set(await this.allMembers(channel));
        const known = this.memberSets.get(channel);
        for (const u of [...(known ?? [])]) {
          if (!now.has(u) && known!.delete(u)) this.engine.emitEvent('memberLeft', { channel, uid: u, initial: false });
        }
      } catch {
        // best effort: the next change of the channel corrects it
      }
    }
  }
}

function subackError(code: number, reasonString: string | undefined, limit: 'CHANNELS_JOINED' | 'PRESENCE_SUBSCRIPTIONS'): RtmError {
  if (code === 0x97) {
    const e = new LimitExceededError('LIMIT_EXCEEDED', `${reasonString ?? 'quota exceeded'} [SUBACK 0x97]`, { reasonCode: code, reasonString });
    e.limit = limit;
    return e;
  }
  return refusal(code, undefined, reasonString, 'SUBACK');
}

/** Presence: ask for users' online states, or watch them (`presence` events). */
export class Presence {
  /** @internal */
  readonly watched = new Set<string>();
  private readonly last = new Map<string, number>();

  /** @internal */
  constructor(private readonly engine: Engine) {}

  /** The states of up to 256 users; users never seen are OFFLINE. */
  async query(uids: string[], options: CallOptions = {}): Promise<Record<string, OnlineState>> {
    uids.forEach((u) => checkUid(u));
    const r = await this.engine.rpc<Record<string, string>>('presence.query', { uids }, { timeout: options.timeout ?? this.engine.options.requestTimeout, signal: options.signal });
    const out: Record<string, OnlineState> = {};
    for (const [u, s] of Object.entries(r)) out[u] = STATES[s] ?? 'OFFLINE';
    return out;
  }

  /** Watches users: their current state (initial), then every change. Fails as a whole past the server's limit. */
  async subscribe(uids: string[], options: CallOptions = {}): Promise<void> {
    uids.forEach((u) => checkUid(u));
    const codes = await this.engine.subscribe(
      uids.map((u) => ({ topic: topics.presence(u), qos: 1 as const })),
      { timeout: options.timeout ?? this.engine.options.requestTimeout, signal: options.signal },
    );
    const bad = codes.findIndex((c) => c >= 0x80);
    if (bad >= 0) {
      const fresh = uids.filter((u, i) => codes[i] < 0x80 && !this.watched.has(u));
      if (fresh.length) this.engine.unsubscribe(fresh.map((u) => topics.presence(u)), { timeout: this.engine.options.requestTimeout }).catch(() => {});
      throw subackError(codes[bad], codes.reasonString, 'PRESENCE_SUBSCRIPTIONS');
    }
    uids.forEach((u) => this.watched.add(u));
  }

  async unsubscribe(uids: string[], options: CallOptions = {}): Promise<void> {
    uids.forEach((u) => this.watched.delete(u));
    await this.engine.unsubscribe(uids.map((u) => topics.presence(u)), { timeout: options.timeout ?? this.engine.options.requestTimeout, signal: options.signal });
  }

  /** The users watched now. */
  subscriptions(): string[] {
    return [...this.watched];
  }

  /** @internal */
  onPresence(uid: string, payload: Uint8Array, retained: boolean): void {
    if (!payload.length) return;
    let p: { state: string; ts: number; via?: string };
    try {
      p = JSON.parse(text(payload) ?? '');
    } catch {
      return;
    }
    const last = this.last.get(uid);
    if (last !== undefined && p.ts <= last) return; // told already (a re-subscription's retained value)
    this.last.set(uid, p.ts);
    this.engine.emitEvent('presence', { uid, state: STATES[p.state] ?? 'OFFLINE', since: p.ts, via: p.via ?? 'mqtt', initial: retained });
  }
}

/** Broadcasts: every user may listen; roles service and admin may send. */
export class Broadcasts {
  /** @internal */
  listening = false;

  /** @internal */
  constructor(private readonly engine: Engine) {}

  async listen(options: CallOptions = {}): Promise<void> {
    const codes = await this.engine.subscribe([{ topic: topics.broadcastFilter(), qos: 1, nl: true }], { timeout: options.timeout ?? this.engine.options.requestTimeout, signal: options.signal });
    if (codes[0] >= 0x80) throw refusal(codes[0], undefined, codes.reasonString, 'SUBACK');
    this.listening = true;
  }

  async stopListening(options: CallOptions = {}): Promise<void> {
    this.listening = false;
    await this.engine.unsubscribe([topics.broadcastFilter()], { timeout: options.timeout ?? this.engine.options.requestTimeout, signal: options.signal });
  }

  isListening(): boolean {
    return this.listening;
  }

  /** Sends to everyone listening (role service or admin; a user gets ForbiddenError). */
  async send(payload: Payload, options: SendOptions = {}): Promise<BroadcastResult> {
    payloadOf(payload);
    const clientMessageId = options.clientMessageId ?? this.engine.nextClientMessageId();
    const ack = await this.engine.publish(
      { topic: topics.broadcast(this.engine.uid), payload, qos: 1, user: senderProps({ ...options, receipt: false }, clientMessageId) },
      { timeout: options.timeout ?? this.engine.options.sendTimeout, signal: options.signal },
    );
    return { recipients: Number(ack.user['rtm-recipients'] ?? 0), messageId: ack.messageId };
  }
}

function ownerOf(owner: AttributeOwner): AttributeOwner {
  if (!owner || (owner.scope !== 'user' && owner.scope !== 'channel')) throw new TypeError(`owner must be {scope: 'user' | 'channel', id}, but was ${JSON.stringify(owner)}`);
  if (owner.scope === 'user') checkUid(owner.id, 'owner id');
  else checkCid(owner.id, 'owner id');
  return owner;
}

const ownerKey = (o: AttributeOwner) => `${o.scope}:${o.id}`;

/** User and channel attributes: state with a revision per key, compare-and-set, and `attribute` events. */
export class Attributes {
  /** @internal */
  readonly watched = new Map<string, AttributeOwner>();
  private readonly revs = new Map<string, number>();

  /** @internal */
  constructor(private readonly engine: Engine) {}

  static user(uid: string): AttributeOwner {
    return { scope: 'user', id: checkUid(uid) };
  }

  static channel(channel: string): AttributeOwner {
    return { scope: 'channel', id: checkCid(channel) };
  }

  private o(o: CallOptions, retry = true): OpOptions {
    return { timeout: o.timeout ?? this.engine.options.requestTimeout, signal: o.signal, retry };
  }

  /** The attributes of an owner (all, or the given keys that have a value). */
  async get(owner: AttributeOwner, keys?: string[], options: CallOptions = {}): Promise<Record<string, Attribute>> {
    ownerOf(owner);
    const body: Record<string, unknown> = { scope: owner.scope, id: owner.id };
    if (keys) body.keys = keys.map((k) => checkKey(k));
    const r = await this.engine.rpc<Record<string, { value: string; encoding?: string; by: string; ts: number; rev: number }>>('attr.get', body, this.o(options));
    const out: Record<string, Attribute> = {};
    for (const [k, v] of Object.entries(r)) {
      const value = v.encoding === 'base64' ? fromBase64(v.value) : utf8(v.value);
      out[k] = { key: k, value, text: v.encoding === 'base64' ? text(value) : v.value, revision: v.rev, by: v.by, at: v.ts };
    }
    return out;
  }

  /** Sets the given keys and keeps the others; resolves with the new revisions. */
  merge(owner: AttributeOwner, attrs: Record<string, Payload>, options: AttributeWriteOptions = {}): Promise<Record<string, number>> {
    return this.write(owner, attrs, 'merge', options);
  }

  /** Makes the given keys the whole set (every other key is deleted). */
  set(owner: AttributeOwner, attrs: Record<string, Payload>, options: AttributeWriteOptions = {}): Promise<Record<string, number>> {
    return this.write(owner, attrs, 'replace', options);
  }

  private async write(owner: AttributeOwner, attrs: Record<string, Payload>, mode: string, options: AttributeWriteOptions): Promise<Record<string, number>> {
    ownerOf(owner);
    const wire: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(attrs)) {
      checkKey(k);
      payloadOf(v, `value of '${k}'`);
      wire[k] = typeof v === 'string' ? v : { value: toBase64(v), encoding: 'base64' };
    }
    const body: Record<string, unknown> = { scope: owner.scope, id: owner.id, attrs: wire, mode };
    if (options.ifRev) body.ifRev = options.ifRev;
    return this.engine.rpc<Record<string, number>>('attr.set', body, this.o(options, !options.ifRev));
  }

  /** Deletes keys; with `ifRev` only if each is still at that revision. */
  async delete(owner: AttributeOwner, keys: string[], options: AttributeWriteOptions = {}): Promise<Record<string, number>> {
    ownerOf(owner);
    const body: Record<string, unknown> = { scope: owner.scope, id: owner.id, keys: keys.map((k) => checkKey(k)) };
    if (options.ifRev) body.ifRev = options.ifRev;
    return this.engine.rpc<Record<string, number>>('attr.delete', body, this.o(options, !options.ifRev));
  }

  /** Deletes every key of the owner. */
  async clear(owner: AttributeOwner, options: CallOptions = {}): Promise<Record<string, number>> {
    ownerOf(owner);
    return this.engine.rpc<Record<string, number>>('attr.delete', { scope: owner.scope, id: owner.id, all: true }, this.o(options));
  }

  /** Watches an owner's attributes: the current values (initial), then every change and deletion. */
  async subscribe(owner: AttributeOwner, options: CallOptions = {}): Promise<void> {
    ownerOf(owner);
    const filter = owner.scope === 'user' ? topics.userAttrFilter(owner.id) : topics.channelAttrFilter(owner.id);
    // watched before the SUBACK: the retained values may be read in the same chunk, before the promise continues
    const known = this.watched.has(ownerKey(owner));
    this.watched.set(ownerKey(owner), owner);
    try {
      const codes = await this.engine.subscribe([{ topic: filter, qos: 1 }], this.o(options));
      if (codes[0] >= 0x80) throw refusal(codes[0], undefined, codes.reasonString, 'SUBACK');
    } catch (e) {
      if (!known) this.watched.delete(ownerKey(owner));
      throw e;
    }
  }

  async unsubscribe(owner: AttributeOwner, options: CallOptions = {}): Promise<void> {
    ownerOf(owner);
    this.watched.delete(ownerKey(owner));
    const filter = owner.scope === 'user' ? topics.userAttrFilter(owner.id) : topics.channelAttrFilter(owner.id);
    await this.engine.unsubscribe([filter], this.o(options));
  }

  /** @internal */
  filters(): Sub[] {
    return [...this.watched.values()].map((o) => ({ topic: o.scope === 'user' ? topics.userAttrFilter(o.id) : topics.channelAttrFilter(o.id), qos: 1 as const }));
  }

  /** @internal */
  onAttribute(owner: AttributeOwner, key: string, payload: Uint8Array, packet: IPublishPacket): void {
    if (!this.watched.has(ownerKey(owner))) return;
    const user = userProps(packet);
    const revision = Number(user['rtm-rev'] ?? 0);
    const id = `${ownerKey(owner)}/${key}`;
    const last = this.revs.get(id);
    if (last !== undefined && revision <= last) return;
    this.revs.set(id, revision);
    const deleted = payload.length === 0;
    const t = withText(payload);
    this.engine.emitEvent('attribute', {
      owner,
      key,
      revision,
      deleted,
      initial: !!packet.retain,
      attribute: deleted ? undefined : { key, value: t.payload, text: t.text, revision, by: user['rtm-by'] ?? '', at: Number(user['rtm-ts'] ?? 0) },
    });
  }
}

/** Message history: a peer conversation or a channel, page by page. */
export class History {
  /** @internal */
  constructor(private readonly engine: Engine) {}

  /** The first page of a query (`page.next()` or `page.cursor` for the rest). */
  async query(q: HistoryQuery, options: CallOptions = {}): Promise<HistoryPage> {
    if ((q.peer === undefined) === (q.channel === undefined)) throw new TypeError('a history query names exactly one of peer or channel');
    const body: Record<string, unknown> = q.peer !== undefined ? { peer: checkUid(q.peer, 'peer') } : { cid: checkCid(q.channel) };
    if (q.start !== undefined) body.start = q.start;
    if (q.end !== undefined) body.end = q.end;
    if (q.pageSize !== undefined) body.limit = q.pageSize;
    if (q.order !== undefined) body.order = q.order;
    if (q.cursor) body.cursor = q.cursor;
    const r = await this.engine.rpc<{ messages: Array<{ id: string; from: string; to?: string; cid?: string; ts: number; payload: string; encoding?: string }>; cursor: string | null }>(
      'history.query',
      body,
      { timeout: options.timeout ?? this.engine.options.requestTimeout, signal: options.signal },
    );
    const messages: HistoryMessage[] = r.messages.map((m) => {
      const payload = m.encoding === 'base64' ? fromBase64(m.payload) : utf8(m.payload);
      return { messageId: m.id, from: m.from, to: m.to, channel: m.cid, serverTime: m.ts, payload, text: m.encoding === 'base64' ? text(payload) : m.payload };
    });
    const cursor = r.cursor ?? null;
    return {
      messages,
      cursor,
      hasMore: cursor !== null,
      next: (o?: CallOptions) => (cursor === null ? Promise.reject(new InvalidRequestError('INVALID', 'this is the last page: there is no next one')) : this.query({ ...q, cursor }, o)),
    };
  }

  /** Every page, for `for await (const page of client.history.pages(q))`. */
  async *pages(q: HistoryQuery, options: CallOptions = {}): AsyncGenerator<HistoryPage> {
    let page = await this.query(q, options);
    yield page;
    while (page.hasMore) {
      page = await page.next(options);
      yield page;
    }
  }

  /** Every message, fetching pages as the loop goes: `for await (const m of client.history.messages(q))`. */
  async *messages(q: HistoryQuery, options: CallOptions = {}): AsyncGenerator<HistoryMessage> {
    for await (const page of this.pages(q, options)) yield* page.messages;
  }

  /** Up to `max` messages, in the query's order. */
  async all(q: HistoryQuery, max = 1000, options: CallOptions = {}): Promise<HistoryMessage[]> {
    const out: HistoryMessage[] = [];
    for await (const m of this.messages(q, options)) {
      out.push(m);
      if (out.length >= max) break;
    }
    return out;
  }
}

// ------------------------------------------------------------------------------------------------ the client

/**
 * An OpenRTM client: one user's connection to the server. Every method returns a promise; incoming messages and
 * state changes are events (`client.on('peerMessage', m => …)`). Create it, `login()`, use it, `logout()`.
 */
export class RtmClient {
  private readonly engine: Engine;
  readonly peer: PeerMessaging;
  readonly channels: Channels;
  readonly presence: Presence;
  readonly broadcasts: Broadcasts;
  readonly attributes: Attributes;
  readonly history: History;
  readonly calls: Calls;

  constructor(options: RtmClientOptions) {
    checkUid(options?.uid);
    const engine = (this.engine = new Engine(options));
    this.peer = new PeerMessaging(engine);
    this.channels = new Channels(engine);
    this.presence = new Presence(engine);
    this.broadcasts = new Broadcasts(engine);
    this.attributes = new Attributes(engine);
    this.history = new History(engine);
    this.calls = new Calls(engine);
    engine.restore = () => [
      ...[...this.channels.joinedChannels].flatMap(([c, m]) => this.channels.subs(c, m)),
      ...[...this.presence.watched].map((u) => ({ topic: topics.presence(u), qos: 1 as const })),
      ...this.attributes.filters(),
      ...(this.broadcasts.listening ? [{ topic: topics.broadcastFilter(), qos: 1 as const, nl: true }] : []),
    ];
    engine.restoreRefused = (sub, error) => {
      const m = /^rtm\/channel\/([^/]+)\/msg\/\+$/.exec(sub.topic);
      if (m && this.channels.joinedChannels.delete(m[1])) {
        this.channels.memberSets.delete(m[1]);
        engine.emitEvent('joinLost', m[1], error);
      }
    };
    engine.afterFreshSession = () => void this.channels.reconcile();
    engine.sessionEnded = () => {
      this.channels.joinedChannels.clear();
      this.channels.memberSets.clear();
      this.channels.lastCounts.clear();
      this.presence.watched.clear();
      this.attributes.watched.clear();
      this.broadcasts.listening = false;
      this.calls.sessionEnded();
    };
    engine.dispatch = (topic, payload, packet) => this.dispatch(topic, payload, packet);
  }

  get uid(): string {
    return this.engine.uid;
  }

  /** DISCONNECTED, CONNECTING, CONNECTED, RECONNECTING or ABORTED. */
  get state(): ConnectionState {
    return this.engine.state;
  }

  /** Adds an event listener; returns a function that removes it. */
  on<K extends keyof RtmEvents>(event: K, listener: RtmEvents[K]): () => void {
    return this.engine.on(event, listener);
  }

  once<K extends keyof RtmEvents>(event: K, listener: RtmEvents[K]): () => void {
    return this.engine.once(event, listener);
  }

  off<K extends keyof RtmEvents>(event: K, listener: RtmEvents[K]): void {
    this.engine.off(event, listener);
  }

  /** Connects and logs in; rejects with a LoginError (`error` says why). */
  login(): Promise<void> {
    return this.engine.login();
  }

  /** Ends the session (messages sent to you meanwhile wait in the offline cache). Pending operations fail. */
  logout(): Promise<void> {
    return this.engine.logout();
  }

  /** Same as logout(): a client can log in again after either. */
  close(): Promise<void> {
    return this.engine.logout();
  }

  /** A new token for the next connection; if the client is reconnecting, it tries at once. */
  renewToken(token: string): void {
    this.engine.renewToken(token);
  }

  /** The server's version, limits, and what it knows of this user. */
  serverInfo(options: CallOptions = {}): Promise<ServerInfo> {
    return this.request<ServerInfo>('server.info', {}, options);
  }

  /** Any request to the server (`rtm/rpc/{method}`), JSON in and out. */
  request<T = unknown>(method: string, body: unknown = {}, options: CallOptions = {}): Promise<T> {
    if (!/^[A-Za-z0-9_.-]+$/.test(method)) throw new TypeError(`method must be a name such as server.info, but was '${method}'`);
    return this.engine.rpc<T>(method, body, { timeout: options.timeout ?? this.engine.options.requestTimeout, signal: options.signal });
  }

  /** @internal for tests and tools: the MQTT.js client of the current connection. */
  get connection() {
    return this.engine.connection;
  }

  private dispatch(topic: string, raw: Uint8Array, packet: IPublishPacket): void {
    const t = parse(topic, this.engine.uid);
    const user = userProps(packet);
    const messageId = user['rtm-id'] ?? '';
    const serverTime = Number(user['rtm-ts'] ?? 0);
    const own = (): Record<string, string> => {
      const p: Record<string, string> = {};
      for (const [k, v] of Object.entries(user)) if (!k.startsWith('rtm-')) p[k] = v;
      return p;
    };
    const e = this.engine;
    switch (t.kind) {
      case 'inbox':
        if (!e.messages.add(messageId)) return;
        e.emitEvent('peerMessage', { from: t.from, ...withText(raw), messageId, serverTime, offline: user['rtm-offline'] === 'true', properties: own() });
        return;
      case 'channelMsg':
        if (!e.messages.add(messageId)) return;
        e.emitEvent('channelMessage', { channel: t.cid, from: t.from, ...withText(raw), messageId, serverTime, properties: own() });
        return;
      case 'broadcast':
        if (!e.messages.add(messageId)) return;
        e.emitEvent('broadcast', { from: t.from, ...withText(raw), messageId, serverTime, properties: own() });
        return;
      case 'member':
        this.channels.onMember(t.cid, t.uid, raw, !!packet.retain);
        return;
      case 'count':
        this.channels.onCount(t.cid, raw);
        return;
      case 'presence':
        this.presence.onPresence(t.uid, raw, !!packet.retain);
        return;
      case 'userAttr':
        this.attributes.onAttribute({ scope: 'user', id: t.uid }, t.key, raw, packet);
        return;
      case 'channelAttr':
        this.attributes.onAttribute({ scope: 'channel', id: t.cid }, t.key, raw, packet);
        return;
      case 'call':
        if (!e.messages.add(messageId)) return;
        this.calls.onAction(t.from, raw, packet);
        return;
      case 'event': {
        let ev: { type?: string; id?: string; to?: string } & Record<string, unknown>;
        try {
          ev = JSON.parse(text(raw) ?? '');
        } catch {
          return;
        }
        if (!e.events.add(messageId || (ev.type === 'receipt' ? `r:${ev.id}` : undefined))) return;
        if (ev.type === 'receipt' && typeof ev.id === 'string') {
          const r: Receipt = { messageId: ev.id, to: String(ev.to ?? '') };
          this.peer.onReceipt(r);
          e.emitEvent('receipt', r);
        } else if (ev.type === 'call') {
          this.calls.onEvent(ev as never);
        }
        return;
      }
      default:
        return;
    }
  }
}

