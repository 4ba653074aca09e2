/** Every error the SDK rejects a promise with is an {@link RtmError}; `code` is stable for programs. */
export type RtmErrorCode =
  | 'FORBIDDEN'
  | 'TOO_LARGE'
  | 'RATE_LIMITED'
  | 'INVALID'
  | 'CONFLICT'
  | 'NOT_FOUND'
  | 'UNKNOWN_METHOD'
  | 'INTERNAL'
  | 'TIMEOUT'
  | 'LIMIT_EXCEEDED'
  | 'OUTBOX_FULL'
  | 'NOT_LOGGED_IN'
  | 'LOGIN_FAILED'
  | 'ABORTED'
  | 'UNKNOWN';

export class RtmError extends Error {
  readonly code: RtmErrorCode;
  /** The MQTT reason code of the refusal (PUBACK, SUBACK, CONNACK), when there was one. */
  readonly reasonCode?: number;
  /** The server's `rtm-status` or RPC error code, when there was one. */
  readonly status?: string;
  /** The server's reason string (for people), when there was one. */
  readonly reasonString?: string;

  constructor(code: RtmErrorCode, message: string, extra: { reasonCode?: number; status?: string; reasonString?: string } = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.reasonCode = extra.reasonCode;
    this.status = extra.status;
    this.reasonString = extra.reasonString;
  }
}

/** `forbidden`: not allowed (a channel you are not in, a broadcast without role service, another user's attributes). */
export class ForbiddenError extends RtmError {}
/** `too_large`: payload, attribute value, key count, channel total or call content over the server's limit. */
export class PayloadTooLargeError extends RtmError {}
/** `rate_limited`: over the server's publish rate; nothing was delivered and the SDK did not retry. */
export class RateLimitedError extends RtmError {
  /** The server's hint in milliseconds ("retry in N s"), when it gave one. */
  retryAfterMs?: number;
}
/** `invalid` / `unknown_method`: the server found the request malformed. */
export class InvalidRequestError extends RtmError {}
/** `conflict`: an attribute compare-and-set whose revision did not match, or a call action out of order. */
export class ConflictError extends RtmError {}
/** `not_found`: the server does not know what the request names. */
export class NotFoundError extends RtmError {}
/** `internal`: the server failed and did nothing; retrying may work. */
export class ServerError extends RtmError {}
/** A subscription refused past a server limit: `CHANNELS_JOINED` or `PRESENCE_SUBSCRIPTIONS`. */
export class LimitExceededError extends RtmError {
  limit?: 'CHANNELS_JOINED' | 'PRESENCE_SUBSCRIPTIONS';
}
/** No answer within the timeout. `wasSent` false: it never left the outbox and nothing happened. */
export class RtmTimeoutError extends RtmError {
  constructor(message: string, readonly wasSent: boolean) {
    super('TIMEOUT', message);
  }
}
/** `outboxCapacity` operations are unfinished. */
export class OutboxFullError extends RtmError {}
/** Not logged in (before `login()`, after `logout()` or an abort). */
export class NotLoggedInError extends RtmError {
  constructor(message: string, readonly state: string) {
    super('NOT_LOGGED_IN', message);
  }
}
/** The operation's AbortSignal fired. `wasSent` false: it never left the outbox and nothing happened. */
export class AbortedError extends RtmError {
  constructor(message: string, readonly wasSent: boolean) {
    super('ABORTED', message);
  }
}

export type LoginErrorKind =
  | 'INVALID_UID'
  | 'BAD_TOKEN'
  | 'TOKEN_EXPIRED'
  | 'BANNED'
  | 'SERVER_UNAVAILABLE'
  | 'REFUSED'
  | 'UNREACHABLE'
  | 'TIMEOUT'
  | 'NO_TOKEN'
  | 'SUBSCRIPTION_REFUSED'
  | 'CANCELED';

/** `login()` failed; `error` says why, `reasonCode` is the CONNACK's when there was one. */
export class LoginError extends RtmError {
  constructor(readonly error: LoginErrorKind, message: string, reasonCode?: number, reasonString?: string) {
    super('LOGIN_FAILED', message, { reasonCode, reasonString });
  }
}

const RETRY = /retry in (\d+) s/;

function hex(code: number): string {
  return '0x' + code.toString(16).toUpperCase().padStart(2, '0');
}

/** The error for a refused publish or subscription (reason code 0x80 or above), from `rtm-status` or the code. */
export function refusal(reasonCode: number, status: string | undefined, reason: string | undefined, what = 'PUBACK'): RtmError {
  const message = (reason || 'the server refused the request') + ` [${status ?? 'no rtm-status'}, ${what} ${hex(reasonCode)}]`;
  return byStatus(status ?? statusOfReasonCode(reasonCode), message, { reasonCode, status, reasonString: reason });
}

/** The error for an RPC error reply `{"ok":false,"error":{"code","message"}}`. */
export function rpcError(code: string | undefined, message: string | undefined): RtmError {
  return byStatus(code, (message || 'the request failed') + ` [${code ?? 'no code'}]`, { status: code, reasonString: message });
}

function statusOfReasonCode(reasonCode: number): string | undefined {
  switch (reasonCode) {
    case 0x87:
      return 'forbidden';
    case 0x8f:
    case 0x90:
    case 0x99:
      return 'invalid';
    case 0x80:
      return 'internal';
    case 0x83:
      return 'conflict';
    default:
      return undefined; // 0x97 is both too_large and rate_limited: without rtm-status it cannot be told apart
  }
}

function byStatus(status: string | undefined, message: string, extra: { reasonCode?: number; status?: string; reasonString?: string }): RtmError {
  switch (status) {
    case 'forbidden':
      return new ForbiddenError('FORBIDDEN', message, extra);
    case 'too_large':
      return new PayloadTooLargeError('TOO_LARGE', message, extra);
    case 'rate_limited': {
      const e = new RateLimitedError('RATE_LIMITED', message, extra);
      const m = extra.reasonString ? RETRY.exec(extra.reasonString) : null;
      if (m) e.retryAfterMs = Number(m[1]) * 1000;
      return e;
    }
    case 'invalid':
      return new InvalidRequestError('INVALID', message, extra);
    case 'unknown_method':
      return new InvalidRequestError('UNKNOWN_METHOD', message, extra);
    case 'conflict':
      return new ConflictError('CONFLICT', message, extra);
    case 'not_found':
      return new NotFoundError('NOT_FOUND', message, extra);
    case 'internal':
      return new ServerError('INTERNAL', message, extra);
    default:
      return new RtmError('UNKNOWN', message, extra);
  }
}
