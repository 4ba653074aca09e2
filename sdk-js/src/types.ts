import type { IClientOptions } from 'mqtt';
import type { RtmError } from './errors.js';

export type ConnectionState = 'DISCONNECTED' | 'CONNECTING' | 'CONNECTED' | 'RECONNECTING' | 'ABORTED';
export type ConnectionChangeReason =
  | 'LOGIN'
  | 'LOGIN_SUCCESS'
  | 'LOGIN_FAILURE'
  | 'INTERRUPTED'
  | 'RECONNECTED'
  | 'TOKEN_EXPIRED'
  | 'REMOTE_LOGIN'
  | 'BANNED'
  | 'KICKED'
  | 'LOGOUT';

/** One change of the connection state, told by the `connectionStateChanged` event. */
export interface ConnectionChange {
  state: ConnectionState;
  reason: ConnectionChangeReason;
  /** The MQTT reason code behind the change (CONNACK or DISCONNECT), when there was one. */
  reasonCode?: number;
  /** The server's reason string, when it gave one. */
  reasonString?: string;
  /** For CONNECTED: whether the server resumed the previous session. */
  sessionResumed?: boolean;
}

/** Returns a (fresh) token for the uid; asked whenever the client has none or the server refused the one it has. */
export type TokenSupplier = (uid: string) => Promise<string> | string;

export interface RtmClientOptions {
  /** `mqtt://host:1883`, `mqtts://…`, `ws://host:8000/mqtt`, `wss://…`; in mini-programs `wxs://…` or `alis://…`. */
  url: string;
  uid: string;
  token?: string;
  tokenSupplier?: TokenSupplier;
  /** Per send (default 10 000 ms), overridable per call. */
  sendTimeout?: number;
  /** Per request, join, leave, (un)subscribe (default 10 000 ms). */
  requestTimeout?: number;
  /** How long `login()` keeps trying (default 15 000 ms). */
  loginTimeout?: number;
  /** One connection attempt (default 10 000 ms). */
  connectTimeout?: number;
  /** MQTT keep-alive in seconds (default 30). */
  keepAlive?: number;
  /** How long the server keeps the session of a lost connection, in seconds (default 3600). */
  sessionExpiry?: number;
  /** Unfinished operations at once (default 1000). */
  outboxCapacity?: number;
  /** Reconnect back-off: attempt n waits min(max, initial · 2^(n-1)) less a random share (default 500 ms, 30 000 ms, 0.5). */
  reconnectBackoff?: { initial?: number; max?: number; jitter?: number };
  /** Incoming messages unacknowledged at once (default 100). */
  receiveMaximum?: number;
  /** Remembered `rtm-id`s, to drop messages the server delivers again after a reconnect (default 1024). */
  duplicateMemory?: number;
  /**
   * Extra MQTT.js options for the transport: a custom WebSocket (`createWebsocket`), TLS settings (`ca`,
   * `rejectUnauthorized`), `wsOptions`, `transformWsUrl`. The SDK's own settings (client id, session, reconnect)
   * win over these.
   */
  mqtt?: Partial<IClientOptions>;
}

/** A message to this user from a peer. */
export interface PeerMessage extends ReceivedMessage {
  /** It waited in the offline cache. */
  offline: boolean;
}

export type DeliveryStatus = 'DELIVERED' | 'CACHED' | 'UNREACHABLE';

/** The end-to-end receipt: the recipient's client has the message. */
export interface Receipt {
  messageId: string;
  to: string;
}

export interface SendResult {
  status: DeliveryStatus;
  /** The server's `rtm-id` (empty for UNREACHABLE). */
  messageId: string;
  /** The `rtm-cid` this message was sent with. */
  clientMessageId: string;
  /** Only when sent with `{receipt: true}`: resolves when the recipient's client has acknowledged the message. */
  receipt?: Promise<Receipt>;
}

export interface CallOptions {
  /** Cancels the operation: before it was sent it is removed from the outbox; after, its promise rejects. */
  signal?: AbortSignal;
  /** Milliseconds; the client's sendTimeout or requestTimeout by default. */
  timeout?: number;
}

export interface SendOptions extends CallOptions {
  /** Ask for a receipt (`rtm-receipt: true`): `SendResult.receipt` then resolves when the peer's client has it. */
  receipt?: boolean;
  /** false: do not cache if the peer is offline (UNREACHABLE instead). */
  offline?: boolean;
  /** false: do not record in history. */
  history?: boolean;
  /** Seconds the message may wait in the offline cache. */
  expiry?: number;
  /** Your own `rtm-cid` (1 to 128 characters); by default the client makes one. */
  clientMessageId?: string;
  /** User properties passed to the recipient unchanged (names must not start with `rtm-`). */
  properties?: Record<string, string>;
}

export interface ChannelSendOptions extends SendOptions {
  /** Deliver only to these members (`rtm-only`, at most 128). */
  only?: string[];
  /** Deliver to every member but these (`rtm-except`, at most 128). */
  except?: string[];
  /** QoS 0: no answer from the server, no retry; for streams of samples where the next one matters more. */
  atMostOnce?: boolean;
}

export interface ChannelSendResult {
  /** How many members it went to (-1 for atMostOnce). */
  recipients: number;
  messageId: string;
  clientMessageId: string;
}

/** What every received message (peer, channel, broadcast) has. */
export interface ReceivedMessage {
  from: string;
  payload: Uint8Array;
  /** The payload as text; undefined when it is not valid UTF-8. */
  text: string | undefined;
  /** The server's `rtm-id`: unique, time-ordered. */
  messageId: string;
  /** The server's receive time, ms since the epoch. */
  serverTime: number;
  /** The sender's own user properties (`rtm-` ones stripped). */
  properties: Record<string, string>;
}

export interface ChannelMessage extends ReceivedMessage {
  channel: string;
}

export interface JoinOptions extends CallOptions {
  /** Also follow the member list and count (default true). */
  memberEvents?: boolean;
}

export interface MemberEvent {
  channel: string;
  uid: string;
  /** When it joined (ms), for joins. */
  since?: number;
  /** It was already there when you joined (or the state after a reconnect). */
  initial: boolean;
}

export interface ChannelCount {
  channel: string;
  count: number;
}

export interface MemberPage {
  members: string[];
  cursor: string | null;
  hasMore: boolean;
}

export type OnlineState = 'ONLINE' | 'UNREACHABLE' | 'OFFLINE';

export interface PresenceEvent {
  uid: string;
  state: OnlineState;
  /** The time of the change, ms since the epoch. */
  since: number;
  via: string;
  /** The state when you subscribed (a retained value). */
  initial: boolean;
}

export type BroadcastMessage = ReceivedMessage;

export interface BroadcastResult {
  recipients: number;
  messageId: string;
}

export type AttributeOwner = { scope: 'user'; id: string } | { scope: 'channel'; id: string };

export interface Attribute {
  key: string;
  value: Uint8Array;
  text: string | undefined;
  revision: number;
  /** The uid that wrote it. */
  by: string;
  /** When it was written, ms since the epoch. */
  at: number;
}

export interface AttributeEvent {
  owner: AttributeOwner;
  key: string;
  /** Undefined when deleted. */
  attribute?: Attribute;
  deleted: boolean;
  revision: number;
  initial: boolean;
}

export interface AttributeWriteOptions extends CallOptions {
  /**
   * Compare-and-set: write only if each named key is at this revision (0: the key must have no value). A conditional
   * write whose connection dropped after it was sent is not retried: it fails with TIMEOUT (wasSent true).
   */
  ifRev?: Record<string, number>;
}

export interface HistoryQuery {
  peer?: string;
  channel?: string;
  /** ms since the epoch, inclusive. */
  start?: number;
  /** ms since the epoch, exclusive. */
  end?: number;
  /** Messages per page, 1 to 100. */
  pageSize?: number;
  /** 'desc' (newest first, the default) or 'asc'. */
  order?: 'asc' | 'desc';
  /** Continue from a page's cursor. */
  cursor?: string;
}

export interface HistoryMessage {
  messageId: string;
  from: string;
  to?: string;
  channel?: string;
  serverTime: number;
  payload: Uint8Array;
  text: string | undefined;
}

export interface HistoryPage {
  messages: HistoryMessage[];
  cursor: string | null;
  hasMore: boolean;
  /** The next page (rejects when there is none). */
  next(options?: CallOptions): Promise<HistoryPage>;
}

export type CallFailureReason = 'PEER_OFFLINE' | 'NO_RESPONSE' | 'EXPIRED' | 'NOT_SENT' | 'TIMEOUT' | 'SESSION_ENDED';
export type InvitationState = 'SENDING' | 'SENT' | 'RECEIVED' | 'ACCEPTED' | 'REFUSED' | 'CANCELED' | 'FAILED';

export interface InvitationOptions extends CallOptions {
  content?: string;
  channel?: string;
  /** Your id for the invitation; by default the client makes one. */
  id?: string;
  /** ms until the SDK gives up on an outcome (default 130 000: the server's timers and ten seconds). */
  outcomeTimeout?: number;
}

export interface InvitationOutcome {
  state: 'ACCEPTED' | 'REFUSED' | 'CANCELED' | 'FAILED';
  response?: string;
  failureReason?: CallFailureReason;
}

export interface ServerInfo {
  version: string;
  uid: string;
  role: string;
  via?: string;
  time?: number;
  limits: Record<string, number>;
}

/** The events of an RtmClient, for `client.on(name, listener)`. */
export interface RtmEvents {
  connectionStateChanged: (change: ConnectionChange) => void;
  peerMessage: (message: PeerMessage) => void;
  receipt: (receipt: Receipt) => void;
  channelMessage: (message: ChannelMessage) => void;
  memberJoined: (event: MemberEvent) => void;
  memberLeft: (event: MemberEvent) => void;
  channelCount: (count: ChannelCount) => void;
  /** A channel could not be joined again on a fresh session after a reconnect. */
  joinLost: (channel: string, error: RtmError) => void;
  presence: (event: PresenceEvent) => void;
  broadcast: (message: BroadcastMessage) => void;
  attribute: (event: AttributeEvent) => void;
  remoteInvitationReceived: (invitation: import('./calls.js').RemoteInvitation) => void;
  remoteInvitationCanceled: (invitation: import('./calls.js').RemoteInvitation) => void;
  remoteInvitationFailed: (invitation: import('./calls.js').RemoteInvitation, reason: CallFailureReason) => void;
  localInvitationReceivedByPeer: (invitation: import('./calls.js').LocalInvitation) => void;
  localInvitationAccepted: (invitation: import('./calls.js').LocalInvitation, response: string | undefined) => void;
  localInvitationRefused: (invitation: import('./calls.js').LocalInvitation, response: string | undefined) => void;
  localInvitationFailed: (invitation: import('./calls.js').LocalInvitation, reason: CallFailureReason) => void;
}
