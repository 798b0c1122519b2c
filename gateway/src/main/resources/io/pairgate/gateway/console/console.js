// Pairgate operator console. A device like any other: an Ed25519 key made with WebCrypto (not
// extractable, kept in IndexedDB), the gateway's WebSocket protocol (challenge, signed connect v3),
// and the same pairing rules. Every string that came from a device is put in the page as text
// (textContent / text nodes), never parsed as HTML; the CSP forbids HTML sinks altogether.
'use strict';

(() => {
  const CLIENT = {
    id: 'pairgate-console',
    version: '0.1.0',
    platform: 'web',
    mode: 'console',
    displayName: 'Pairgate console',
  };
  const ROLE = 'operator';
  const SCOPES = ['operator.admin'];
  const RETRY_PENDING_MS = 2500;
  const RETRY_ERROR_MS = 4000;
  const AUDIT_MAX = 200;

  const $ = (id) => document.getElementById(id);
  const instanceId = crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2);

  let identity = null;
  let sharedToken = '';
  let conn = null;
  let retryTimer = null;
  let refreshTimer = null;
  let approveCommand = 'pairgate devices approve';
  let lastPending = [];
  let lastPaired = [];
  /** This console's own new token from a self-rotation, until it is stored and used. */
  let freshToken = '';

  // ---------------------------------------------------------------------------------------------
  // text helpers

  /** Device-controlled text made visible: control, bidi and format characters as escapes. */
  function visible(s) {
    return String(s == null ? '' : s).replace(
      /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g,
      (c) => {
        const n = c.charCodeAt(0);
        return n < 0x100 ? '\\x' + n.toString(16).padStart(2, '0')
          : '\\u' + n.toString(16).padStart(4, '0');
      });
  }

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === 'class') e.className = v;
        else if (k === 'onclick') e.addEventListener('click', v);
        else if (k === 'hidden') e.hidden = true;
        else e.setAttribute(k, String(v));
      }
    }
    for (const c of children) {
      if (c === undefined || c === null || c === false) continue;
      e.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return e;
  }

  function time(ms) {
    if (!ms) return 'never';
    return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  }

  function setStatus(text, isError) {
    const s = $('status');
    s.textContent = text;
    s.className = isError ? 'error' : '';
  }

  function show(view) {
    for (const v of ['unsupported', 'token-view', 'pairing-view', 'console-view']) {
      $(v).hidden = v !== view;
    }
  }

  function nameOf(d) {
    return visible(d.operatorLabel || d.displayName || d.clientId || d.deviceId.slice(0, 12));
  }

  // ---------------------------------------------------------------------------------------------
  // identity: IndexedDB, WebCrypto Ed25519

  function db() {
    return new Promise((resolve, reject) => {
      const r = indexedDB.open('pairgate-console', 1);
      r.onupgradeneeded = () => r.result.createObjectStore('kv');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
  }

  async function kv(mode, fn) {
    const d = await db();
    try {
      return await new Promise((resolve, reject) => {
        const tx = d.transaction('kv', mode);
        const req = fn(tx.objectStore('kv'));
        tx.oncomplete = () => resolve(req ? req.result : undefined);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      });
    } finally {
      d.close();
    }
  }
  const kvGet = (k) => kv('readonly', (s) => s.get(k));
  const kvPut = (k, v) => kv('readwrite', (s) => s.put(v, k));
  const kvDelete = (k) => kv('readwrite', (s) => s.delete(k));

  function b64url(bytes) {
    let s = '';
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function hex(bytes) {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  async function loadIdentity() {
    const stored = await kvGet('identity');
    if (stored && stored.privateKey && stored.deviceId && stored.publicKey) {
      return stored;
    }
    // not extractable: the private key never leaves WebCrypto, not even to this script
    const kp = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
    const raw = new Uint8Array(await crypto.subtle.exportKey('raw', kp.publicKey));
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', raw));
    const id = {
      privateKey: kp.privateKey,
      deviceId: hex(digest),
      publicKey: b64url(raw),
      createdAtMs: Date.now(),
    };
    await kvPut('identity', id);
    return id;
  }

  // ---------------------------------------------------------------------------------------------
  // protocol

  function gatewayUrl() {
    const meta = document.querySelector('meta[name="pairgate-gateway"]');
    if (meta && meta.getAttribute('content')) return meta.getAttribute('content');
    return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/';
  }

  function scheduleRetry(ms) {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, ms);
  }

  function connect() {
    clearTimeout(retryTimer);
    retryTimer = null;
    if (conn && conn.ws.readyState <= 1) {
      conn.dropped = true;
      conn.ws.close(1000, 'reconnect');
    }
    let ws;
    try {
      ws = new WebSocket(gatewayUrl());
    } catch (e) {
      setStatus('Cannot open a WebSocket: ' + e.message, true);
      return;
    }
    const c = { ws, calls: new Map(), hello: false, answered: false, dropped: false };
    conn = c;
    ws.onmessage = (ev) => onFrame(c, ev.data);
    ws.onclose = (ev) => onClose(c, ev);
  }

  function call(c, method, params) {
    return new Promise((resolve) => {
      if (c.ws.readyState !== 1) {
        resolve({ ok: false, error: { code: 'CLOSED', message: 'not connected' } });
        return;
      }
      const id = crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2);
      c.calls.set(id, resolve);
      c.ws.send(JSON.stringify({ type: 'req', id, method, params }));
    });
  }

  async function onFrame(c, data) {
    let f;
    try {
      f = JSON.parse(data);
    } catch (e) {
      return;
    }
    if (f.type === 'res') {
      const r = c.calls.get(f.id);
      if (r) {
        c.calls.delete(f.id);
        r(f);
      }
    } else if (f.type === 'event' && f.event === 'connect.challenge') {
      try {
        await sendConnect(c, String(f.payload && f.payload.nonce));
      } catch (e) {
        setStatus('Could not sign the connect: ' + e.message, true);
      }
    } else if (f.type === 'event' && c.hello) {
      onEvent(f.event, f.payload || {});
    }
  }

  async function sendConnect(c, nonce) {
    const stored = freshToken || await kvGet('token');
    const token = stored || sharedToken || '';
    const signedAt = Date.now();
    const payload = ['v3', identity.deviceId, CLIENT.id, CLIENT.mode, ROLE, SCOPES.join(','),
      String(signedAt), token, nonce, CLIENT.platform, ''].join('|');
    const sig = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, identity.privateKey,
      new TextEncoder().encode(payload)));
    const params = {
      minProtocol: 4,
      maxProtocol: 4,
      client: { ...CLIENT, instanceId },
      caps: [],
      role: ROLE,
      scopes: SCOPES,
      device: {
        id: identity.deviceId,
        publicKey: identity.publicKey,
        signature: b64url(sig),
        signedAt,
        nonce,
      },
    };
    if (token) params.auth = { token };
    const res = await call(c, 'connect', params);
    c.answered = true;
    await connectAnswered(c, res, Boolean(stored));
  }

  async function connectAnswered(c, res, usedStoredToken) {
    if (res.ok) {
      c.hello = true;
      const auth = (res.payload && res.payload.auth) || {};
      if (auth.deviceToken) await kvPut('token', auth.deviceToken);
      freshToken = '';
      sharedToken = '';
      show('console-view');
      setStatus('Connected as ' + identity.deviceId.slice(0, 16) + '… with '
        + (auth.scopes || []).join(', '));
      await startConsole(c);
      return;
    }
    const err = res.error || {};
    const details = err.details || {};
    const code = details.code || err.code;
    if (err.code === 'NOT_PAIRED' && details.requestId) {
      showPairing(details.requestId);
      scheduleRetry(RETRY_PENDING_MS);
    } else if (code === 'AUTH_TOKEN_MISSING' || code === 'AUTH_TOKEN_MISMATCH') {
      showTokenForm(code === 'AUTH_TOKEN_MISMATCH' ? 'That token was not accepted.' : '');
    } else if (usedStoredToken && (code === 'AUTH_DEVICE_TOKEN_MISMATCH'
        || code === 'AUTH_SCOPE_MISMATCH')) {
      // the stored device token no longer works (revoked, rotated elsewhere, removed): drop it
      await kvDelete('token');
      setStatus('This console\'s device token is no longer valid; asking again.', true);
      scheduleRetry(200);
    } else if (code === 'ORIGIN_NOT_ALLOWED') {
      show(null);
      setStatus('Refused by the gateway: ' + visible(err.message), true);
    } else {
      setStatus('Refused by the gateway: ' + visible(err.message || code), true);
      scheduleRetry(RETRY_ERROR_MS);
    }
  }

  function onClose(c, ev) {
    for (const r of c.calls.values()) {
      r({ ok: false, error: { code: 'CLOSED', message: 'connection closed' } });
    }
    c.calls.clear();
    if (c !== conn || c.dropped) return;
    if (c.hello) {
      const why = ev.reason ? ' (' + visible(ev.reason) + ')' : '';
      setStatus('Disconnected: ' + ev.code + why + '; reconnecting…', ev.code !== 1000);
      scheduleRetry(ev.reason === 'device token rotated' ? 100 : 1500);
    } else if (!c.answered) {
      setStatus('Cannot reach the gateway (' + ev.code + '); trying again…', true);
      scheduleRetry(RETRY_ERROR_MS);
    }
  }

  function showPairing(requestId) {
    show('pairing-view');
    $('request-id').textContent = visible(requestId);
    $('approve-command').textContent = approveCommand + ' ' + visible(requestId);
    $('own-device-id').textContent = identity.deviceId;
    setStatus('Waiting for an operator to approve request ' + visible(requestId));
  }

  function showTokenForm(message) {
    show('token-view');
    const e = $('token-error');
    e.textContent = message;
    e.hidden = !message;
    setStatus('The gateway needs its shared token for a first connect.');
    $('gateway-token').focus();
  }

  // ---------------------------------------------------------------------------------------------
  // the console

  async function startConsole(c) {
    await refresh();
    const a = await call(c, 'pairgate.audit', { limit: 50, follow: true });
    if (a.ok) {
      const list = $('audit-list');
      list.replaceChildren();
      for (const e of a.payload.events) addAudit(e);
    }
  }

  function onEvent(name, payload) {
    if (name === 'device.pair.requested' || name === 'device.pair.resolved') {
      scheduleRefresh();
    } else if (name === 'pairgate.audit') {
      addAudit(payload);
      scheduleRefresh();
    }
  }

  function scheduleRefresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, 60);
  }

  async function refresh() {
    const c = conn;
    if (!c || !c.hello) return;
    const [list, pending] = await Promise.all([
      call(c, 'device.pair.list', {}),
      call(c, 'pairgate.pending', {}),
    ]);
    if (!list.ok || !pending.ok) {
      const e = (list.ok ? pending : list).error || {};
      if (e.code !== 'CLOSED') setStatus('Cannot list devices: ' + visible(e.message), true);
      return;
    }
    keepFocus(() => {
      renderPending(pending.payload.pending || []);
      renderPaired(list.payload.paired || [], list.payload.blocked || []);
    });
  }

  /** Re-renders without losing the keyboard focus: the focused control is found again by key. */
  function keepFocus(render) {
    const a = document.activeElement;
    const key = a && a.getAttribute ? a.getAttribute('data-key') : null;
    render();
    if (key) {
      for (const e of document.querySelectorAll('[data-key]')) {
        if (e.getAttribute('data-key') === key) {
          e.focus();
          break;
        }
      }
    }
  }

  function scopeList(names) {
    return names && names.length ? names.join(', ') : '(none)';
  }

  function holdingText(h) {
    return h === 'granted' ? 'yes' : h === 'implied' ? 'implied' : 'no';
  }

  function grantsTable(g) {
    const body = el('tbody');
    for (const row of g.scopes) {
      const added = row.now === 'none' && row.after !== 'none';
      body.append(el('tr', { class: added ? 'added' : '' },
        el('td', null, el('code', null, visible(row.scope))),
        el('td', { class: row.requested ? '' : 'implied' },
          row.requested ? 'requested' : row.impliedByRequest ? 'implied by the request' : '—'),
        el('td', { class: row.now }, holdingText(row.now)),
        el('td', { class: row.after }, holdingText(row.after) + (added ? ' (new)' : ''))));
    }
    return el('table', { class: 'grants' },
      el('caption', null, 'What approval grants'),
      el('thead', null, el('tr', null,
        el('th', { scope: 'col' }, 'Scope'),
        el('th', { scope: 'col' }, 'In the request'),
        el('th', { scope: 'col' }, 'Holds now'),
        el('th', { scope: 'col' }, 'After approval'))),
      body);
  }

  function renderPending(items) {
    lastPending = items;
    $('pending-count').textContent = String(items.length);
    $('pending-empty').hidden = items.length > 0;
    const list = $('pending-list');
    list.replaceChildren();
    for (const r of items) {
      const name = nameOf(r);
      const g = r.grants;
      const mine = r.deviceId === identity.deviceId;
      const dl = el('dl', null,
        el('dt', null, 'Device'), el('dd', { class: 'device-id' }, el('code', null, visible(r.deviceId))),
        el('dt', null, 'Display name'), el('dd', { class: 'display-name' }, visible(r.displayName || '')),
        el('dt', null, 'Client'), el('dd', null, visible(r.clientId) + ' (' + visible(r.clientMode) + ')'),
        el('dt', null, 'Platform'), el('dd', { class: 'platform' },
          visible(r.platform || '') + (r.deviceFamily ? ' / ' + visible(r.deviceFamily) : '')),
        el('dt', null, 'Address'), el('dd', { class: 'address' }, visible(r.remoteIp || 'unknown')),
        el('dt', null, 'Locality'), el('dd', { class: 'locality' },
          r.locality ? visible(r.locality) : 'not recorded (asked through another process)'),
        el('dt', null, 'Reason'), el('dd', { class: 'reason' }, visible(r.reason)),
        el('dt', null, 'Roles'), el('dd', null, 'now ' + scopeList(g.approvedRoles) + ', after approval '
          + scopeList(g.rolesAfterApproval)),
        el('dt', null, 'Approver needs'), el('dd', null, scopeList(g.approverNeeds)),
        el('dt', null, 'Request'), el('dd', null, el('code', null, visible(r.requestId)),
          ' asked ' + time(r.ts) + ', expires ' + time(r.expiresAtMs)));
      const card = el('article', { class: 'request', 'data-request-id': r.requestId,
          'aria-label': 'Pending request from ' + name },
        el('h3', null, name, mine ? el('span', { class: 'mine' }, 'this console') : null),
        dl,
        g.replacesPairedKey
          ? el('p', { class: 'warn' }, 'Approval replaces the key this device is paired with.')
          : null,
        grantsTable(g),
        el('button', { type: 'button', class: 'primary', 'data-action': 'approve',
          'data-key': 'approve:' + r.requestId, 'aria-label': 'Approve request from ' + name,
          onclick: () => approve(r) }, 'Approve…'),
        el('button', { type: 'button', class: 'danger', 'data-action': 'reject',
          'data-key': 'reject:' + r.requestId, 'aria-label': 'Reject request from ' + name,
          onclick: () => reject(r) }, 'Reject…'),
        el('button', { type: 'button', 'data-action': 'explain',
          'data-key': 'explain-req:' + r.requestId, 'aria-label': 'Explain request from ' + name,
          onclick: () => explain({ requestId: r.requestId }) }, 'Explain'));
      list.append(card);
    }
  }

  function renderPaired(paired, blocked) {
    lastPaired = paired;
    const body = $('paired-body');
    body.replaceChildren();
    for (const d of paired) {
      const name = nameOf(d);
      const mine = d.deviceId === identity.deviceId;
      const roles = el('td', { class: 'roles' });
      for (const t of d.tokens || []) {
        roles.append(el('div', null,
          el('strong', null, visible(t.role)), ': ', scopeList((t.scopes || []).map(visible)),
          t.revokedAtMs ? el('span', { class: 'warn' }, ' (token revoked)') : null));
      }
      roles.append(el('div', { class: 'small' }, 'baseline: ' + scopeList((d.approvedScopes || []).map(visible))));
      const actions = el('td', null,
        el('button', { type: 'button', 'data-action': 'rename', 'data-key': 'rename:' + d.deviceId,
          'aria-label': 'Rename ' + name, onclick: () => rename(d) }, 'Rename…'),
        el('button', { type: 'button', 'data-action': 'explain', 'data-key': 'explain:' + d.deviceId,
          'aria-label': 'Explain ' + name, onclick: () => explain({ deviceId: d.deviceId }) }, 'Explain'));
      for (const t of d.tokens || []) {
        actions.append(
          el('button', { type: 'button', 'data-action': 'rotate', 'data-role': t.role,
            'data-key': 'rotate:' + d.deviceId + ':' + t.role,
            'aria-label': 'Rotate the ' + visible(t.role) + ' token of ' + name,
            onclick: () => rotate(d, t.role) }, 'Rotate ' + visible(t.role) + '…'),
          el('button', { type: 'button', class: 'danger', 'data-action': 'revoke', 'data-role': t.role,
            'data-key': 'revoke:' + d.deviceId + ':' + t.role,
            'aria-label': 'Revoke the ' + visible(t.role) + ' token of ' + name,
            onclick: () => revoke(d, t.role) }, 'Revoke ' + visible(t.role) + '…'));
      }
      actions.append(
        el('button', { type: 'button', class: 'danger', 'data-action': 'block',
          'data-key': 'block:' + d.deviceId, 'aria-label': 'Block ' + name,
          onclick: () => block(d) }, 'Block…'),
        el('button', { type: 'button', class: 'danger', 'data-action': 'remove',
          'data-key': 'remove:' + d.deviceId, 'aria-label': 'Remove ' + name,
          onclick: () => remove(d) }, 'Remove…'));
      body.append(el('tr', { 'data-device-id': d.deviceId },
        el('td', null,
          el('div', { class: 'display-name' }, name, mine ? el('span', { class: 'mine' }, 'this console') : null),
          el('div', { class: 'small' }, el('code', null, visible(d.deviceId))),
          d.blocked ? el('div', { class: 'warn' }, 'blocked') : null),
        el('td', null, visible(d.platform || '') + (d.deviceFamily ? ' / ' + visible(d.deviceFamily) : '')),
        roles,
        el('td', null, visible(d.approvedVia || 'unknown'),
          el('div', { class: 'small' }, time(d.approvedAtMs))),
        el('td', null, time(d.lastSeenAtMs)),
        actions));
    }
    const bl = $('blocked-list');
    bl.replaceChildren();
    $('blocked-empty').hidden = blocked.length > 0;
    for (const id of blocked) {
      bl.append(el('li', { 'data-device-id': id }, el('code', null, visible(id)), ' ',
        el('button', { type: 'button', 'data-action': 'unblock', 'data-key': 'unblock:' + id,
          'aria-label': 'Unblock ' + visible(id), onclick: () => unblock(id) }, 'Unblock…')));
    }
  }

  function addAudit(e) {
    const list = $('audit-list');
    const li = el('li', { 'data-type': e.type }, time(e.ts) + ' ' + visible(e.line));
    list.prepend(li);
    while (list.children.length > AUDIT_MAX) list.lastElementChild.remove();
  }

  // ---------------------------------------------------------------------------------------------
  // actions: each asks first, naming what it does

  let dialogResolve = null;

  function ask({ title, text, items, ok, danger, input }) {
    const d = $('confirm');
    $('confirm-title').textContent = title;
    $('confirm-text').textContent = text;
    const ul = $('confirm-items');
    ul.replaceChildren();
    for (const i of items || []) ul.append(el('li', null, i));
    $('confirm-input-row').hidden = input === undefined;
    $('confirm-input').value = input === undefined ? '' : input;
    const okButton = $('confirm-ok');
    okButton.textContent = ok;
    okButton.className = danger ? 'danger' : 'primary';
    return new Promise((resolve) => {
      dialogResolve = resolve;
      d.showModal();
      (input === undefined ? (danger ? $('confirm-cancel') : okButton) : $('confirm-input')).focus();
    });
  }

  function closeDialog(value) {
    const r = dialogResolve;
    dialogResolve = null;
    if ($('confirm').open) $('confirm').close();
    if (r) r(value);
  }

  async function act(method, params, done) {
    const res = await call(conn, method, params);
    if (res.ok) {
      setStatus(done);
    } else {
      const e = res.error || {};
      setStatus(method + ' failed: ' + visible(e.message), true);
    }
    scheduleRefresh();
    return res;
  }

  async function approve(r) {
    const g = r.grants;
    const items = g.scopes.filter((s) => s.after !== 'none').map((s) =>
      visible(s.scope) + (s.requested ? '' : ' (implied)') + (s.now === 'none' ? ' — new' : ''));
    const ok = await ask({
      title: 'Approve ' + nameOf(r) + '?',
      text: 'Device ' + r.deviceId.slice(0, 16) + '… gets role(s) ' + scopeList(g.rolesAfterApproval)
        + ' with these scopes:',
      items: items.length ? items : ['(no scopes)'],
      ok: 'Approve',
    });
    if (ok === null) return;
    await act('device.pair.approve', { requestId: r.requestId },
      'Approved ' + nameOf(r) + ' (' + r.requestId + ')');
  }

  async function reject(r) {
    const ok = await ask({
      title: 'Reject ' + nameOf(r) + '?',
      text: 'The request asks for these scopes; the device may ask again later:',
      items: r.scopes.map(visible),
      ok: 'Reject',
      danger: true,
    });
    if (ok === null) return;
    await act('device.pair.reject', { requestId: r.requestId }, 'Rejected ' + nameOf(r));
  }

  async function rename(d) {
    const label = await ask({
      title: 'Rename ' + nameOf(d),
      text: 'An operator label for this device (at most 128 characters).',
      ok: 'Rename',
      input: d.operatorLabel || '',
    });
    if (label === null) return;
    await act('pairgate.rename', { deviceId: d.deviceId, label }, 'Renamed ' + nameOf(d));
  }

  async function rotate(d, role) {
    const mine = d.deviceId === identity.deviceId;
    const ok = await ask({
      title: 'Rotate the ' + visible(role) + ' token of ' + nameOf(d) + '?',
      text: mine ? 'This console gets its new token and reconnects.'
        : 'Its live connections close; it needs its new token, which only it can receive.',
      items: [],
      ok: 'Rotate',
      danger: true,
    });
    if (ok === null) return;
    const res = await call(conn, 'device.token.rotate', { deviceId: d.deviceId, role });
    if (res.ok && mine && res.payload.token) {
      // set before the gateway's 4001 close is handled: the reconnect must use the new token
      freshToken = res.payload.token;
      await kvPut('token', freshToken);
    }
    if (res.ok) {
      setStatus('Rotated the ' + visible(role) + ' token of ' + nameOf(d));
    } else {
      setStatus('device.token.rotate failed: ' + visible((res.error || {}).message), true);
    }
    scheduleRefresh();
  }

  async function revoke(d, role) {
    const ok = await ask({
      title: 'Revoke the ' + visible(role) + ' token of ' + nameOf(d) + '?',
      text: 'Its live connections for this role close now; it needs an approval to come back.',
      items: [],
      ok: 'Revoke',
      danger: true,
    });
    if (ok === null) return;
    await act('device.token.revoke', { deviceId: d.deviceId, role },
      'Revoked the ' + visible(role) + ' token of ' + nameOf(d));
  }

  async function block(d) {
    const ok = await ask({
      title: 'Block ' + nameOf(d) + '?',
      text: 'Every connect of this device is refused and it cannot ask again until unblocked.',
      items: [],
      ok: 'Block',
      danger: true,
    });
    if (ok === null) return;
    await act('device.pair.block', { deviceId: d.deviceId }, 'Blocked ' + nameOf(d));
  }

  async function unblock(id) {
    const ok = await ask({
      title: 'Unblock ' + visible(id).slice(0, 16) + '…?',
      text: 'The device may ask to be paired again.',
      items: [],
      ok: 'Unblock',
    });
    if (ok === null) return;
    await act('device.pair.unblock', { deviceId: id }, 'Unblocked ' + visible(id));
  }

  async function remove(d) {
    const ok = await ask({
      title: 'Remove ' + nameOf(d) + '?',
      text: 'Its record and tokens are deleted and its live connections close; it may ask again.',
      items: [],
      ok: 'Remove',
      danger: true,
    });
    if (ok === null) return;
    await act('device.pair.remove', { deviceId: d.deviceId }, 'Removed ' + nameOf(d));
  }

  async function explain(params) {
    const out = $('explain-output');
    $('explain-input').value = params.deviceId || params.requestId;
    const res = await call(conn, 'pairgate.explain', params);
    out.textContent = res.ok ? res.payload.lines.map(visible).join('\n')
      : 'error: ' + visible((res.error || {}).message);
    out.focus();
  }

  // ---------------------------------------------------------------------------------------------
  // start

  function wire() {
    $('confirm-ok').addEventListener('click', () => closeDialog($('confirm-input').value));
    $('confirm-cancel').addEventListener('click', () => closeDialog(null));
    $('confirm').addEventListener('cancel', (e) => {
      e.preventDefault();
      closeDialog(null);
    });
    $('confirm-input').addEventListener('keydown', (e) => {
      if (e.key === 'Enter') closeDialog($('confirm-input').value);
    });
    const submitToken = () => {
      sharedToken = $('gateway-token').value.trim();
      $('gateway-token').value = '';
      if (sharedToken) connect();
    };
    $('token-submit').addEventListener('click', submitToken);
    $('gateway-token').addEventListener('keydown', (e) => {
      if (e.key === 'Enter') submitToken();
    });
    const doExplain = () => {
      const v = $('explain-input').value.trim();
      if (!v) return;
      explain(/^[0-9a-f]{64}$/.test(v) ? { deviceId: v } : { requestId: v });
    };
    $('explain-go').addEventListener('click', doExplain);
    $('explain-input').addEventListener('keydown', (e) => {
      if (e.key === 'Enter') doExplain();
    });
  }

  async function loadConfig() {
    try {
      const r = await fetch('/console/config.json', { cache: 'no-store' });
      if (r.ok) {
        const c = await r.json();
        if (typeof c.approveCommand === 'string') approveCommand = c.approveCommand;
      }
    } catch (e) {
      // the default command stays
    }
  }

  async function start() {
    wire();
    if (!window.isSecureContext || !window.crypto || !crypto.subtle || !window.indexedDB) {
      show('unsupported');
      $('unsupported-text').textContent = 'The console needs WebCrypto and IndexedDB, which browsers'
        + ' offer only in a secure context: open it as http://127.0.0.1:<port>/console or'
        + ' http://localhost:<port>/console on the gateway\'s host, or through HTTPS.';
      setStatus('Unsupported context', true);
      return;
    }
    try {
      identity = await loadIdentity();
    } catch (e) {
      show('unsupported');
      $('unsupported-text').textContent = 'This browser cannot make or keep an Ed25519 key with'
        + ' WebCrypto (' + e.message + '). Use a current Chromium, Chrome, Edge, Firefox or Safari.';
      setStatus('Unsupported browser', true);
      return;
    }
    await loadConfig();
    setStatus('Connecting…');
    connect();
  }

  // exposed for tests and curious operators: nothing secret (the key is not extractable)
  window.pairgateConsole = {
    deviceId: () => (identity ? identity.deviceId : null),
    pending: () => lastPending,
    paired: () => lastPaired,
  };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
