// BrightWindow evaluator: a tablet's browser at the counter, authenticated by its device token.
// Screens: pair -> idle <-> rating -> thanks. Ratings wait in localStorage until the server acknowledges
// them (each with an idempotency key made once), so nothing is lost while the network is down; a rating the
// server refuses for good (4xx) is dropped and said so on screen, and never holds back the ones after it.
// The rating screen on show is kept in localStorage too: a reload brings it back, and a newer decision waits
// behind a screen the applicant has started to fill in instead of replacing it.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("device-config").textContent);
  var KEYS = { token: "bw.device.token", after: "bw.device.after", outbox: "bw.device.outbox",
               screen: "bw.device.screen", zone: "bw.device.zone" };
  var RATING_IDLE_MS = 180000;   // an unfinished rating screen goes back to idle after 3 minutes
  var QUEUED_IDLE_MS = 60000;    // ... after 1 minute untouched when the next applicant's screen waits behind it
  var NOTICE_MS = 8000;          // a refused rating is reported this long
  var THANKS_MS = 6000;
  var ME_REFRESH_MS = 300000;    // the officer on duty changes during the day
  var WAIT_SECONDS = 25;         // replaced by the server's value from /me
  var TEXT = {
    network: "无法连接服务器，请检查网络后重试。",
    pairCode: "请输入所长提供的8位配对码。",
    chooseLevel: "请先选择您的总体评价。",
    chooseReason: "请至少选择一项不满意的原因。",
    otherReason: "选择“其他”时，请写明具体原因。",
    unpaired: "本评价器需要重新配对。",
    alreadyRated: "该办件已经评价过，谢谢您！",
    refused: "有一条评价未被服务器接受，已从本机删除：",
    refusedUnknown: "评价无法保存。",
    noOfficer: "—",
    weekdays: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"]
  };

  var state = {
    token: load(KEYS.token),
    invite: null,
    clockSkew: 0,            // server time minus the tablet's, in ms (from /me)
    serverOffset: keptZone(),  // the server's UTC offset in minutes (from /me, kept for the next start); null: no clock
    touched: false,          // the applicant has started to fill in the rating screen on show
    activeAt: 0,             // when the rating screen on show was last touched (or shown)
    pending: null,           // a newer invitation waiting behind the screen being filled in
    submitting: false,       // a rating of the screen on show is on its way to the server
    noticeTimer: null,
    level: 0,
    indicators: {},
    pollFailures: 0,
    pollTimer: null,
    pollRunning: 0,          // the generation whose long poll is in flight (0: none)
    flushFailures: 0,
    flushTimer: null,
    flushing: false,
    screenTimer: null,
    generation: 0
  };

  // --- storage and helpers --------------------------------------------------------------------

  function load(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function keptZone() {
    var kept = load(KEYS.zone);
    return kept !== null && /^-?\d+$/.test(kept) ? Number(kept) : null;
  }
  function save(key, value) {
    try {
      if (value === null || value === undefined) { window.localStorage.removeItem(key); }
      else { window.localStorage.setItem(key, String(value)); }
    } catch (e) { /* private mode: keep going in memory */ }
  }
  function outbox() {
    try { return JSON.parse(load(KEYS.outbox) || "[]"); } catch (e) { return []; }
  }
  function saveOutbox(items) { save(KEYS.outbox, items.length ? JSON.stringify(items) : null); }

  // The rating screen on show (and the one waiting behind it), so that a reload brings it back.
  function saveScreen() {
    var screen = state.invite || state.pending ?
      { invite: state.invite, touched: state.touched, at: state.activeAt, pending: state.pending } : null;
    save(KEYS.screen, screen ? JSON.stringify(screen) : null);
  }
  function loadScreen() {
    try { return JSON.parse(load(KEYS.screen) || "null"); } catch (e) { return null; }
  }

  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) { window.crypto.getRandomValues(bytes); }
    else { for (var i = 0; i < 16; i++) { bytes[i] = Math.floor(Math.random() * 256); } }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $$(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  function setText(field, value) {
    $$('[data-field="' + field + '"]').forEach(function (el) { el.textContent = value; });
  }
  function showError(el, message) {
    el.textContent = message || "";
    el.hidden = !message;
  }

  function show(name) {
    $$("[data-screen]").forEach(function (el) { el.hidden = el.getAttribute("data-screen") !== name; });
    document.body.setAttribute("data-current", name);
    window.clearTimeout(state.screenTimer);
  }

  // One JSON request. Resolves {status, data} for any HTTP answer; rejects only when the server could
  // not be reached (or did not answer within timeoutMs).
  function api(method, url, body, timeoutMs) {
    var headers = { "Accept": "application/json" };
    if (state.token) { headers["Authorization"] = "Device " + state.token; }
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    var options = { method: method, headers: headers, credentials: "omit", cache: "no-store" };
    if (body !== undefined) { options.body = JSON.stringify(body); }
    var controller = window.AbortController ? new window.AbortController() : null;
    var timer = null;
    if (controller) {
      options.signal = controller.signal;
      timer = window.setTimeout(function () { controller.abort(); }, timeoutMs || 15000);
    }
    return window.fetch(url, options).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { status: response.status, data: data };
      });
    }).finally(function () { window.clearTimeout(timer); });
  }

  function errorOf(result) {
    return (result && result.data && result.data.error) || { code: "", message: "" };
  }
  function isUnpaired(result) {
    var code = errorOf(result).code;
    return result.status === 401 || code === "device_revoked" || code === "device_unknown";
  }

  // --- pairing --------------------------------------------------------------------------------

  function unpair(message) {
    state.token = null;
    state.generation += 1;
    state.invite = null;
    state.pending = null;
    save(KEYS.token, null);
    save(KEYS.after, null);
    save(KEYS.screen, null);
    window.clearTimeout(state.pollTimer);
    setOffline(false);
    $("#connection").hidden = true;
    show("pair");
    showError($("#pair-error"), message || "");
    $("#pair-code").focus();
  }

  $("#pair-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var code = $("#pair-code").value.replace(/[^0-9A-Za-z]/g, "").toUpperCase();
    var name = $("#pair-name").value.trim();
    var error = $("#pair-error");
    if (code.length < 8) { showError(error, TEXT.pairCode); return; }
    var button = $("#pair-form button[type=submit]");
    button.disabled = true;
    api("POST", config.api.pair, { code: code, name: name }).then(function (result) {
      if (result.status === 201 && result.data && result.data.token) {
        state.token = result.data.token;
        save(KEYS.token, state.token);
        save(KEYS.after, null);
        $("#pair-code").value = "";
        showError(error, "");
        start();
      } else {
        showError(error, errorOf(result).message || TEXT.network);
      }
    }, function () { showError(error, TEXT.network); }).finally(function () { button.disabled = false; });
  });

  // --- idle screen ----------------------------------------------------------------------------

  // The clock shows the server's time in the server's time zone (from /me), not the tablet's own setting.
  function learnServerTime(text) {
    var at = Date.parse(text || "");
    var zone = /([+-])(\d{2}):(\d{2})$/.exec(text || "");
    if (isNaN(at)) { return; }
    state.clockSkew = at - Date.now();
    state.serverOffset = zone ? (zone[1] === "-" ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3])) : 0;
    save(KEYS.zone, state.serverOffset);
  }


  function tick() {
    // Until the server has told its time zone once (on this tablet, ever) the clock shows none: the tablet's own
    // zone may be another (a tablet set to UTC showed 01:30 for 09:30 until /me answered).
    if (state.serverOffset === null) { $("#clock").textContent = "--:--"; $("#date").textContent = ""; return; }
    var now = new Date(Date.now() + state.clockSkew + state.serverOffset * 60000);  // read with the UTC getters
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    $("#clock").textContent = pad(now.getUTCHours()) + ":" + pad(now.getUTCMinutes()) + ":" + pad(now.getUTCSeconds());
    $("#date").textContent = now.getUTCFullYear() + "年" + (now.getUTCMonth() + 1) + "月" + now.getUTCDate() + "日 " +
      TEXT.weekdays[now.getUTCDay()];
  }

  function renderMe(data) {
    setText("window", data.window.name);
    setText("station", data.window.station || "");
    setText("officer-name", data.officer ? data.officer.name : TEXT.noOfficer);
    setText("officer-number", data.officer && data.officer.police_number ? data.officer.police_number : TEXT.noOfficer);
    setText("complaint-phone", data.complaint_phone || TEXT.noOfficer);
    if (data.wait_seconds) { WAIT_SECONDS = Number(data.wait_seconds) || WAIT_SECONDS; }
    learnServerTime(data.server_time);
    tick();
  }

  function refreshMe() {
    if (!state.token) { return Promise.resolve(); }
    return api("GET", config.api.me).then(function (result) {
      if (result.status === 200 && result.data) { renderMe(result.data); }
      else if (isUnpaired(result)) { unpair(errorOf(result).message || TEXT.unpaired); }
    }, function () { /* offline: keep what the screen shows */ });
  }

  function goIdle() {
    if (state.pending) {  // the next applicant's screen waited behind the one just finished
      var next = state.pending;
      state.pending = null;
      showRating(next);
      return;
    }
    state.invite = null;
    saveScreen();
    show("idle");
    refreshMe();
  }

  // A new invitation from the long poll. It never replaces a screen the applicant has started to fill in: it
  // waits behind it (the newest one only), and that screen goes back to idle sooner once left untouched.
  function offer(invite) {
    var onRating = document.body.getAttribute("data-current") === "rating";
    var inUse = onRating && (state.submitting || (state.invite && state.touched));
    if (inUse && !(state.invite && invite.id === state.invite.id)) {
      state.pending = invite;
      saveScreen();
      if (!state.submitting) { armScreenTimer(); }
      return;
    }
    showRating(invite);
  }

  // After a reload: the rating screen that was on show comes back, unless it would have timed out by now.
  function restoreScreen() {
    var saved = loadScreen();
    var now = Date.now();
    if (!saved) { return false; }
    if (saved.invite && now - (saved.at || 0) < RATING_IDLE_MS) {
      state.pending = saved.pending || null;
      showRating(saved.invite, saved);
      refreshMe();
      return true;
    }
    if (saved.pending && now - (saved.at || 0) < RATING_IDLE_MS + QUEUED_IDLE_MS) {
      showRating(saved.pending);
      refreshMe();
      return true;
    }
    save(KEYS.screen, null);
    return false;
  }

  // --- waiting for the next case (long poll) ----------------------------------------------------

  function poll() {
    var generation = state.generation;
    if (!state.token || state.pollRunning === generation) { return; }
    state.pollRunning = generation;
    var after = Number(load(KEYS.after) || 0) || 0;
    api("GET", config.api.next + "?after=" + after, undefined, (WAIT_SECONDS + 20) * 1000).then(function (result) {
      if (generation !== state.generation) { return; }  // unpaired or restarted meanwhile: a newer loop runs
      state.pollRunning = 0;
      if (result.status === 200 && result.data && result.data.invite) {
        connected();
        save(KEYS.after, result.data.invite.id);
        offer(result.data.invite);
        poll();
      } else if (result.status === 204) {
        connected();
        poll();
      } else if (isUnpaired(result)) {
        unpair(errorOf(result).message || TEXT.unpaired);
      } else {
        retryPoll();
      }
    }, function () {
      if (generation !== state.generation) { return; }
      state.pollRunning = 0;
      retryPoll();
    });
  }

  function connected() {
    if (state.pollFailures) { refreshMe(); }
    state.pollFailures = 0;
    $("#connection").hidden = true;
    if (outbox().length) { flush(); }
  }

  function retryPoll() {
    state.pollFailures += 1;
    $("#connection").hidden = false;
    var delay = Math.min(30, Math.pow(2, Math.min(state.pollFailures, 5))) * 1000;
    window.clearTimeout(state.pollTimer);
    state.pollTimer = window.setTimeout(poll, delay * (0.75 + Math.random() * 0.5));
  }

  // --- the rating screen ------------------------------------------------------------------------

  function shortNumber(number) {
    // The full case number is not for the waiting room: show its year and serial only.
    var parts = String(number || "").split("-");
    return parts.length >= 2 ? "…" + parts.slice(-2).join("-") : String(number || "");
  }

  function armScreenTimer() {
    window.clearTimeout(state.screenTimer);
    var limit = state.pending ? QUEUED_IDLE_MS : RATING_IDLE_MS;
    var left = Math.max(0, limit - (Date.now() - state.activeAt));
    state.screenTimer = window.setTimeout(goIdle, left);
  }

  function touchedNow() {
    if (!state.invite) { return; }
    state.touched = true;
    state.activeAt = Date.now();
    saveScreen();
    armScreenTimer();
  }

  function pressed(buttons, match) {
    buttons.forEach(function (b) { b.setAttribute("aria-pressed", match(b) ? "true" : "false"); });
  }

  function renderChoices() {
    pressed($$("#levels .level"), function (b) { return Number(b.getAttribute("data-level")) === state.level; });
    $$(".indicator").forEach(function (row) {
      var field = row.getAttribute("data-indicator");
      pressed($$(".choice", row), function (b) { return Number(b.getAttribute("data-value")) === state.indicators[field]; });
    });
    var bad = config.bad_levels.indexOf(state.level) >= 0;
    $("#details").hidden = !state.level;
    $("#reasons").hidden = !bad;
    $("#other-box").hidden = !(bad && $('#reasons input[value="other"]').checked);
  }

  function showRating(invite, restored) {
    if (!restored && state.pending && state.pending.id <= invite.id) { state.pending = null; }  // superseded
    state.invite = invite;
    state.touched = Boolean(restored && restored.touched);
    state.activeAt = restored && restored.at ? restored.at : Date.now();
    saveScreen();
    state.level = 0;
    state.indicators = {};
    $$("#reasons input").forEach(function (box) { box.checked = false; });
    $("#other-reason").value = "";
    $("#comment").value = "";
    showError($("#rating-error"), "");
    $("#submit").disabled = false;
    setText("case-number", "办件 " + shortNumber(invite.case_number));
    setText("item", invite.item);
    setText("stage", invite.stage_label || "");
    var officer = invite.officer || {};
    setText("case-officer", (officer.name || "") + (officer.police_number ? "（" + officer.police_number + "）" : ""));
    renderChoices();
    show("rating");
    armScreenTimer();
  }

  $$("#levels .level").forEach(function (button) {
    button.addEventListener("click", function () {
      var wasBad = config.bad_levels.indexOf(state.level) >= 0;
      state.level = Number(button.getAttribute("data-level"));
      $$(".indicator").forEach(function (row) { state.indicators[row.getAttribute("data-indicator")] = state.level; });
      showError($("#rating-error"), "");
      renderChoices();
      if (!wasBad && config.bad_levels.indexOf(state.level) >= 0 && $("#reasons").scrollIntoView) {
        $("#reasons").scrollIntoView({ behavior: "smooth", block: "center" });
      }
    });
  });
  $$(".indicator .choice").forEach(function (button) {
    button.addEventListener("click", function () {
      var row = button.closest(".indicator");
      state.indicators[row.getAttribute("data-indicator")] = Number(button.getAttribute("data-value"));
      renderChoices();
    });
  });
  $$("#reasons input").forEach(function (box) {
    box.addEventListener("change", function () { showError($("#rating-error"), ""); renderChoices(); });
  });
  $("#other-reason").addEventListener("input", function () { showError($("#rating-error"), ""); });
  ["click", "input", "keydown", "touchstart"].forEach(function (type) {
    $("#screen-rating").addEventListener(type, touchedNow, { passive: true });
  });

  function ratingProblem() {
    if (!state.level) { return TEXT.chooseLevel; }
    if (config.bad_levels.indexOf(state.level) >= 0) {
      var reasons = $$("#reasons input:checked");
      if (!reasons.length) { return TEXT.chooseReason; }
      if ($('#reasons input[value="other"]').checked && !$("#other-reason").value.trim()) { return TEXT.otherReason; }
    }
    return "";
  }

  $("#submit").addEventListener("click", function () {
    var problem = ratingProblem();
    var error = $("#rating-error");
    if (problem) { showError(error, problem); return; }
    var bad = config.bad_levels.indexOf(state.level) >= 0;
    var rating = {
      invite_id: state.invite.id,
      level: state.level,
      efficiency: state.indicators.efficiency || state.level,
      quality: state.indicators.quality || state.level,
      attitude: state.indicators.attitude || state.level,
      reasons: bad ? $$("#reasons input:checked").map(function (b) { return b.value; }) : [],
      other_reason: bad ? $("#other-reason").value.trim() : "",
      comment: $("#comment").value.trim(),
      idempotency_key: uuid(),
      rated_at: new Date().toISOString()
    };
    // Kept on the tablet first: whatever happens next, the rating is not lost.
    var items = outbox();
    items.push(rating);
    saveOutbox(items);
    var invite = state.invite;
    state.invite = null;  // in the outbox now: a reload must not bring this screen back
    saveScreen();
    $("#submit").disabled = true;
    state.submitting = true;
    send(rating).then(function (outcome) {
      state.submitting = false;
      if (outcome === "stored") { thanks(); }
      else if (outcome === "retry" || outcome === "unreachable") { setOffline(true); scheduleFlush(); thanks(); }
      else {
        $("#submit").disabled = false;
        if (outcome.code === "already_rated") { thanks(TEXT.alreadyRated); }
        else if (outcome.unpaired) { unpair(outcome.message || TEXT.unpaired); }
        else if (FIXABLE.indexOf(outcome.code) >= 0 && invite) {
          // Something the applicant can put right (e.g. a character that cannot be stored): the screen stays.
          state.invite = invite;
          saveScreen();
          showError(error, outcome.message || TEXT.refusedUnknown);
        } else { notify(TEXT.refused + (outcome.message || TEXT.refusedUnknown)); goIdle(); }
      }
    });
  });

  // Refusals the applicant can put right on the same screen; any other refusal ends the screen.
  var FIXABLE = ["bad_field", "bad_rating", "bad_json"];

  // Send one rating. "stored": acknowledged (and removed from the outbox); "unreachable": no answer, kept;
  // "retry": the server failed (5xx, 429, 408), kept; otherwise the server refused it for good (4xx): it is
  // removed, and the returned error says why.
  function send(rating) {
    return api("POST", config.api.ratings, rating).then(function (result) {
      if (result.status === 200 || result.status === 201) { drop(rating); return "stored"; }
      if (result.status >= 500 || result.status === 429 || result.status === 408) { return "retry"; }
      drop(rating);
      var err = errorOf(result);
      return { code: err.code, message: err.message, unpaired: isUnpaired(result) };
    }, function () { return "unreachable"; });
  }

  // A short message at the top of the screen, whatever screen is on show.
  function notify(message) {
    var box = $("#notice");
    box.textContent = message;
    box.hidden = false;
    window.clearTimeout(state.noticeTimer);
    state.noticeTimer = window.setTimeout(function () { box.hidden = true; }, NOTICE_MS);
  }

  function drop(rating) {
    saveOutbox(outbox().filter(function (r) { return r.idempotency_key !== rating.idempotency_key; }));
    if (!outbox().length) { setOffline(false); }
  }

  // Send every waiting rating, oldest first. One the server fails on (5xx) is kept for the next round and
  // does not hold back the others; one it refuses (4xx) is dropped and reported; no answer at all ends the
  // round (the network is down) until the next try.
  function flush() {
    var items = outbox();
    if (state.flushing || !items.length || !state.token) { return; }
    state.flushing = true;
    var index = 0;
    var kept = 0;
    function next() {
      if (index >= items.length) {
        state.flushing = false;
        if (kept) { setOffline(true); scheduleFlush(); } else { state.flushFailures = 0; }
        return;
      }
      send(items[index++]).then(function (outcome) {
        if (outcome === "unreachable") { state.flushing = false; setOffline(true); scheduleFlush(); return; }
        if (outcome === "retry") { kept += 1; }
        else if (outcome !== "stored") {
          if (outcome.unpaired) { state.flushing = false; unpair(outcome.message || TEXT.unpaired); return; }
          if (outcome.code !== "already_rated") { notify(TEXT.refused + (outcome.message || TEXT.refusedUnknown)); }
        }
        next();
      });
    }
    next();
  }

  function scheduleFlush() {
    state.flushFailures += 1;
    var delay = Math.min(60, Math.pow(2, Math.min(state.flushFailures, 6))) * 1000;
    window.clearTimeout(state.flushTimer);
    state.flushTimer = window.setTimeout(flush, delay);
  }

  function setOffline(on) { $("#offline-banner").hidden = !on; }

  function thanks(note) {
    $("#thanks-note").textContent = note || "您的意见是我们改进工作的动力。";
    show("thanks");
    state.invite = null;
    saveScreen();
    state.screenTimer = window.setTimeout(goIdle, THANKS_MS);
  }

  // --- start ----------------------------------------------------------------------------------

  function start() {
    state.generation += 1;
    if (!state.token) { show("pair"); $("#pair-code").focus(); return; }
    if (!restoreScreen()) { goIdle(); }
    poll();
    flush();
  }

  window.addEventListener("online", function () { flush(); if (state.pollFailures) { window.clearTimeout(state.pollTimer); poll(); } });
  window.setInterval(tick, 1000);
  window.setInterval(function () { if (document.body.getAttribute("data-current") === "idle") { refreshMe(); } }, ME_REFRESH_MS);
  tick();
  if (outbox().length) { setOffline(true); }
  start();
})();
