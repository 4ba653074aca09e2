/*
 * The OpenRTM console: polls /api/v1/stats every second (the numbers /metrics exposes) and charts the last two
 * minutes with uPlot (uPlot.iife.min.js, a pinned copy from npm kept equal by sdk-js's tests).
 */
(function () {
    'use strict';

    var KINDS = ['peer', 'channel', 'broadcast', 'rpc', 'call', 'user_attribute', 'channel_attribute'];
    var COLORS = ['#2f6fde', '#2bb673', '#f0a431', '#8e44ad', '#c0392b', '#16a085', '#7f8c8d'];
    var WINDOW = 120;
    var token = null;
    var last = null;
    var timer = null;
    var charts = null;
    // columns: time (s), then one array per series; uPlot draws null as a gap
    var data = {messages: [[]], users: [[], [], []], cache: [[], [], []]};
    // what the charts show, for the browser test and the curious (read-only use)
    window.rtmConsole = {data: data};

    function $(id) {
        return document.getElementById(id);
    }

    function sum(o) {
        var s = 0;
        for (var k in o) {
            if (Object.prototype.hasOwnProperty.call(o, k)) {
                s += o[k];
            }
        }
        return s;
    }

    function number(digits) {
        return function (u, v) {
            return v == null ? '\u2013' : v.toFixed(digits);
        };
    }

    function axis(label, unit, side, scale) {
        return {
            label: label + ' (' + unit + ')',
            scale: scale || 'y',
            side: side === undefined ? 3 : side,
            grid: {show: side === undefined || side === 3, stroke: '#eef0f3'},
            size: 60,
            values: function (u, ticks) {
                return ticks.map(function (t) {
                    return Number.isInteger(t) ? String(t) : t.toFixed(1);
                });
            }
        };
    }

    function series(label, unit, color, digits, scale) {
        return {label: label + ' (' + unit + ')', stroke: color, width: 2, scale: scale || 'y', value: number(digits),
            spanGaps: false, points: {show: false}};
    }

    // values start at 0: a rate of 3 msg/s should not fill the chart's height as if it were a peak
    function zeroBased(u, min, max) {
        return [0, Math.max(1, max * 1.1)];
    }

    function lastTwoMinutes(u, min, max) {
        return [max - WINDOW, max];
    }

    function width(el) {
        return Math.max(300, el.clientWidth || 900);
    }

    function chart(id, seriesList, axes, scales) {
        var el = $(id);
        var opts = {
            width: width(el),
            height: 200,
            series: [{label: 'time', value: '{HH}:{mm}:{ss}'}].concat(seriesList),
            axes: [{label: 'time (local)', grid: {stroke: '#eef0f3'}}].concat(axes),
            scales: Object.assign({x: {time: true, range: lastTwoMinutes}}, scales || {y: {range: zeroBased}}),
            legend: {live: true}
        };
        return new uPlot(opts, [[]].concat(seriesList.map(function () {
            return [];
        })), el);
    }

    function makeCharts() {
        var kinds = [];
        for (var k = 0; k < KINDS.length; k++) {
            kinds.push(series(KINDS[k].replace('_', ' '), 'msg/s', COLORS[k], 1));
            data.messages.push([]);
        }
        charts = {
            messages: chart('chart-messages', kinds, [axis('accepted', 'msg/s')]),
            users: chart('chart-users', [series('online users', 'users', '#2f6fde', 0),
                series('channels', 'channels', '#2bb673', 0)], [axis('online', 'count')]),
            cache: chart('chart-cache', [series('offline cache', 'messages', '#2f6fde', 0),
                series('refusals', 'per s', '#c0392b', 1, 'r')],
            [axis('cache', 'messages'), axis('refusals', 'per s', 1, 'r')],
            {y: {range: zeroBased}, r: {range: zeroBased}})
        };
        window.addEventListener('resize', function () {
            for (var name in charts) {
                if (Object.prototype.hasOwnProperty.call(charts, name)) {
                    charts[name].setSize({width: width($('chart-' + name)), height: 200});
                }
            }
        });
    }

    function push(name, values) {
        var cols = data[name];
        for (var i = 0; i < cols.length; i++) {
            cols[i].push(values[i]);
            if (cols[i].length > WINDOW) {
                cols[i].shift();
            }
        }
        var u = charts[name];
        u.setData(cols);
        if (u.cursor.left == null || u.cursor.left < 0) {
            // not hovered: the legend shows the latest values
            u.setLegend({idx: cols[0].length - 1});
        }
    }

    function sample(stats) {
        var users = stats.gauges['users.connected'] || 0;
        var channels = stats.gauges['channels.active'] || 0;
        var stored = stats.gauges['offline.stored'] || 0;
        var t = stats.time / 1000;
        var rates = [];
        var refusals = null;
        var total = null;
        if (last) {
            var dt = Math.max(0.001, (stats.time - last.time) / 1000);
            for (var i = 0; i < KINDS.length; i++) {
                rates.push(((stats.messages[KINDS[i]] || 0) - (last.messages[KINDS[i]] || 0)) / dt);
            }
            refusals = (sum(stats.refusals) - sum(last.refusals)) / dt;
            total = (sum(stats.messages) - sum(last.messages)) / dt;
        } else {
            for (var j = 0; j < KINDS.length; j++) {
                rates.push(null);
            }
        }
        last = stats;
        $('connected').textContent = users;
        $('channels').textContent = channels;
        $('stored').textContent = stored;
        $('rate').textContent = total === null ? '0' : String(Math.round(total));
        $('limited').textContent = stats.refusals.rate_limited || 0;
        push('messages', [t].concat(rates));
        push('users', [t, users, channels]);
        push('cache', [t, stored, refusals]);
    }

    function poll() {
        var xhr = new XMLHttpRequest();
        xhr.onload = function () {
            if (xhr.status !== 200) {
                var message = 'HTTP ' + xhr.status;
                try {
                    message = JSON.parse(xhr.responseText).error.message;
                } catch (e) {
                    message = 'HTTP ' + xhr.status;
                }
                $('error').textContent = message;
                $('status').textContent = 'refused';
                $('status').setAttribute('data-state', 'refused');
                $('login-panel').className = 'panel narrow';
                clearInterval(timer);
                return;
            }
            $('status').textContent = 'live';
            $('status').setAttribute('data-state', 'live');
            $('login-panel').className = 'panel narrow hidden';
            $('dash').className = '';
            if (!charts) {
                makeCharts();
            }
            sample(JSON.parse(xhr.responseText));
        };
        xhr.onerror = function () {
            $('status').textContent = 'broker unreachable';
            $('status').setAttribute('data-state', 'unreachable');
        };
        xhr.open('GET', '/api/v1/stats');
        xhr.setRequestHeader('Authorization', 'Bearer ' + token);
        xhr.send();
    }

    $('start').addEventListener('click', function () {
        token = $('token').value.trim();
        $('error').textContent = '';
        clearInterval(timer);
        poll();
        timer = setInterval(poll, 1000);
    });
}());
