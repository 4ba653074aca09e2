/*
 * rtm-mqtt.js: a small MQTT 5 client over WebSocket for the OpenRTM web pages.
 * Covers what the pages need: CONNECT with a token, SUBSCRIBE/UNSUBSCRIBE, PUBLISH at QoS 0 and 1 with
 * user properties, PUBACK both ways, keep-alive, DISCONNECT. Written in plain ES5 so that every browser (and
 * HtmlUnit in the tests) runs it.
 */
(function (global) {
    'use strict';

    function utf8Encode(s) {
        var out = [];
        for (var i = 0; i < s.length; i++) {
            var c = s.charCodeAt(i);
            if (c >= 0xD800 && c <= 0xDBFF && i + 1 < s.length) {
                var d = s.charCodeAt(i + 1);
                if (d >= 0xDC00 && d <= 0xDFFF) {
                    c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
                    i++;
                }
            }
            if (c < 0x80) {
                out.push(c);
            } else if (c < 0x800) {
                out.push(0xC0 | (c >> 6), 0x80 | (c & 63));
            } else if (c < 0x10000) {
                out.push(0xE0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
            } else {
                out.push(0xF0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
            }
        }
        return out;
    }

    function utf8Decode(bytes, from, to) {
        var s = '';
        var i = from;
        while (i < to) {
            var b = bytes[i++];
            var c;
            if (b < 0x80) {
                c = b;
            } else if (b < 0xE0) {
                c = ((b & 31) << 6) | (bytes[i++] & 63);
            } else if (b < 0xF0) {
                c = ((b & 15) << 12) | ((bytes[i++] & 63) << 6) | (bytes[i++] & 63);
            } else {
                c = ((b & 7) << 18) | ((bytes[i++] & 63) << 12) | ((bytes[i++] & 63) << 6) | (bytes[i++] & 63);
            }
            if (c >= 0x10000) {
                c -= 0x10000;
                s += String.fromCharCode(0xD800 + (c >> 10), 0xDC00 + (c & 1023));
            } else {
                s += String.fromCharCode(c);
            }
        }
        return s;
    }

    function varint(n) {
        var out = [];
        do {
            var b = n % 128;
            n = Math.floor(n / 128);
            out.push(n > 0 ? b | 128 : b);
        } while (n > 0);
        return out;
    }

    function str(s) {
        var b = utf8Encode(s);
        return [b.length >> 8, b.length & 255].concat(b);
    }

    function bin(b) {
        return [b.length >> 8, b.length & 255].concat(b);
    }

    function packet(first, body) {
        return bytes([first].concat(varint(body.length), body));
    }

    /** An ArrayBuffer of the given bytes: every WebSocket implementation sends that as one binary frame. */
    function bytes(list) {
        return new Uint8Array(list).buffer;
    }

    function props(list) {
        var body = [];
        for (var i = 0; i < list.length; i++) {
            body = body.concat(list[i]);
        }
        return varint(body.length).concat(body);
    }

    /** Reads MQTT 5 properties at bytes[pos]; returns {props, next}. */
    function readProps(bytes, pos) {
        var len = 0;
        var mul = 1;
        var b;
        do {
            b = bytes[pos++];
            len += (b & 127) * mul;
            mul *= 128;
        } while (b & 128);
        var end = pos + len;
        var p = {userProperties: []};
        function u16() {
            var v = (bytes[pos] << 8) | bytes[pos + 1];
            pos += 2;
            return v;
        }
        function u32() {
            var v = ((bytes[pos] << 24) >>> 0) + (bytes[pos + 1] << 16) + (bytes[pos + 2] << 8) + bytes[pos + 3];
            pos += 4;
            return v;
        }
        function s() {
            var n = u16();
            var v = utf8Decode(bytes, pos, pos + n);
            pos += n;
            return v;
        }
        function data() {
            var n = u16();
            var v = Array.prototype.slice.call(bytes, pos, pos + n);
            pos += n;
            return v;
        }
        while (pos < end) {
            var id = bytes[pos++];
            switch (id) {
                case 0x01: case 0x17: case 0x19: case 0x24: case 0x25: case 0x28: case 0x29: case 0x2A:
                    p[id] = bytes[pos++];
                    break;
                case 0x02: case 0x11: case 0x18: case 0x27:
                    p[id] = u32();
                    break;
                case 0x13: case 0x21: case 0x22: case 0x23:
                    p[id] = u16();
                    break;
                case 0x0B:
                    var v = 0;
                    var m = 1;
                    do {
                        b = bytes[pos++];
                        v += (b & 127) * m;
                        m *= 128;
                    } while (b & 128);
                    p[id] = v;
                    break;
                case 0x09: case 0x16:
                    p[id] = data();
                    break;
                case 0x26:
                    p.userProperties.push([s(), s()]);
                    break;
                default:
                    p[id] = s();
            }
        }
        p.reasonString = p[0x1F];
        p.user = function (name) {
            for (var i = 0; i < p.userProperties.length; i++) {
                if (p.userProperties[i][0] === name) {
                    return p.userProperties[i][1];
                }
            }
            return null;
        };
        return {props: p, next: end};
    }

    /**
     * A client. options: keepAlive seconds (default 30).
     * Callbacks: onMessage(topic, text, props, bytes), onClose(reason).
     */
    function RtmMqtt(url, clientId, password, options) {
        this.url = url;
        this.clientId = clientId;
        this.password = password;
        this.keepAlive = (options && options.keepAlive) || 30;
        this.nextId = 1;
        this.pending = {};
        this.buffer = [];
        this.onMessage = function () {};
        this.onClose = function () {};
    }

    RtmMqtt.prototype.connect = function () {
        var self = this;
        return new Promise(function (resolve, reject) {
            var ws = new WebSocket(self.url, 'mqtt');
            ws.binaryType = 'arraybuffer';
            self.ws = ws;
            self.connectWaiter = {resolve: resolve, reject: reject};
            ws.onopen = function () {
                var flags = 0x02 | 0x40;
                var body = str('MQTT').concat([5, flags, self.keepAlive >> 8, self.keepAlive & 255],
                    props([]), str(self.clientId), bin(utf8Encode(self.password)));
                ws.send(packet(0x10, body));
            };
            ws.onmessage = function (e) {
                var bytes = new Uint8Array(e.data);
                for (var i = 0; i < bytes.length; i++) {
                    self.buffer.push(bytes[i]);
                }
                self.drain();
            };
            ws.onclose = function () {
                clearInterval(self.pinger);
                if (self.connectWaiter) {
                    self.connectWaiter.reject({code: -1, reason: 'the connection closed'});
                    self.connectWaiter = null;
                }
                self.onClose(self.disconnectReason || 'connection closed');
            };
            ws.onerror = function () {
                if (self.connectWaiter) {
                    self.connectWaiter.reject({code: -1, reason: 'cannot connect to ' + self.url});
                    self.connectWaiter = null;
                }
            };
        });
    };

    RtmMqtt.prototype.drain = function () {
        while (this.buffer.length >= 2) {
            var len = 0;
            var mul = 1;
            var i = 1;
            var b;
            do {
                if (i >= this.buffer.length) {
                    return;
                }
                b = this.buffer[i++];
                len += (b & 127) * mul;
                mul *= 128;
            } while (b & 128);
            if (this.buffer.length < i + len) {
                return;
            }
            var first = this.buffer[0];
            var body = this.buffer.slice(i, i + len);
            this.buffer = this.buffer.slice(i + len);
            this.handle(first, body);
        }
    };

    RtmMqtt.prototype.handle = function (first, b) {
        var type = first >> 4;
        var self = this;
        var r;
        if (type === 2) { // CONNACK
            r = readProps(b, 2);
            var waiter = this.connectWaiter;
            this.connectWaiter = null;
            if (b[1] === 0) {
                this.pinger = setInterval(function () {
                    self.ws.send(bytes([0xC0, 0]));
                }, this.keepAlive * 500);
                waiter.resolve(r.props);
            } else {
                waiter.reject({code: b[1], reason: r.props.reasonString || ('CONNACK reason code ' + b[1])});
            }
        } else if (type === 3) { // PUBLISH
            var qos = (first >> 1) & 3;
            var tlen = (b[0] << 8) | b[1];
            var topic = utf8Decode(b, 2, 2 + tlen);
            var pos = 2 + tlen;
            var id = 0;
            if (qos > 0) {
                id = (b[pos] << 8) | b[pos + 1];
                pos += 2;
            }
            r = readProps(b, pos);
            var payload = b.slice(r.next);
            if (qos === 1) {
                this.ws.send(bytes([0x40, 2, id >> 8, id & 255]));
            }
            this.onMessage(topic, utf8Decode(payload, 0, payload.length), r.props, payload);
        } else if (type === 4 || type === 9 || type === 11) { // PUBACK, SUBACK, UNSUBACK
            var pid = (b[0] << 8) | b[1];
            var p = this.pending[pid];
            delete this.pending[pid];
            if (!p) {
                return;
            }
            if (type === 4) {
                var code = b.length > 2 ? b[2] : 0;
                var props4 = b.length > 3 ? readProps(b, 3).props : readProps([0], 0).props;
                p({reasonCode: code, reasonString: props4.reasonString, status: props4.user('rtm-status'),
                    id: props4.user('rtm-id'), props: props4});
            } else {
                r = readProps(b, 2);
                p({reasonCodes: b.slice(r.next), reasonString: r.props.reasonString});
            }
        } else if (type === 14) { // DISCONNECT
            r = b.length > 1 ? readProps(b, 1).props : null;
            this.disconnectReason = (r && r.reasonString) || ('DISCONNECT reason code ' + (b.length ? b[0] : 0));
        }
    };

    RtmMqtt.prototype.id = function () {
        var id = this.nextId;
        this.nextId = this.nextId % 65535 + 1;
        return id;
    };

    RtmMqtt.prototype.subscribe = function (filter, qos, noLocal) {
        var self = this;
        return new Promise(function (resolve) {
            var id = self.id();
            self.pending[id] = resolve;
            self.ws.send(packet(0x82, [id >> 8, id & 255].concat(props([]), str(filter),
                [(qos || 0) | (noLocal ? 4 : 0)])));
        });
    };

    RtmMqtt.prototype.unsubscribe = function (filter) {
        var self = this;
        return new Promise(function (resolve) {
            var id = self.id();
            self.pending[id] = resolve;
            self.ws.send(packet(0xA2, [id >> 8, id & 255].concat(props([]), str(filter))));
        });
    };

    /**
     * Publishes. options: qos (0 or 1), retain, userProperties [[k, v], ...], responseTopic, correlationData (string).
     * Resolves with {reasonCode, reasonString, status, id} from the PUBACK (QoS 1) or {} (QoS 0).
     */
    RtmMqtt.prototype.publish = function (topic, text, options) {
        var o = options || {};
        var qos = o.qos === undefined ? 1 : o.qos;
        var list = [];
        var up = o.userProperties || [];
        for (var i = 0; i < up.length; i++) {
            list.push([0x26].concat(str(up[i][0]), str(up[i][1])));
        }
        if (o.responseTopic) {
            list.push([0x08].concat(str(o.responseTopic)));
        }
        if (o.correlationData) {
            list.push([0x09].concat(bin(utf8Encode(o.correlationData))));
        }
        list.push([0x01, 1]);
        var self = this;
        return new Promise(function (resolve) {
            var head = str(topic);
            if (qos > 0) {
                var id = self.id();
                self.pending[id] = resolve;
                head = head.concat([id >> 8, id & 255]);
            }
            self.ws.send(packet(0x30 | (qos << 1) | (o.retain ? 1 : 0), head.concat(props(list), utf8Encode(text))));
            if (qos === 0) {
                resolve({});
            }
        });
    };

    RtmMqtt.prototype.disconnect = function () {
        clearInterval(this.pinger);
        if (this.ws && this.ws.readyState === 1) {
            this.ws.send(bytes([0xE0, 0]));
            this.ws.close();
        }
    };

    global.RtmMqtt = RtmMqtt;
}(this));
