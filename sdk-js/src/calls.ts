import type { IPublishPacket } from 'mqtt';
import { RtmError } from './errors.js';
import type { Engine } from './engine.js';
import { topics, uid as checkUid, cid as checkCid, text } from './topics.js';
import type { CallFailureReason, CallOptions, DeliveryStatus, InvitationOptions, InvitationOutcome, InvitationState } from './types.js';

/** How long an accepted/refused event waits for the forwarded answer with the response text. */
const ANSWER_GRACE_MS = 1000;

const FAILURES: Record<string, CallFailureReason> = {
  peer_offline: 'PEER_OFFLINE',
  no_response: 'NO_RESPONSE',
  expired: 'EXPIRED',
};

interface CallAction {
  id: string;
  action: 'invite' | 'cancel' | 'accept' | 'refuse';
  content?: string;
  channel?: string;
  response?: string;
}

/** An invitation this client sent. `sent` says whether the callee has it; `outcome` how it ended. */
export class LocalInvitation {
  state: InvitationState = 'SENDING';
  response?: string;
  failureReason?: CallFailureReason;
  /** DELIVERED (the callee has it) or CACHED (the callee is offline: the server waits for it). */
  readonly sent: Promise<DeliveryStatus>;
  /** ACCEPTED, REFUSED, CANCELED or FAILED (never rejects). */
  readonly outcome: Promise<InvitationOutcome>;
  private finish!: (o: InvitationOutcome) => void;
  private timer?: ReturnType<typeof setTimeout>;
  /** @internal */
  answerTimer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly calls: Calls,
    readonly id: string,
    readonly callee: string,
    readonly content: string | undefined,
    readonly channel: string | undefined,
    options: InvitationOptions,
  ) {
    this.outcome = new Promise((res) => (this.finish = res));
    const engine = calls.engine;
    const body: CallAction = { id, action: 'invite' };
    if (content !== undefined) body.content = content;
    if (channel !== undefined) body.channel = channel;
    this.sent = engine
      .publish(
        { topic: topics.call(callee, engine.uid), payload: JSON.stringify(body), qos: 1 },
        { timeout: options.timeout ?? engine.options.sendTimeout, signal: options.signal, conflictIsSuccessOnRetry: true },
      )
      .then(
        (ack) => {
          if (this.state === 'SENDING') this.state = 'SENT';
          return ack.status === 'cached' ? 'CACHED' : 'DELIVERED';
        },
        (e) => {
          this.end({ state: 'FAILED', failureReason: 'NOT_SENT' });
          throw e;
        },
      );
    this.sent.catch(() => {});
    this.timer = setTimeout(() => {
      if (this.isOpen()) {
        this.cancel().catch(() => {});
        this.end({ state: 'FAILED', failureReason: 'TIMEOUT' });
      }
    }, options.outcomeTimeout ?? 130_000);
  }

  isOpen(): boolean {
    return this.state === 'SENDING' || this.state === 'SENT' || this.state === 'RECEIVED';
  }

  /** Cancels the invitation before an answer; fails with CONFLICT when it is over. */
  async cancel(options: CallOptions = {}): Promise<void> {
    const engine = this.calls.engine;
    await engine.publish(
      { topic: topics.call(this.callee, engine.uid), payload: JSON.stringify({ id: this.id, action: 'cancel' }), qos: 1 },
      { timeout: options.timeout ?? engine.options.sendTimeout, signal: options.signal, conflictIsSuccessOnRetry: true },
    );
  }

  /** @internal */
  end(o: InvitationOutcome): void {
    if (!this.isOpen()) return;
    this.state = o.state;
    if (o.response !== undefined) this.response = o.response;
    this.failureReason = o.failureReason;
    if (this.timer) clearTimeout(this.timer);
    if (this.answerTimer) clearTimeout(this.answerTimer);
    this.calls.forget(this);
    this.finish({ ...o, response: this.response });
  }
}

/** An invitation this client received: answer it with accept() or refuse(). */
export class RemoteInvitation {
  state: 'RECEIVED' | 'ACCEPTED' | 'REFUSED' | 'CANCELED' | 'FAILED' = 'RECEIVED';
  failureReason?: CallFailureReason;

  constructor(
    private readonly calls: Calls,
    readonly id: string,
    readonly caller: string,
    readonly content: string | undefined,
    readonly channel: string | undefined,
  ) {}

  accept(response?: string, options: CallOptions = {}): Promise<void> {
    return this.answer('accept', 'ACCEPTED', response, options);
  }

  refuse(response?: string, options: CallOptions = {}): Promise<void> {
    return this.answer('refuse', 'REFUSED', response, options);
  }

  private async answer(action: 'accept' | 'refuse', state: 'ACCEPTED' | 'REFUSED', response: string | undefined, options: CallOptions): Promise<void> {
    const engine = this.calls.engine;
    const body: CallAction = { id: this.id, action };
    if (response !== undefined) body.response = response;
    await engine.publish(
      { topic: topics.call(this.caller, engine.uid), payload: JSON.stringify(body), qos: 1 },
      { timeout: options.timeout ?? engine.options.sendTimeout, signal: options.signal, conflictIsSuccessOnRetry: true },
    );
    if (this.state === 'RECEIVED') this.state = state;
    this.calls.forgetRemote(this);
  }
}

/** Call invitations, both sides. The server runs the state machine and tells both sides every step. */
export class Calls {
  private readonly local = new Map<string, LocalInvitation>();
  private readonly remote = new Map<string, RemoteInvitation>();
  private seq = 0;

  /** @internal */
  constructor(readonly engine: Engine) {}

  /** Invites a user; the returned invitation tells each step (`sent`, `outcome`, and the `localInvitation…` events). */
  invite(callee: string, options: InvitationOptions = {}): LocalInvitation {
    checkUid(callee, 'callee');
    const id = options.id ?? `${this.engine.nextClientMessageId()}.${++this.seq}`.replace(/[^A-Za-z0-9_\-.@:~]/g, '_');
    checkCid(id, 'invitation id');
    const key = `${callee}/${id}`;
    if (this.local.get(key)?.isOpen()) throw new TypeError(`invitation id '${id}' to '${callee}' is still in use`);
    const inv = new LocalInvitation(this, id, callee, options.content, options.channel, options);
    this.local.set(key, inv);
    return inv;
  }

  /** @internal */
  forget(inv: LocalInvitation): void {
    if (this.local.get(`${inv.callee}/${inv.id}`) === inv) this.local.delete(`${inv.callee}/${inv.id}`);
  }

  /** @internal */
  forgetRemote(inv: RemoteInvitation): void {
    if (this.remote.get(`${inv.caller}/${inv.id}`) === inv) this.remote.delete(`${inv.caller}/${inv.id}`);
  }

  /** @internal An action forwarded on this user's call topic. */
  onAction(from: string, payload: Uint8Array, packet: IPublishPacket): void {
    void packet;
    let a: CallAction;
    try {
      a = JSON.parse(text(payload) ?? '');
    } catch {
      return;
    }
    if (a.action === 'invite') {
      const inv = new RemoteInvitation(this, a.id, from, a.content, a.channel);
      this.remote.set(`${from}/${a.id}`, inv);
      this.engine.emitEvent('remoteInvitationReceived', inv);
    } else if (a.action === 'cancel') {
      const inv = this.remote.get(`${from}/${a.id}`);
      if (inv && inv.state === 'RECEIVED') {
        inv.state = 'CANCELED';
        this.remote.delete(`${from}/${a.id}`);
        this.engine.emitEvent('remoteInvitationCanceled', inv);
      }
    } else if (a.action === 'accept' || a.action === 'refuse') {
      const inv = this.local.get(`${from}/${a.id}`);
      if (inv && inv.isOpen()) {
        inv.end({ state: a.action === 'accept' ? 'ACCEPTED' : 'REFUSED', response: a.response });
        this.engine.emitEvent(a.action === 'accept' ? 'localInvitationAccepted' : 'localInvitationRefused', inv, a.response);
      }
    }
  }

  /** @internal A `{"type":"call"}` event. */
  onEvent(e: { id: string; caller: string; callee: string; state: string; reason?: string }): void {
    const me = this.engine.uid;
    if (e.caller === me) {
      const inv = this.local.get(`${e.callee}/${e.id}`);
      if (!inv || !inv.isOpen()) return;
      switch (e.state) {
        case 'received':
          inv.state = 'RECEIVED';
          this.engine.emitEvent('localInvitationReceivedByPeer', inv);
          break;
        case 'accepted':
        case 'refused':
          // the server tells the event first, then forwards the answer, which carries the response text: wait for it
          // a moment (it normally follows within milliseconds), then conclude without it
          if (!inv.answerTimer) {
            inv.answerTimer = setTimeout(() => {
              if (!inv.isOpen()) return;
              inv.end({ state: e.state === 'accepted' ? 'ACCEPTED' : 'REFUSED' });
              this.engine.emitEvent(e.state === 'accepted' ? 'localInvitationAccepted' : 'localInvitationRefused', inv, inv.response);
            }, ANSWER_GRACE_MS);
          }
          break;
        case 'canceled':
          inv.end({ state: 'CANCELED' });
          break;
        case 'failed': {
          const reason = FAILURES[e.reason ?? ''] ?? 'NO_RESPONSE';
          inv.end({ state: 'FAILED', failureReason: reason });
          this.engine.emitEvent('localInvitationFailed', inv, reason);
          break;
        }
      }
    } else if (e.callee === me) {
      const inv = this.remote.get(`${e.caller}/${e.id}`);
      if (!inv) return;
      if (e.state === 'failed') {
        inv.state = 'FAILED';
        inv.failureReason = FAILURES[e.reason ?? ''] ?? 'NO_RESPONSE';
        this.remote.delete(`${e.caller}/${e.id}`);
        this.engine.emitEvent('remoteInvitationFailed', inv, inv.failureReason);
      } else if (e.state === 'canceled' && inv.state === 'RECEIVED') {
        inv.state = 'CANCELED';
        this.remote.delete(`${e.caller}/${e.id}`);
        this.engine.emitEvent('remoteInvitationCanceled', inv);
      }
    }
  }

  /** @internal After logout or an abort every open invitation fails with SESSION_ENDED. */
  sessionEnded(): void {
    for (const inv of [...this.local.values()]) {
      if (inv.isOpen()) {
        inv.end({ state: 'FAILED', failureReason: 'SESSION_ENDED' });
        this.engine.emitEvent('localInvitationFailed', inv, 'SESSION_ENDED');
      }
    }
    this.local.clear();
    this.remote.clear();
  }
}

