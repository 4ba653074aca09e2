/*
 * The OpenRTM web client: a person signs in with a token and uses peer messages, presence and a channel. Built on the
 * TypeScript SDK's browser bundle (openrtm.min.js, a copy of sdk-js/dist kept equal by sdk-js's tests).
 */
import { RtmClient } from './openrtm.min.js';

let client = null;
let me = null;
let channel = null;

const $ = (id) => document.getElementById(id);
const time = (ms) => new Date(Number(ms) || Date.now()).toLocaleTimeString();

/** The one place that says how the connection is: header text, its colour (data-state) and the visible panels. */
function showConnection(state, detail) {
  const status = $('status');
  const words = {
    CONNECTING: 'connecting\u2026',
    CONNECTED: 'signed in as ' + me,
    RECONNECTING: 'reconnecting\u2026' + (detail ? ' (' + detail + ')' : ''),
    DISCONNECTED: 'signed out' + (detail ? ': ' + detail : ''),
    ABORTED: 'signed out: ' + (detail || 'the session ended'),
  };
  status.textContent = words[state];
  status.setAttribute('data-state', state.toLowerCase());
  const signedIn = state === 'CONNECTED' || state === 'RECONNECTING';
  $('login-panel').classList.toggle('hidden', signedIn);
  $('login').disabled = state === 'CONNECTING';
  $('app').classList.toggle('hidden', !signedIn);
  $('me').textContent = signedIn ? me : '';
  $('logout').classList.toggle('hidden', !signedIn);
}

function addLog(list, line, meta, attrs) {
  const li = document.createElement('li');
  const main = document.createElement('span');
  main.className = 'text';
  main.textContent = line;
  const m = document.createElement('span');
  m.className = 'meta';
  m.textContent = meta || '';
  li.append(main, m);
  for (const [k, v] of Object.entries(attrs || {})) {
    li.setAttribute(k, v);
  }
  list.appendChild(li);
  list.scrollTop = list.scrollHeight;
  return li;
}

function meta(li, text) {
  li.querySelector('.meta').textContent = text;
}

function contact(uid) {
  let li = $('contacts').querySelector('li[data-uid="' + CSS.escape(uid) + '"]');
  if (!li) {
    li = document.createElement('li');
    li.setAttribute('data-uid', uid);
    const dot = document.createElement('span');
    dot.className = 'dot';
    const name = document.createElement('span');
    name.className = 'name';
    li.append(dot, name);
    $('contacts').appendChild(li);
    presence(uid, 'offline');
  }
  return li;
}

function presence(uid, state) {
  const li = contact(uid);
  li.setAttribute('data-state', state);
  li.querySelector('.name').textContent = uid + ' (' + state + ')';
}

function member(uid, present) {
  const li = $('members').querySelector('li[data-uid="' + CSS.escape(uid) + '"]');
  if (li && !present) {
    li.remove();
  } else if (!li && present) {
    const item = document.createElement('li');
    item.setAttribute('data-uid', uid);
    item.textContent = uid;
    $('members').appendChild(item);
  }
}

function listen(c) {
  c.on('connectionStateChanged', (change) => {
    if (c === client) {
      showConnection(change.state, change.state === 'CONNECTED' ? '' : change.reasonString || reasonWords(change.reason));
    }
  });
  c.on('peerMessage', (m) => {
    addLog($('peer-log'), m.from + ': ' + (m.text ?? '(' + m.payload.length + ' bytes)'),
      time(m.serverTime) + (m.offline ? ' (sent while you were offline)' : ''),
      { 'data-from': m.from, 'data-id': m.messageId });
  });
  c.on('presence', (e) => presence(e.uid, e.state.toLowerCase()));
  c.on('memberJoined', (e) => e.channel === channel && member(e.uid, true));
  c.on('memberLeft', (e) => e.channel === channel && member(e.uid, false));
  c.on('channelCount', (e) => {
    if (e.channel === channel) {
      $('count').textContent = String(e.count);
    }
  });
  c.on('channelMessage', (m) => {
    if (m.channel === channel) {
      addLog($('channel-log'), m.from + ': ' + (m.text ?? '(' + m.payload.length + ' bytes)'), time(m.serverTime),
        { 'data-from': m.from, 'data-id': m.messageId });
    }
  });
}

function reasonWords(reason) {
  return {
    LOGIN: '', LOGIN_SUCCESS: '', LOGOUT: '', LOGIN_FAILURE: 'sign-in refused', INTERRUPTED: 'connection lost',
    RECONNECTED: '', TOKEN_EXPIRED: 'the token expired', REMOTE_LOGIN: 'signed in elsewhere', BANNED: 'banned',
    KICKED: 'removed by the server',
  }[reason] || '';
}

async function login() {
  const uid = $('uid').value.trim();
  const token = $('token').value.trim();
  const url = $('ws-url').value.trim();
  $('login-error').textContent = '';
  me = uid;
  let c;
  try {
    c = new RtmClient({ url, uid, token });
  } catch (e) {
    $('login-error').textContent = 'cannot sign in: ' + e.message;
    return;
  }
  client = c;
  listen(c);
  try {
    await c.login();
  } catch (e) {
    if (c === client) {
      client = null;
      showConnection('DISCONNECTED', '');
      $('login-error').textContent = 'sign-in refused: ' + e.message;
    }
  }
}

async function sendPeer() {
  const to = $('to').value.trim();
  const body = $('peer-text').value;
  if (!client || !to || !body) {
    return;
  }
  $('peer-text').value = '';
  const at = time(Date.now());
  const li = addLog($('peer-log'), 'me \u2192 ' + to + ': ' + body, at + ' \u00b7 sending',
    { 'data-to': to, 'data-status': 'sending', class: 'mine' });
  try {
    const r = await client.peer.send(to, body, { receipt: true });
    li.setAttribute('data-status', r.status.toLowerCase());
    li.setAttribute('data-id', r.messageId);
    meta(li, at + ' \u00b7 ' + r.status.toLowerCase());
    const receipt = await r.receipt;
    li.setAttribute('data-status', 'received');
    meta(li, at + ' \u00b7 received by ' + receipt.to);
  } catch (e) {
    li.setAttribute('data-status', 'error');
    meta(li, at + ' \u00b7 not sent: ' + e.message);
  }
}

async function watch() {
  const uid = $('watch-uid').value.trim();
  if (!client || !uid) {
    return;
  }
  $('watch-uid').value = '';
  contact(uid);
  try {
    await client.presence.subscribe([uid]);
  } catch (e) {
    contact(uid).querySelector('.name').textContent = uid + ' (cannot watch: ' + e.message + ')';
  }
}

async function join() {
  const cid = $('cid').value.trim();
  if (!client || !cid || cid === channel) {
    return;
  }
  await leave();
  channel = cid;
  $('channel-name').textContent = cid;
  try {
    await client.channels.join(cid);
  } catch (e) {
    channel = null;
    $('channel-name').textContent = '';
    addLog($('channel-log'), 'could not join ' + cid, e.message);
  }
}

async function leave() {
  const cid = channel;
  if (!cid) {
    return;
  }
  channel = null;
  $('members').replaceChildren();
  $('count').textContent = '0';
  $('channel-name').textContent = '';
  try {
    await client.channels.leave(cid);
  } catch (e) {
    addLog($('channel-log'), 'could not leave ' + cid, e.message);
  }
}

async function sendChannel() {
  const body = $('channel-text').value;
  if (!client || !channel || !body) {
    return;
  }
  $('channel-text').value = '';
  const at = time(Date.now());
  const li = addLog($('channel-log'), 'me: ' + body, at + ' \u00b7 sending', { 'data-from': me, class: 'mine' });
  try {
    const r = await client.channels.send(channel, body);
    li.setAttribute('data-id', r.messageId);
    meta(li, at + ' \u00b7 delivered to ' + r.recipients + (r.recipients === 1 ? ' member' : ' members'));
  } catch (e) {
    meta(li, at + ' \u00b7 not sent: ' + e.message);
  }
}

async function logout() {
  const c = client;
  client = null;
  channel = null;
  for (const id of ['contacts', 'members', 'peer-log', 'channel-log']) {
    $(id).replaceChildren();
  }
  $('count').textContent = '0';
  $('channel-name').textContent = '';
  showConnection('DISCONNECTED', '');
  if (c) {
    await c.logout().catch(() => undefined);
  }
}

function onClickOrEnter(button, fn, ...inputs) {
  $(button).addEventListener('click', fn);
  for (const input of inputs) {
    $(input).addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        fn();
      }
    });
  }
}

onClickOrEnter('login', login, 'token');
onClickOrEnter('peer-send', sendPeer, 'peer-text');
onClickOrEnter('watch', watch, 'watch-uid');
onClickOrEnter('join', join, 'cid');
onClickOrEnter('leave', leave);
onClickOrEnter('channel-send', sendChannel, 'channel-text');
onClickOrEnter('logout', logout);

fetch('/config.json').then((r) => r.json()).then((c) => {
  if (!$('ws-url').value && c.wsPort > 0) {
    $('ws-url').value = 'ws://' + location.hostname + ':' + c.wsPort + c.wsPath;
  }
}).catch(() => {
  $('login-error').textContent = 'cannot read /config.json';
});
