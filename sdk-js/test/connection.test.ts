import { afterAll, describe, expect, it } from 'vitest';
import { AbortedError, LoginError, NotLoggedInError, OutboxFullError, RtmClient, RtmTimeoutError, type ConnectionChange, type MemberEvent, type PresenceEvent } from '../src/index.js';
import { broker, client, closeAll, CuttableProxy, rawClient, token, until, uniqueUid } from './helpers.js';

afterAll(closeAll);

const url = () => `mqtt://127.0.0.1:${broker().mqttPort}`;

describe('login and connection states', () => {
  it('login: CONNECTING then CONNECTED with their reasons; logout: DISCONNECTED; a client can log in again', async () => {
    const c = client(uniqueUid('state'));
    const changes: ConnectionChange[] = [];
    c.on('connectionStateChanged', (ch) => changes.push(ch));
    await c.login();
    expect(c.state).toBe('CONNECTED');
    await c.logout();
    await c.login();
    await c.logout();
    expect(changes.map((ch) => `${ch.state}/${ch.reason}`)).toEqual([
      'CONNECTING/LOGIN',
      'CONNECTED/LOGIN_SUCCESS',
      'DISCONNECTED/LOGOUT',
      'CONNECTING/LOGIN',
      'CONNECTED/LOGIN_SUCCESS',
      'DISCONNECTED/LOGOUT',
    ]);
  });

  it('a token signed with another secret: LoginError BAD_TOKEN with the server reason (CONNACK 0x86)', async () => {
    const uid = uniqueUid('eve');
    const c = client(uid, { token: token(uid, { secret: 'not-the-deployment-secret-0123456789' }) });
    const changes: ConnectionChange[] = [];
    c.on('connectionStateChanged', (ch) => changes.push(ch));
    const e = await c.login().catch((x) => x);
    expect(e).toBeInstanceOf(LoginError);
    expect(e.error).toBe('BAD_TOKEN');
    expect(e.reasonCode).toBe(0x86);
    expect(e.message).toContain('signature');
    expect(c.state).toBe('DISCONNECTED');
    expect(changes.at(-1)).toMatchObject({ state: 'DISCONNECTED', reason: 'LOGIN_FAILURE', reasonCode: 0x86 });
  });

  it("another user's token: BAD_TOKEN naming both uids; an expired token: TOKEN_EXPIRED (0x87)", async () => {
    const uid = uniqueUid('eve');
    const wrong = await client(uid, { token: token('alice') }).login().catch((x) => x);
    expect(wrong.error).toBe('BAD_TOKEN');
    expect(wrong.message).toContain(uid);
    const expired = await client(uniqueUid('old'), { token: undefined, tokenSupplier: (u) => token(u, { ttlSeconds: -3600 }) })
      .login()
      .catch((x) => x);
    expect(expired).toBeInstanceOf(LoginError);
    expect(expired.error).toBe('TOKEN_EXPIRED');
    expect(expired.reasonCode).toBe(0x87);
  });

  it('a bad uid is refused at once, naming the rule and the value', () => {
    expect(() => new RtmClient({ url: url(), uid: 'a b', token: 'x' })).toThrow(/uid must be 1 to 64 characters .* but was 'a b'/);
  });

  it('nobody listening: LoginError UNREACHABLE within loginTimeout', async () => {
    const proxy = await new CuttableProxy().start();
    proxy.down = true;
    const c = client(uniqueUid('lonely'), { url: `mqtt://127.0.0.1:${proxy.port}`, loginTimeout: 1500, reconnectBackoff: { initial: 100 } });
    const e = await c.login().catch((x) => x);
    expect(e).toBeInstanceOf(LoginError);
    expect(e.error).toBe('UNREACHABLE');
    await proxy.stop();
  });

  it('a token supplier is asked again when the server refuses its token', async () => {
    const uid = uniqueUid('renew');
    let asked = 0;
    const c = client(uid, { token: undefined, tokenSupplier: async (u) => (++asked === 1 ? token(u, { ttlSeconds: -10 }) : token(u)) });
    await c.login();
    expect(asked).toBe(2);
    expect(c.state).toBe('CONNECTED');
  });

  it('sends before login fail with NotLoggedInError', async () => {
    const c = client(uniqueUid('early'));
    const e = await c.peer.send('bob', 'hi').catch((x) => x);
    expect(e).toBeInstanceOf(NotLoggedInError);
    expect(e.code).toBe('NOT_LOGGED_IN');
  });

  it('a second login with the same uid takes over: the first client is ABORTED with REMOTE_LOGIN', async () => {
    const uid = uniqueUid('twin');
    const first = client(uid);
    const changes: ConnectionChange[] = [];
    first.on('connectionStateChanged', (ch) => changes.push(ch));
    await first.login();
    const second = client(uid);
    await second.login();
    await until(() => first.state === 'ABORTED', 'the first client aborted');
    expect(changes.at(-1)).toMatchObject({ state: 'ABORTED', reason: 'REMOTE_LOGIN', reasonCode: 0x8e });
    expect(second.state).toBe('CONNECTED');
    const e = await first.peer.send('bob', 'still there?').catch((x) => x);
    expect(e).toBeInstanceOf(NotLoggedInError);
  });
});

describe('reconnects and the outbox', () => {
  it('a cut connection: RECONNECTING/INTERRUPTED, then CONNECTED/RECONNECTED; sends made meanwhile wait and go out', async () => {
    const proxy = await new CuttableProxy().start();
    const alice = client(uniqueUid('alice'), { url: `mqtt://127.0.0.1:${proxy.port}`, reconnectBackoff: { initial: 200, max: 400 } });
    const bob = client(uniqueUid('bob'));
    const texts: string[] = [];
    bob.on('peerMessage', (m) => texts.push(m.text!));
    const changes: ConnectionChange[] = [];
    alice.on('connectionStateChanged', (ch) => changes.push(ch));
    await alice.login();
    await bob.login();
    await alice.channels.join('room-' + alice.uid);

    proxy.down = true;
    proxy.cut();
    await until(() => alice.state === 'RECONNECTING', 'RECONNECTING');
    const pending = alice.peer.send(bob.uid, 'sent while reconnecting');
    const request = alice.presence.query([bob.uid]);
    await new Promise((r) => setTimeout(r, 300));
    proxy.down = false;
    const r = await pending;
    expect(r.status).toBe('DELIVERED');
    expect(await request).toEqual({ [bob.uid]: 'ONLINE' });
    expect(changes.map((ch) => `${ch.state}/${ch.reason}`)).toContain('RECONNECTING/INTERRUPTED');
    expect(changes.at(-1)).toMatchObject({ state: 'CONNECTED', reason: 'RECONNECTED', sessionResumed: true });
    await until(() => texts.length === 1, 'the message');
    // still a member of the channel: it may send there
    expect((await alice.channels.send('room-' + alice.uid, 'still here')).recipients).toBe(0);
    await proxy.stop();
  });

  it('connections cut while 60 messages are in flight: each reaches the peer exactly once, in order (same rtm-cid on retries)', async () => {
    const proxy = await new CuttableProxy().start();
    const alice = client(uniqueUid('alice'), { url: `mqtt://127.0.0.1:${proxy.port}`, reconnectBackoff: { initial: 50, max: 200 }, sendTimeout: 30_000 });
    await alice.login();
    // the receiver is a plain MQTT client without the SDK's duplicate filter: what it counts is what the server delivered
    const bobUid = uniqueUid('bob');
    const bob = await rawClient(bobUid);
    const received: string[] = [];
    bob.on('message', (_t, payload) => received.push(payload.toString()));
    await bob.subscribeAsync(`rtm/user/${bobUid}/inbox/+`, { qos: 1 });

    const total = 60; // with the retries, under the server's burst of 100 publishes
    const sends: Promise<unknown>[] = [];
    let settled = 0;
    for (let i = 0; i < total; i++) sends.push(alice.peer.send(bobUid, `m${i}`).finally(() => settled++));
    let cuts = 0;
    const settledAtCut: number[] = [];
    const cutter = setInterval(() => {
      if (cuts < 3) {
        settledAtCut.push(settled);
        proxy.cut();
        cuts++;
      }
    }, 40);
    const results = (await Promise.all(sends)) as Array<{ status: string; messageId: string }>;
    clearInterval(cutter);
    expect(settledAtCut[0]).toBeLessThan(total); // the first cut hit messages still unanswered
    expect(results.every((r) => r.status === 'DELIVERED' || r.status === 'CACHED')).toBe(true);
    expect(new Set(results.map((r) => r.messageId)).size).toBe(total);
    await until(() => received.length >= total, `${total} messages`, 20_000);
    await new Promise((r) => setTimeout(r, 300)); // a duplicate would come right behind
    expect(received).toEqual(Array.from({ length: total }, (_, i) => `m${i}`));
    bob.end(true);
    await proxy.stop();
  });

  it('a send that never left the outbox times out with wasSent false; an aborted one is removed', async () => {
    const proxy = await new CuttableProxy().start();
    const alice = client(uniqueUid('alice'), { url: `mqtt://127.0.0.1:${proxy.port}`, reconnectBackoff: { initial: 5000, max: 5000, jitter: 0 } });
    await alice.login();
    proxy.down = true;
    proxy.cut();
    await until(() => alice.state === 'RECONNECTING', 'RECONNECTING');
    const timedOut = await alice.peer.send('bob', 'late', { timeout: 200 }).catch((x) => x);
    expect(timedOut).toBeInstanceOf(RtmTimeoutError);
    expect(timedOut.wasSent).toBe(false);
    const ac = new AbortController();
    const aborted = alice.peer.send('bob', 'never mind', { signal: ac.signal }).catch((x) => x);
    ac.abort();
    const e = await aborted;
    expect(e).toBeInstanceOf(AbortedError);
    expect(e.wasSent).toBe(false);
    await proxy.stop();
  });

  it('more unfinished operations than outboxCapacity: OutboxFullError at once', async () => {
    const proxy = await new CuttableProxy().start();
    const alice = client(uniqueUid('alice'), { url: `mqtt://127.0.0.1:${proxy.port}`, outboxCapacity: 3, reconnectBackoff: { initial: 5000, max: 5000, jitter: 0 } });
    await alice.login();
    proxy.down = true;
    proxy.cut();
    await until(() => alice.state === 'RECONNECTING', 'RECONNECTING');
    const waiting = [1, 2, 3].map((i) => alice.peer.send('bob', `m${i}`, { timeout: 1000 }).catch((x) => x));
    const e = await alice.peer.send('bob', 'one too many').catch((x) => x);
    expect(e).toBeInstanceOf(OutboxFullError);
    expect(e.message).toContain('outboxCapacity 3');
    await Promise.all(waiting);
    await proxy.stop();
  });
});

describe('fresh sessions and token renewal', () => {
  it('a reconnect into a fresh session rejoins the channels and renews the watches before anything is sent', async () => {
    const proxy = await new CuttableProxy().start();
    // Session Expiry 0: the server forgets the session with the connection, as after a broker restart
    const alice = client(uniqueUid('alice'), { url: `mqtt://127.0.0.1:${proxy.port}`, sessionExpiry: 0, reconnectBackoff: { initial: 100, max: 200 } });
    const bob = client(uniqueUid('bob'));
    const room = uniqueUid('room');
    const got: string[] = [];
    alice.on('channelMessage', (m) => got.push(m.text!));
    const changes: ConnectionChange[] = [];
    alice.on('connectionStateChanged', (ch) => changes.push(ch));
    const carol = client(uniqueUid('carol'));
    const left: MemberEvent[] = [];
    alice.on('memberLeft', (e) => left.push(e));
    const presence: PresenceEvent[] = [];
    alice.on('presence', (e) => presence.push(e));
    await alice.login();
    await bob.login();
    await carol.login();
    await alice.channels.join(room);
    await bob.channels.join(room);
    await carol.channels.join(room);
    await alice.presence.subscribe([bob.uid]);
    await until(() => presence.length === 1, "bob's presence");

    proxy.down = true;
    proxy.cut();
    await until(() => alice.state === 'RECONNECTING', 'RECONNECTING');
    await carol.channels.leave(room); // while alice is away: her fresh session never hears of it
    proxy.down = false;
    await until(() => changes.at(-1)?.reason === 'RECONNECTED', 'the reconnect');
    expect(changes.at(-1)!.sessionResumed).toBe(false);
    // the client compared the member list with the server's and reports who left meanwhile
    await until(() => left.length === 1, 'carol reported as left');
    expect(left[0]).toMatchObject({ channel: room, uid: carol.uid });
    // the presence watch was renewed in the fresh session, without repeating the state already told
    await new Promise((r) => setTimeout(r, 200));
    expect(presence).toHaveLength(1);
    // a send right after the reconnect is not refused for want of membership
    expect((await alice.channels.send(room, 'back')).recipients).toBe(1);
    await bob.channels.send(room, 'welcome back');
    await until(() => got.includes('welcome back'), 'the channel message after the rejoin');
    expect(alice.channels.joined()).toEqual([room]);
    await bob.logout();
    await until(() => presence.length === 2, "bob's logout");
    expect(presence[1]).toMatchObject({ uid: bob.uid, state: 'OFFLINE' });
    await proxy.stop();
  });

  it('a refused token on reconnect: RECONNECTING/TOKEN_EXPIRED until renewToken gives a good one', async () => {
    const proxy = await new CuttableProxy().start();
    const uid = uniqueUid('renew');
    const c = client(uid, { url: `mqtt://127.0.0.1:${proxy.port}`, reconnectBackoff: { initial: 100, max: 300 } });
    const changes: ConnectionChange[] = [];
    c.on('connectionStateChanged', (ch) => changes.push(ch));
    await c.login();
    c.renewToken(token(uid, { secret: 'a-secret-the-server-does-not-know-0123' }));
    proxy.cut();
    await until(() => changes.some((ch) => ch.reason === 'TOKEN_EXPIRED'), 'TOKEN_EXPIRED');
    expect(changes.find((ch) => ch.reason === 'TOKEN_EXPIRED')).toMatchObject({ state: 'RECONNECTING', reasonCode: 0x86 });
    c.renewToken(token(uid));
    await until(() => c.state === 'CONNECTED', 'the reconnect with the new token');
    expect(changes.at(-1)!.reason).toBe('RECONNECTED');
    await proxy.stop();
  });
});
