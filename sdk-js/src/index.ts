export { RtmClient, PeerMessaging, Channels, Presence, Broadcasts, Attributes, History, toBase64, fromBase64 } from './client.js';
export { Calls, LocalInvitation, RemoteInvitation } from './calls.js';
export {
  RtmError,
  ForbiddenError,
  PayloadTooLargeError,
  RateLimitedError,
  InvalidRequestError,
  ConflictError,
  NotFoundError,
  ServerError,
  LimitExceededError,
  RtmTimeoutError,
  OutboxFullError,
  NotLoggedInError,
  AbortedError,
  LoginError,
} from './errors.js';
export type { RtmErrorCode, LoginErrorKind } from './errors.js';
export type * from './types.js';
