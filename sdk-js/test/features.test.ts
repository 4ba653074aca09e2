import { afterAll, describe, expect, it } from 'vitest';
import {
  Attributes,
  ConflictError,
  ForbiddenError,
  InvalidRequestError,
  LimitExceededError,
  type AttributeEvent,
  type BroadcastMessage,
  type ChannelCount,
  type ChannelMessage,
  type HistoryMessage,
  type MemberEvent,
  type PresenceEvent,
} from '../src/index.js';
import { client, closeAll, token, until, uniqueUid } from './helpers.js';

afterAll(closeAll);

describe('channels', () => {
  it('join, members and counts as events, send to all / only / except, leave', async () => {
    const room = uniqueUid('room');
    const [a, b, c] = ['a', 'b', 'c'].map((n) => client(uniqueUid(n)));
    const got = new Map<string, ChannelMessage[]>();
    for (const x of [a, b, c]) {
      got.set(x.uid, []);
      x.on('channelMessage', (m) => got.get(x.uid)!.push(m));
      await x.login();
    }
    const joins: MemberEvent[] = [];
    const leaves: MemberEvent[] = [];
    const counts: ChannelCount[] = [];
    a.on('memberJoined', (e) => joins.push(e));
    a.on('memberLeft', (e) => leaves.push(e));
    a.on('channelCount', (e) => counts.push(e));
    await b.channels.join(room);
    await a.channels.join(room);
    await c.channels.join(room);
    expect(a.channels.joined()).toEqual([room]);
    await until(() => joins.length === 3, 'three members');
    expect(joins.find((j) => j.uid === b.uid)).toMatchObject({ channel: room, initial: true });
    expect(joins.find((j) => j.uid === c.uid)).toMatchObject({ channel: room, initial: false });
    await until(() => counts.at(-1)?.count === 3, 'count 3', 5000);

    const all = await a.channels.send(room, 'to all');
    expect(all.recipients).toBe(2);
    const only = await a.channels.send(room, 'only b', { only: [b.uid] });
    expect(only.recipients).toBe(1);
    const except = await a.channels.send(room, 'all but b', { except: [b.uid] });
    expect(except.recipients).toBe(1);
    await until(() => got.get(b.uid)!.length === 2 && got.get(c.uid)!.length === 2, 'the channel messages');
    expect(got.get(b.uid)!.map((m) => m.text)).toEqual(['to all', 'only b']);
    expect(got.get(c.uid)!.map((m) => m.text)).toEqual(['to all', 'all but b']);
    expect(got.get(a.uid)).toEqual([]); // No Local: not its own
    expect(got.get(b.uid)![0]).toMatchObject({ channel: room, from: a.uid, messageId: all.messageId });

    expect((await a.channels.members(room)).members.sort()).toEqual([a.uid, b.uid, c.uid].sort());
    expect(await b.channels.allMembers(room)).toHaveLength(3);
    expect(await b.channels.count(room)).toBe(3);
    expect(await b.channels.joinedOnServer(c.uid)).toEqual([room]);

    await c.channels.leave(room);
    await until(() => leaves.length === 1, 'c left');
    expect(leaves[0]).toMatchObject({ channel: room, uid: c.uid });
    const e = await c.channels.send(room, 'not a member any more').catch((x) => x);
    expect(e).toBeInstanceOf(ForbiddenError);
    expect(e.message).toContain('not a member');
  });

  it('past the server limit of 50 channels a join fails with LimitExceededError CHANNELS_JOINED', async () => {
    const a = client(uniqueUid('joiner'));
    await a.login();
    for (let i = 0; i < 50; i++) await a.channels.join(`ch${i}-${a.uid}`.slice(0, 64), { memberEvents: false });
    const e = await a.channels.join(`one-too-many-${a.uid}`.slice(0, 64)).catch((x) => x);
    expect(e).toBeInstanceOf(LimitExceededError);
    expect(e.limit).toBe('CHANNELS_JOINED');
    expect(e.message).toContain('50');
    expect(a.channels.joined()).toHaveLength(50);
  });
});

describe('presence', () => {
  it('query, then watch: the current state, then every change', async () => {
    const watcher = client(uniqueUid('watcher'));
    const watched = client(uniqueUid('watched'));
    await watcher.login();
    expect(await watcher.presence.query([watched.uid, watcher.uid])).toEqual({ [watched.uid]: 'OFFLINE', [watcher.uid]: 'ONLINE' });
    const events: PresenceEvent[] = [];
    watcher.on('presence', (e) => events.push(e));
    await watched.login();
    await watcher.presence.subscribe([watched.uid]);
    await until(() => events.length === 1, 'the current state');
    expect(events[0]).toMatchObject({ uid: watched.uid, state: 'ONLINE', via: 'mqtt', initial: true });
    await watched.logout();
    await until(() => events.length === 2, 'the change');
    expect(events[1]).toMatchObject({ uid: watched.uid, state: 'OFFLINE', initial: false });
    expect(watcher.presence.subscriptions()).toEqual([watched.uid]);
    await watcher.presence.unsubscribe([watched.uid]);
    expect(watcher.presence.subscriptions()).toEqual([]);
  });
});

describe('broadcasts', () => {
  it('a service broadcasts to every listener; a user may not', async () => {
    const svcUid = uniqueUid('svc');
    const svc = client(svcUid, { token: token(svcUid, { role: 'service' }) });
    const listener = client(uniqueUid('listener'));
    const got: BroadcastMessage[] = [];
    listener.on('broadcast', (m) => got.push(m));
    await svc.login();
    await listener.login();
    await listener.broadcasts.listen();
    expect(listener.broadcasts.isListening()).toBe(true);
    const r = await svc.broadcasts.send('maintenance at 02:00');
    expect(r.recipients).toBeGreaterThanOrEqual(1);
    await until(() => got.length === 1, 'the broadcast');
    expect(got[0]).toMatchObject({ from: svcUid, text: 'maintenance at 02:00', messageId: r.messageId });
    const e = await listener.broadcasts.send('me too').catch((x) => x);
    expect(e).toBeInstanceOf(ForbiddenError);
    expect(e.message).toContain('service');
  });
});

describe('attributes', () => {
  it('merge, set, get, delete, clear with revisions; watchers see values and changes', async () => {
    const car = client(uniqueUid('car'));
    const phone = client(uniqueUid('phone'));
    await car.login();
    await phone.login();
    const me = Attributes.user(car.uid);
    expect(await car.attributes.merge(me, { fw: '2.4.1', locked: 'true' })).toEqual({ fw: 1, locked: 1 });
    const events: AttributeEvent[] = [];
    phone.on('attribute', (e) => events.push(e));
    await phone.attributes.subscribe(me);
    await until(() => events.length === 2, 'the current values');
    expect(events.every((e) => e.initial)).toBe(true);

    await car.attributes.merge(me, { photo: new Uint8Array([1, 2, 255]) });
    const all = await phone.attributes.get(me);
    expect(Object.keys(all).sort()).toEqual(['fw', 'locked', 'photo']);
    expect(all.fw).toMatchObject({ text: '2.4.1', revision: 1, by: car.uid });
    expect([...all.photo.value]).toEqual([1, 2, 255]);
    await until(() => events.length === 3, 'the new key');
    expect(events[2]).toMatchObject({ key: 'photo', revision: 1, deleted: false, initial: false });

    expect(await car.attributes.set(me, { locked: 'false' })).toMatchObject({ locked: 2 });
    expect(Object.keys(await car.attributes.get(me))).toEqual(['locked']);
    await car.attributes.delete(me, ['locked']);
    await until(() => events.some((e) => e.key === 'locked' && e.deleted), 'the deletion');
    await car.attributes.merge(me, { a: '1', b: '2' });
    await car.attributes.clear(me);
    expect(await car.attributes.get(me)).toEqual({});
  });

  it("compare-and-set: a stale revision fails with ConflictError and changes nothing; another user's attributes are forbidden", async () => {
    const a = client(uniqueUid('a'));
    const b = client(uniqueUid('b'));
    await a.login();
    await b.login();
    const room = uniqueUid('race');
    await a.channels.join(room);
    await b.channels.join(room);
    const owner = Attributes.channel(room);
    expect(await a.attributes.merge(owner, { owner: a.uid }, { ifRev: { owner: 0 } })).toEqual({ owner: 1 });
    const e = await b.attributes.merge(owner, { owner: b.uid }, { ifRev: { owner: 0 } }).catch((x) => x);
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.message).toContain('revision');
    expect((await b.attributes.get(owner)).owner.text).toBe(a.uid);
    expect(await b.attributes.merge(owner, { owner: b.uid }, { ifRev: { owner: 1 } })).toEqual({ owner: 2 });

    const f = await b.attributes.merge(Attributes.user(a.uid), { x: 'y' }).catch((x) => x);
    expect(f).toBeInstanceOf(ForbiddenError);
  });
});

describe('history', () => {
  it('pages through a peer conversation and a channel, with an async iterator', async () => {
    const a = client(uniqueUid('a'));
    const b = client(uniqueUid('b'));
    await a.login();
    await b.login();
    for (let i = 0; i < 7; i++) await a.peer.send(b.uid, `p${i}`);
    await a.peer.send(b.uid, 'not kept', { history: false });
    const first = await b.history.query({ peer: a.uid, pageSize: 3 });
    expect(first.messages.map((m) => m.text)).toEqual(['p6', 'p5', 'p4']);
    expect(first.hasMore).toBe(true);
    expect((await first.next()).messages.map((m) => m.text)).toEqual(['p3', 'p2', 'p1']);
    const oldestFirst: HistoryMessage[] = [];
    for await (const m of b.history.messages({ peer: a.uid, pageSize: 2, order: 'asc' })) oldestFirst.push(m);
    expect(oldestFirst.map((m) => m.text)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
    expect(oldestFirst[0]).toMatchObject({ from: a.uid, to: b.uid });
    let pages = 0;
    for await (const page of a.history.pages({ peer: b.uid, pageSize: 3 })) pages += page.messages.length ? 1 : 0;
    expect(pages).toBe(3);

    const room = uniqueUid('hist');
    await a.channels.join(room);
    await a.channels.send(room, 'c0');
    await a.channels.send(room, 'c1');
    const ch = await a.history.all({ channel: room, order: 'asc' });
    expect(ch.map((m) => [m.text, m.channel])).toEqual([['c0', room], ['c1', room]]);
    const e = await b.history.query({ channel: room }).catch((x) => x);
    expect(e).toBeInstanceOf(ForbiddenError);
  });
});

describe('requests', () => {
  it('server.info tells the limits and the caller; an unknown method is an InvalidRequestError', async () => {
    const a = client(uniqueUid('a'));
    await a.login();
    const info = await a.serverInfo();
    expect(info).toMatchObject({ uid: a.uid, role: 'user' });
    expect(info.limits.maxPayloadBytes).toBe(8192);
    const e = await a.request('no.such.method', {}).catch((x: InvalidRequestError) => x);
    // the server refuses it twice: in the PUBACK (invalid) and in the reply (unknown_method); whichever comes first
    // decides, both name the methods it knows
    expect(e).toBeInstanceOf(InvalidRequestError);
    expect(['INVALID', 'UNKNOWN_METHOD']).toContain(e.code);
    expect(e.message).toContain('server.info');
  });
});
