// BrightWindow evaluator: a tablet's browser at the counter, authenticated by its device token.
// Screens: pair -> idle <-> rating -> thanks. Ratings wait in localStorage until the server acknowledges
// them (each with an idempotency key made once), so nothing is lost while the network is down.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("device-config").textContent);
  var KEYS = { token: "bw.device.token", after: "bw.device.after", outbox: "bw.device.outbox" };
  var RATING_IDLE_MS = 180000;   // an unfinished rating screen goes back to idle after 3 minutes
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
    noOfficer: "—",
    weekdays: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"]
  };

  var state = {
    token: load(KEYS.token),
    invite: null,
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
    save(KEYS.token, null);
    save(KEYS.after, null);
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

  function tick() {
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    $("#clock").textContent = pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds());
    $("#date").textContent = now.getFullYear() + "年" + (now.getMonth() + 1) + "月" + now.getDate() + "日 " +
      TEXT.weekdays[now.getDay()];
  }

  function renderMe(data) {
    setText("window", data.window.name);
    setText("station", data.window.station || "");
    setText("officer-name", data.officer ? data.officer.name : TEXT.noOfficer);
    setText("officer-number", data.officer && data.officer.police_number ? data.officer.police_number : TEXT.noOfficer);
    setText("complaint-phone", data.complaint_phone || TEXT.noOfficer);
    if (data.wait_seconds) { WAIT_SECONDS = Number(data.wait_seconds) || WAIT_SECONDS; }
  }

  function refreshMe() {
    if (!state.token) { return Promise.resolve(); }
    return api("GET", config.api.me).then(function (result) {
      if (result.status === 200 && result.data) { renderMe(result.data); }
      else if (isUnpaired(result)) { unpair(errorOf(result).message || TEXT.unpaired); }
    }, function () { /* offline: keep what the screen shows */ });
  }

  function goIdle() {
    state.invite = null;
    show("idle");
    refreshMe();
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
        showRating(result.data.invite);
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
    state.screenTimer = window.setTimeout(goIdle, RATING_IDLE_MS);
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

  function showRating(invite) {
    state.invite = invite;
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
    $("#screen-rating").addEventListener(type, armScreenTimer, { passive: true });
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
    $("#submit").disabled = true;
    send(rating).then(function (outcome) {
      if (outcome === "stored") { thanks(); }
      else if (outcome === "retry") { setOffline(true); scheduleFlush(); thanks(); }
      else {
        $("#submit").disabled = false;
        if (outcome.code === "already_rated") { thanks(TEXT.alreadyRated); }
        else if (outcome.unpaired) { unpair(outcome.message || TEXT.unpaired); }
        else { showError(error, outcome.message || TEXT.network); }
      }
    });
  });

  // Send one rating. "stored": acknowledged (and removed from the outbox); "retry": not reached, kept;
  // otherwise the server refused it for good (removed) and the returned error says why.
  function send(rating) {
    return api("POST", config.api.ratings, rating).then(function (result) {
      if (result.status === 200 || result.status === 201) { drop(rating); return "stored"; }
      if (result.status >= 500 || result.status === 429 || result.status === 408) { return "retry"; }
      drop(rating);
      var err = errorOf(result);
      return { code: err.code, message: err.message, unpaired: isUnpaired(result) };
    }, function () { return "retry"; });
  }

  function drop(rating) {
    saveOutbox(outbox().filter(function (r) { return r.idempotency_key !== rating.idempotency_key; }));
    if (!outbox().length) { setOffline(false); }
  }

  function flush() {
    var items = outbox();
    if (state.flushing || !items.length || !state.token) { return; }
    state.flushing = true;
    var next = items[0];
    send(next).then(function (outcome) {
      state.flushing = false;
      if (outcome === "retry") { setOffline(true); scheduleFlush(); return; }
      state.flushFailures = 0;
      if (outcome !== "stored" && outcome.unpaired) { unpair(outcome.message || TEXT.unpaired); return; }
      flush();
    });
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
    state.screenTimer = window.setTimeout(goIdle, THANKS_MS);
  }

  // --- start ----------------------------------------------------------------------------------

  function start() {
    state.generation += 1;
    if (!state.token) { show("pair"); $("#pair-code").focus(); return; }
    goIdle();
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
