/** The topic scheme of docs/protocol.md: every topic the SDK uses is built and parsed here. */

const ID = /^[A-Za-z0-9_\-.@:~]+$/;

function check(kind: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > max || !ID.test(value)) {
    const shown = typeof value === 'string' ? `'${value.length > 80 ? value.slice(0, 80) + '…' : value}'` : String(value);
    throw new TypeError(`${kind} must be 1 to ${max} characters of A-Z a-z 0-9 _ - . @ : ~, but was ${shown}`);
  }
  return value;
}

export const uid = (v: unknown, name = 'uid'): string => check(name, v, 64);
export const cid = (v: unknown, name = 'channel'): string => check(name, v, 64);
export const key = (v: unknown, name = 'attribute key'): string => check(name, v, 32);

export const topics = {
  inbox: (to: string, from: string) => `rtm/user/${to}/inbox/${from}`,
  inboxFilter: (me: string) => `rtm/user/${me}/inbox/+`,
  event: (me: string) => `rtm/user/${me}/event`,
  call: (to: string, from: string) => `rtm/user/${to}/call/${from}`,
  callFilter: (me: string) => `rtm/user/${me}/call/+`,
  presence: (u: string) => `rtm/user/${u}/presence`,
  userAttr: (u: string, k: string) => `rtm/user/${u}/attr/${k}`,
  userAttrFilter: (u: string) => `rtm/user/${u}/attr/+`,
  channelMsg: (c: string, from: string) => `rtm/channel/${c}/msg/${from}`,
  channelJoin: (c: string) => `rtm/channel/${c}/msg/+`,
  channelMembers: (c: string) => `rtm/channel/${c}/member/+`,
  channelCount: (c: string) => `rtm/channel/${c}/count`,
  channelAttr: (c: string, k: string) => `rtm/channel/${c}/attr/${k}`,
  channelAttrFilter: (c: string) => `rtm/channel/${c}/attr/+`,
  broadcast: (from: string) => `rtm/all/${from}`,
  broadcastFilter: () => 'rtm/all/+',
  rpc: (method: string) => `rtm/rpc/${method}`,
};

export type ParsedTopic =
  | { kind: 'inbox'; from: string }
  | { kind: 'event' }
  | { kind: 'call'; from: string }
  | { kind: 'presence'; uid: string }
  | { kind: 'userAttr'; uid: string; key: string }
  | { kind: 'channelMsg'; cid: string; from: string }
  | { kind: 'member'; cid: string; uid: string }
  | { kind: 'count'; cid: string }
  | { kind: 'channelAttr'; cid: string; key: string }
  | { kind: 'broadcast'; from: string }
  | { kind: 'other' };

/** What a topic delivered to `me` is. */
export function parse(topic: string, me: string): ParsedTopic {
  const l = topic.split('/');
  if (l[0] !== 'rtm') return { kind: 'other' };
  if (l[1] === 'user' && l.length === 5 && l[2] === me && l[3] === 'inbox') return { kind: 'inbox', from: l[4] };
  if (l[1] === 'user' && l.length === 4 && l[2] === me && l[3] === 'event') return { kind: 'event' };
  if (l[1] === 'user' && l.length === 5 && l[2] === me && l[3] === 'call') return { kind: 'call', from: l[4] };
  if (l[1] === 'user' && l.length === 4 && l[3] === 'presence') return { kind: 'presence', uid: l[2] };
  if (l[1] === 'user' && l.length === 5 && l[3] === 'attr') return { kind: 'userAttr', uid: l[2], key: l[4] };
  if (l[1] === 'channel' && l.length === 5 && l[3] === 'msg') return { kind: 'channelMsg', cid: l[2], from: l[4] };
  if (l[1] === 'channel' && l.length === 5 && l[3] === 'member') return { kind: 'member', cid: l[2], uid: l[4] };
  if (l[1] === 'channel' && l.length === 4 && l[3] === 'count') return { kind: 'count', cid: l[2] };
  if (l[1] === 'channel' && l.length === 5 && l[3] === 'attr') return { kind: 'channelAttr', cid: l[2], key: l[4] };
  if (l[1] === 'all' && l.length === 3) return { kind: 'broadcast', from: l[2] };
  return { kind: 'other' };
}

const encoder = typeof TextEncoder !== 'undefined' ? new TextEncoder() : undefined;
const decoder = typeof TextDecoder !== 'undefined' ? new TextDecoder('utf-8', { fatal: true }) : undefined;

/** UTF-8 bytes of a string (TextEncoder where there is one; mini-program runtimes may lack it). */
export function utf8(s: string): Uint8Array {
  if (encoder) return encoder.encode(s);
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
}

/** The text of UTF-8 bytes, or undefined when they are not valid UTF-8. */
export function text(b: Uint8Array): string | undefined {
  if (decoder) {
    try {
      return decoder.decode(b);
    } catch {
      return undefined;
    }
  }
  let s = '';
  for (let i = 0; i < b.length; ) {
    const x = b[i++];
    let c: number;
    if (x < 0x80) c = x;
    else if (x >= 0xc2 && x < 0xe0) c = ((x & 31) << 6) | (b[i++] & 63);
    else if (x >= 0xe0 && x < 0xf0) c = ((x & 15) << 12) | ((b[i++] & 63) << 6) | (b[i++] & 63);
    else if (x >= 0xf0 && x < 0xf5) c = ((x & 7) << 18) | ((b[i++] & 63) << 12) | ((b[i++] & 63) << 6) | (b[i++] & 63);
    else return undefined;
    if (i > b.length) return undefined;
    s += String.fromCodePoint(c);
  }
  return s;
}
