/*
 * Lifeline agent console, shared by every page: the page's language and strings, DOM and API
 * helpers, countdowns, live sockets, and the chrome of signed-in pages (presence, the staff
 * channel, sign-out).
 */
export var body = document.body;
export var LANG = body.getAttribute("data-lang") || "en";
export var PAGE = body.getAttribute("data-page") || "";
var AGENT_ID = body.getAttribute("data-agent-id");
var STRINGS = {};
try {
  STRINGS = JSON.parse(document.getElementById("console-strings").textContent || "{}");
} catch (ignored) {
  STRINGS = {};
}

// ---- small helpers ------------------------------------------------------------------

export function t(key, values) {
  var text = STRINGS["console_" + key] || key;
  if (values) {
    Object.keys(values).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
  }
  return text;
}

export function byTestId(id, root) {
  return (root || document).querySelector('[data-testid="' + id + '"]');
}

export function el(tag, attrs) {
  var node = document.createElement(tag);
  var options = attrs || {};
  Object.keys(options).forEach(function (name) {
    var value = options[name];
    if (value === null || value === undefined || value === false) return;
    if (name === "text") node.textContent = String(value);
    else if (name === "testid") node.setAttribute("data-testid", value);
    else if (name === "cls") node.className = value;
    else node.setAttribute(name, String(value));
  });
  for (var i = 2; i < arguments.length; i += 1) {
    var child = arguments[i];
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

export function clear(node) {
  while (node && node.firstChild) node.removeChild(node.firstChild);
}

export function show(node, visible) {
  if (node) node.hidden = !visible;
}

function cookie(name) {
  var parts = document.cookie ? document.cookie.split("; ") : [];
  for (var i = 0; i < parts.length; i += 1) {
    var index = parts[i].indexOf("=");
    if (parts[i].slice(0, index) === name) return decodeURIComponent(parts[i].slice(index + 1));
  }
  return "";
}

export function ApiError(status, code, message, details, retryAfter) {
  this.status = status;
  this.code = code;
  this.message = message;
  this.details = details || {};
  this.retryAfter = retryAfter;
}

export function api(method, path, payload) {
  var headers = { Accept: "application/json" };
  if (method !== "GET") {
    headers["X-CSRF-Token"] = cookie("lifeline_csrf");
    if (payload !== undefined) headers["Content-Type"] = "application/json";
  }
  return fetch(path, {
    method: method,
    headers: headers,
    credentials: "same-origin",
    body: payload === undefined ? undefined : JSON.stringify(payload),
  }).then(function (response) {
    return response.text().then(function (text) {
      var data = null;
      try {
        data = text ? JSON.parse(text) : null;
      } catch (ignored) {
        data = null;
      }
      if (response.ok) return data;
      var error = (data && data.error) || {};
      if (response.status === 401 && PAGE !== "sign-in") {
        window.location.assign("/console/sign-in?next=" + encodeURIComponent(location.pathname));
      }
      throw new ApiError(
        response.status,
        error.code || "http_" + response.status,
        error.message || response.statusText,
        error.details,
        response.headers.get("Retry-After")
      );
    });
  });
}

export function isMissing(error) {
  return error instanceof ApiError && (error.status === 404 || error.status === 405);
}

export function errorText(error) {
  if (!(error instanceof ApiError)) return t("network_error");
  if (error.code === "outbound_blocked") {
    var reasons = error.details && error.details.reasons;
    return (reasons && (reasons[LANG] || reasons.en)) || error.message;
  }
  if (error.code === "invalid") return t("invalid_input");
  // Known conflicts get a sentence in the agent's language; others keep the server's.
  if (STRINGS["console_error_" + error.code]) return STRINGS["console_error_" + error.code];
  return error.message || t("network_error");
}

var toastTimer = null;
export function toast(message) {
  var node = byTestId("toast");
  if (!node) return;
  node.textContent = message;
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(function () {
    node.hidden = true;
  }, 5000);
}

export function showError(testid, error) {
  var node = byTestId(testid);
  if (!node) return;
  if (!error) {
    node.hidden = true;
    node.textContent = "";
    node.removeAttribute("data-code");
    return;
  }
  node.textContent = typeof error === "string" ? error : errorText(error);
  if (error instanceof ApiError) node.setAttribute("data-code", error.code);
  node.hidden = false;
}

export function formatTime(iso) {
  if (!iso) return "";
  var date = new Date(iso);
  if (isNaN(date.getTime())) return String(iso);
  return date.toLocaleString(LANG === "zh" ? "zh-CN" : "en-GB", {
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}

export function formatDuration(seconds) {
  var total = Math.max(0, Math.round(Math.abs(seconds)));
  var hours = Math.floor(total / 3600);
  var minutes = Math.floor((total % 3600) / 60);
  var secs = total % 60;
  if (hours > 0) return hours + "h " + minutes + "m";
  if (minutes > 0) return minutes + "m " + secs + "s";
  return secs + "s";
}

// A countdown that ticks every second; red ("breached") once past due.
var countdowns = [];
export function countdown(node, dueIso, state) {
  if (!node) return;
  node.setAttribute("data-due", dueIso || "");
  node.setAttribute("data-clock", state || "");
  if (countdowns.indexOf(node) < 0) countdowns.push(node);
  tickCountdown(node);
}
// Stop updating the countdowns ``gone`` picks (their nodes are about to be replaced).
export function forgetCountdowns(gone) {
  countdowns = countdowns.filter(function (node) {
    return !gone(node);
  });
}

function tickCountdown(node) {
  var due = node.getAttribute("data-due");
  var clock = node.getAttribute("data-clock");
  if (clock === "met" || clock === "paused" || !due) {
    node.textContent = clock ? t("sla_" + clock) : "–";
    node.setAttribute("data-state", clock || "none");
    return;
  }
  var left = (new Date(due).getTime() - Date.now()) / 1000;
  if (left < 0) {
    node.textContent = t("sla_overdue", { time: formatDuration(left) });
    node.setAttribute("data-state", "breached");
  } else {
    node.textContent = t("sla_left", { time: formatDuration(left) });
    node.setAttribute("data-state", left < 30 * 60 ? "warning" : "on_track");
  }
}
setInterval(function () {
  countdowns.forEach(tickCountdown);
  // Waiting times in the inbox keep counting between reloads.
  document.querySelectorAll('[data-testid="item-wait"][data-since]').forEach(function (node) {
    var seconds = (Date.now() - Number(node.getAttribute("data-since"))) / 1000;
    node.textContent = t("waiting_for", { time: formatDuration(seconds) });
    node.classList.toggle("late", seconds > 300);
  });
}, 1000);

function setLiveState(state) {
  var node = byTestId("live-status");
  if (node) {
    node.setAttribute("data-state", state);
    node.setAttribute("title", t("live_" + state));
  }
}

// A WebSocket that reconnects with backoff; `path` is a function so a reconnect can carry
// the newest after_id.
export function liveSocket(path, handlers) {
  var socket = null;
  var attempts = 0;
  var stopped = false;
  function connect() {
    var scheme = location.protocol === "https:" ? "wss:" : "ws:";
    try {
      socket = new WebSocket(scheme + "//" + location.host + path());
    } catch (ignored) {
      retry();
      return;
    }
    socket.onopen = function () {
      attempts = 0;
      if (handlers.open) handlers.open();
    };
    socket.onmessage = function (event) {
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch (ignored) {
        return;
      }
      if (frame && typeof frame === "object") handlers.event(frame);
    };
    socket.onclose = function (event) {
      if (handlers.close) handlers.close(event);
      // 4401: signed out; 4404: not ours or gone. Neither gets better by retrying fast.
      if (event.code === 4401 || event.code === 4404) attempts = Math.max(attempts, 5);
      retry();
    };
  }
  function retry() {
    if (stopped) return;
    var delay = Math.min(30000, 1000 * Math.pow(2, attempts));
    attempts += 1;
    setTimeout(connect, delay);
  }
  connect();
  return {
    send: function (data) {
      if (socket && socket.readyState === 1) socket.send(JSON.stringify(data));
    },
    isOpen: function () {
      return Boolean(socket && socket.readyState === 1);
    },
    stop: function () {
      stopped = true;
      if (socket) socket.close();
    },
  };
}

// ---- every signed-in page: presence, staff live channel, sign-out -------------------

export var staffListeners = [];
export var staffSocket = null;

function notifyStaff(frame) {
  staffListeners.forEach(function (listener) {
    listener(frame);
  });
}

export function initChrome() {
  var signOut = byTestId("sign-out");
  if (signOut) {
    signOut.addEventListener("click", function () {
      try {
        window.sessionStorage.removeItem("lifeline.console.presence");
      } catch (ignored) {
        // nothing stored
      }
      api("POST", "/api/v1/auth/sign-out")
        .catch(function () {
          return null;
        })
        .then(function () {
          window.location.assign("/console/sign-in");
        });
    });
  }
  if (!AGENT_ID || PAGE === "forbidden") return;
  var select = byTestId("presence-select");
  function showPresence(data) {
    if (select && data && data.status) select.value = data.status;
  }
  function presenceMissing(error) {
    if (isMissing(error) && select) {
      select.disabled = true;
      select.title = t("presence_unavailable");
    }
  }
  var chosen = null;
  try {
    chosen = window.sessionStorage.getItem("lifeline.console.presence");
  } catch (ignored) {
    chosen = null;
  }
  // Opening the inbox means "I'm working": online, unless the agent chose otherwise in
  // this browser session.
  if (PAGE === "inbox" && !chosen) {
    // Going online may route waiting chats to this agent at once.
    api("PUT", "/api/v1/agent/presence", { status: "online" }).then(function (data) {
      showPresence(data);
      notifyStaff({ type: "presence.changed" });
    }, presenceMissing);
  } else {
    api("GET", "/api/v1/agent/presence").then(showPresence, presenceMissing);
  }
  if (select) {
    select.addEventListener("change", function () {
      try {
        window.sessionStorage.setItem("lifeline.console.presence", select.value);
      } catch (ignored) {
        // private mode: the choice lasts for this page only
      }
      api("PUT", "/api/v1/agent/presence", { status: select.value }).then(
        function (data) {
          showPresence(data);
          toast(t("presence_saved"));
        },
        function (error) {
          toast(errorText(error));
        }
      );
    });
  }
  staffSocket = liveSocket(
    function () {
      return "/api/v1/agent/live";
    },
    {
      open: function () {
        setLiveState("open");
        // Whatever happened while the channel was down is not replayed: reload on connect.
        notifyStaff({ type: "live.connected" });
      },
      close: function () {
        setLiveState("down");
      },
      event: function (frame) {
        if (frame.type === "conversation.assigned") {
          toast(t("assigned_to_you", { id: frame.conversation_id || "" }));
        }
        notifyStaff(frame);
      },
    }
  );
}
