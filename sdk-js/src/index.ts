export { RtmClient, PeerMessaging, Channels, Presence, Broadcasts, Attributes, History, toBase64, fromBase64 } from './client.js';
export { Calls, LocalInvitation, RemoteInvitation } from './calls.js';
export * from './errors.js';
export type * from './types.js';
