/* The OpenRTM web client: a person signs in with a token and uses peer messages, presence and a channel. */
(function () {
    'use strict';

    var client = null;
    var me = null;
    var channel = null;
    var sent = {};
    var counter = 0;

    function $(id) {
        return document.getElementById(id);
    }

    function text(el, value) {
        el.textContent = value;
    }

    function setStatus(s) {
        text($('status'), s);
    }

    function time(ms) {
        var d = new Date(Number(ms) || Date.now());
        return d.toLocaleTimeString();
    }

    function addLog(list, line, meta, attrs) {
        var li = document.createElement('li');
        var main = document.createElement('span');
        main.className = 'text';
        text(main, line);
        li.appendChild(main);
        var m = document.createElement('span');
        m.className = 'meta';
        text(m, meta || '');
        li.appendChild(m);
        for (var k in attrs || {}) {
            if (Object.prototype.hasOwnProperty.call(attrs, k)) {
                li.setAttribute(k, attrs[k]);
            }
        }
        list.appendChild(li);
        return li;
    }

    function contact(uid) {
        var list = $('contacts');
        var items = list.getElementsByTagName('li');
        for (var i = 0; i < items.length; i++) {
            if (items[i].getAttribute('data-uid') === uid) {
                return items[i];
            }
        }
        var li = document.createElement('li');
        li.setAttribute('data-uid', uid);
        li.setAttribute('data-state', 'offline');
        var dot = document.createElement('span');
        dot.className = 'dot';
        li.appendChild(dot);
        var name = document.createElement('span');
        text(name, uid + ' (offline)');
        name.className = 'name';
        li.appendChild(name);
        list.appendChild(li);
        return li;
    }

    function member(uid, present) {
        var list = $('members');
        var items = list.getElementsByTagName('li');
        for (var i = 0; i < items.length; i++) {
            if (items[i].getAttribute('data-uid') === uid) {
                if (!present) {
                    list.removeChild(items[i]);
                }
                return;
            }
        }
        if (present) {
            var li = document.createElement('li');
            li.setAttribute('data-uid', uid);
            text(li, uid);
            list.appendChild(li);
        }
    }

    function onMessage(topic, body, props) {
        var parts = topic.split('/');
        if (parts[1] === 'user' && parts[3] === 'inbox') {
            addLog($('peer-log'), parts[4] + ': ' + body, time(props.user('rtm-ts'))
                + (props.user('rtm-offline') === 'true' ? ' (sent while you were offline)' : ''),
                {'data-from': parts[4], 'data-id': props.user('rtm-id') || ''});
        } else if (parts[1] === 'user' && parts[3] === 'presence') {
            var li = contact(parts[2]);
            var state = 'offline';
            try {
                state = JSON.parse(body).state;
            } catch (e) {
                state = 'offline';
            }
            li.setAttribute('data-state', state);
            text(li.getElementsByTagName('span')[1], parts[2] + ' (' + state + ')');
        } else if (parts[1] === 'user' && parts[3] === 'event') {
            var event;
            try {
                event = JSON.parse(body);
            } catch (e) {
                return;
            }
            if (event.type === 'receipt' && sent[event.id]) {
                sent[event.id].setAttribute('data-status', 'received');
                text(sent[event.id].getElementsByTagName('span')[1], 'received by ' + event.to);
            }
        } else if (parts[1] === 'channel' && parts[3] === 'msg') {
            addLog($('channel-log'), parts[4] + ': ' + body, time(props.user('rtm-ts')), {'data-from': parts[4]});
        } else if (parts[1] === 'channel' && parts[3] === 'member') {
            member(parts[4], body.length > 0);
        } else if (parts[1] === 'channel' && parts[3] === 'count') {
            text($('count'), body);
        }
    }

    function login() {
        var uid = $('uid').value.trim();
        var token = $('token').value.trim();
        var url = $('ws-url').value.trim();
        text($('login-error'), '');
        setStatus('connecting');
        client = new RtmMqtt(url, uid, token, {keepAlive: 30});
        client.onMessage = onMessage;
        client.onClose = function (reason) {
            setStatus('disconnected: ' + reason);
        };
        client.connect().then(function () {
            me = uid;
            setStatus('signed in as ' + uid);
            $('login-panel').className = 'panel hidden';
            $('app').className = '';
            return client.subscribe('rtm/user/' + uid + '/event', 1).then(function () {
                return client.subscribe('rtm/user/' + uid + '/inbox/+', 1);
            });
        }).then(null, function (e) {
            setStatus('signed out');
            text($('login-error'), 'sign-in refused: ' + (e.reason || e));
        });
    }

    function sendPeer() {
        var to = $('to').value.trim();
        var body = $('peer-text').value;
        if (!to || !body) {
            return;
        }
        var li = addLog($('peer-log'), 'me \u2192 ' + to + ': ' + body, 'sending', {'data-to': to, 'data-status': 'sending'});
        counter++;
        client.publish('rtm/user/' + to + '/inbox/' + me, body, {qos: 1,
            userProperties: [['rtm-cid', me + '-' + Date.now() + '-' + counter], ['rtm-receipt', 'true']]}).then(function (ack) {
            var status = ack.status || (ack.reasonCode === 0 ? 'delivered' : 'error');
            li.setAttribute('data-status', status);
            text(li.getElementsByTagName('span')[1], status + (ack.reasonString ? ': ' + ack.reasonString : ''));
            if (ack.id) {
                sent[ack.id] = li;
            }
        });
        $('peer-text').value = '';
    }

    function watch() {
        var uid = $('watch-uid').value.trim();
        if (!uid) {
            return;
        }
        contact(uid);
        client.subscribe('rtm/user/' + uid + '/presence', 1);
        $('watch-uid').value = '';
    }

    function join() {
        var cid = $('cid').value.trim();
        if (!cid) {
            return;
        }
        if (channel) {
            leave();
        }
        channel = cid;
        client.subscribe('rtm/channel/' + cid + '/member/+', 1).then(function () {
            return client.subscribe('rtm/channel/' + cid + '/count', 1);
        }).then(function () {
            return client.subscribe('rtm/channel/' + cid + '/msg/+', 1, true);
        }).then(function (ack) {
            if (ack.reasonCodes[0] >= 0x80) {
                addLog($('channel-log'), 'could not join ' + cid, ack.reasonString || '');
            }
        });
    }

    function leave() {
        if (!channel) {
            return;
        }
        client.unsubscribe('rtm/channel/' + channel + '/msg/+');
        client.unsubscribe('rtm/channel/' + channel + '/member/+');
        client.unsubscribe('rtm/channel/' + channel + '/count');
        $('members').innerHTML = '';
        text($('count'), '0');
        channel = null;
    }

    function sendChannel() {
        var body = $('channel-text').value;
        if (!channel || !body) {
            return;
        }
        var li = addLog($('channel-log'), 'me: ' + body, 'sending', {'data-from': me});
        client.publish('rtm/channel/' + channel + '/msg/' + me, body, {qos: 1}).then(function (ack) {
            text(li.getElementsByTagName('span')[1], (ack.status || 'error')
                + (ack.props && ack.props.user('rtm-recipients') !== null
                    ? ' to ' + ack.props.user('rtm-recipients') : '')
                + (ack.reasonString ? ': ' + ack.reasonString : ''));
        });
        $('channel-text').value = '';
    }

    function logout() {
        if (client) {
            client.disconnect();
        }
        client = null;
        me = null;
        channel = null;
        setStatus('signed out');
        $('app').className = 'hidden';
        $('login-panel').className = 'panel';
    }

    function bind(id, fn) {
        $(id).addEventListener('click', fn);
    }

    bind('login', login);
    bind('peer-send', sendPeer);
    bind('watch', watch);
    bind('join', join);
    bind('leave', leave);
    bind('channel-send', sendChannel);
    bind('logout', logout);

    var xhr = new XMLHttpRequest();
    xhr.onload = function () {
        try {
            var c = JSON.parse(xhr.responseText);
            if (!$('ws-url').value && c.wsPort > 0) {
                $('ws-url').value = 'ws://' + location.hostname + ':' + c.wsPort + c.wsPath;
            }
        } catch (e) {
            text($('login-error'), 'cannot read /config.json');
        }
    };
    xhr.open('GET', '/config.json');
    xhr.send();
}());
