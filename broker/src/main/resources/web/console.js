/* The OpenRTM console: polls /api/v1/stats every second and draws the last two minutes. */
(function () {
    'use strict';

    var KINDS = ['peer', 'channel', 'broadcast', 'rpc', 'call', 'user_attribute', 'channel_attribute'];
    var COLORS = ['#2f6fde', '#2bb673', '#f0a431', '#8e44ad', '#c0392b', '#16a085', '#7f8c8d'];
    var WINDOW = 120;
    var token = null;
    var last = null;
    var history = [];
    var timer = null;

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

    function draw(canvas, series, colors) {
        var ctx = canvas.getContext && canvas.getContext('2d');
        if (!ctx) {
            return;
        }
        var w = canvas.width;
        var h = canvas.height;
        ctx.clearRect(0, 0, w, h);
        var max = 1;
        for (var s = 0; s < series.length; s++) {
            for (var i = 0; i < series[s].length; i++) {
                max = Math.max(max, series[s][i]);
            }
        }
        ctx.fillStyle = '#6b7384';
        ctx.font = '11px sans-serif';
        ctx.fillText(String(Math.round(max * 10) / 10), 4, 12);
        for (var k = 0; k < series.length; k++) {
            var data = series[k];
            ctx.strokeStyle = colors[k % colors.length];
            ctx.lineWidth = 2;
            ctx.beginPath();
            for (var j = 0; j < data.length; j++) {
                var x = w - (data.length - 1 - j) * (w / (WINDOW - 1));
                var y = h - 4 - (data[j] / max) * (h - 20);
                if (j === 0) {
                    ctx.moveTo(x, y);
                } else {
                    ctx.lineTo(x, y);
                }
            }
            ctx.stroke();
        }
    }

    function column(name) {
        var out = [];
        for (var i = 0; i < history.length; i++) {
            out.push(history[i][name] || 0);
        }
        return out;
    }

    function sample(stats) {
        var point = {
            users: stats.gauges['users.connected'] || 0,
            channels: stats.gauges['channels.active'] || 0,
            stored: stats.gauges['offline.stored'] || 0
        };
        if (last) {
            var dt = Math.max(0.001, (stats.time - last.time) / 1000);
            for (var i = 0; i < KINDS.length; i++) {
                point[KINDS[i]] = ((stats.messages[KINDS[i]] || 0) - (last.messages[KINDS[i]] || 0)) / dt;
            }
            point.refusals = (sum(stats.refusals) - sum(last.refusals)) / dt;
            point.total = (sum(stats.messages) - sum(last.messages)) / dt;
        }
        last = stats;
        history.push(point);
        if (history.length > WINDOW) {
            history.shift();
        }
        $('connected').textContent = point.users;
        $('channels').textContent = point.channels;
        $('stored').textContent = point.stored;
        $('rate').textContent = Math.round(point.total || 0);
        $('limited').textContent = stats.refusals.rate_limited || 0;
        var series = [];
        for (var k = 0; k < KINDS.length; k++) {
            series.push(column(KINDS[k]));
        }
        draw($('chart-messages'), series, COLORS);
        draw($('chart-users'), [column('users'), column('channels')], ['#2f6fde', '#2bb673']);
        draw($('chart-cache'), [column('stored'), column('refusals')], ['#2f6fde', '#c0392b']);
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
                $('login-panel').className = 'panel';
                clearInterval(timer);
                return;
            }
            $('status').textContent = 'live';
            $('login-panel').className = 'panel hidden';
            $('dash').className = '';
            sample(JSON.parse(xhr.responseText));
        };
        xhr.onerror = function () {
            $('status').textContent = 'broker unreachable';
        };
        xhr.open('GET', '/api/v1/stats');
        xhr.setRequestHeader('Authorization', 'Bearer ' + token);
        xhr.send();
    }

    (function legend() {
        var p = $('legend-messages');
        for (var k = 0; k < KINDS.length; k++) {
            var span = document.createElement('span');
            span.style.color = COLORS[k];
            span.style.marginRight = '1rem';
            span.textContent = '\u25A0 ' + KINDS[k].replace('_', ' ');
            p.appendChild(span);
        }
    }());

    $('start').addEventListener('click', function () {
        token = $('token').value.trim();
        $('error').textContent = '';
        clearInterval(timer);
        poll();
        timer = setInterval(poll, 1000);
    });
}());
