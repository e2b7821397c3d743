/*
 * Lifeline agent console: fills the server-rendered shells (templates/console_*.html) from
 * the staff API. No framework, no build step. Every piece of data reaches the page through
 * textContent or attributes set with setAttribute, never through innerHTML, so a customer's
 * message can never become markup. The page's CSP allows scripts only from this origin.
 *
 * Stable hooks for browser tests ([data-testid=...]):
 *   every page     console-header, nav-inbox, nav-supervisor, presence, presence-select,
 *                  live-status[data-state=connecting|open|down], lang-switch, lang-en, lang-zh,
 *                  agent-name, sign-out, toast
 *   sign-in        sign-in-form, sign-in-email, sign-in-password, sign-in-submit,
 *                  sign-in-error[data-code=invalid_credentials|sign_in_locked|...]
 *   inbox          inbox-filters, filter-mine, filter-team, filter-unassigned, filter-breaching,
 *                  filter-all, filter-language, filter-vip, inbox-refresh, conversation-list,
 *                  ticket-list, conversation-count, ticket-count, conversations-empty,
 *                  tickets-empty, conversations-unavailable,
 *                  inbox-item[data-kind=conversation|ticket][data-id][data-status][data-vip]
 *                  (inside: inbox-link, item-wait, item-sla[data-state])
 *   conversation   conversation-id, conversation-status[data-status], handoff-summary,
 *                  handoff-facts (rows: handoff-fact[data-key]), handoff-checks, handoff-said,
 *                  masked-warning, transcript, (handoff-fact data-key: reason, intent, team,
 *                  ticket, entity-txid, entity-order_id, entity-address, entity-amount, ...),
 *                  message[data-sender=customer|bot|agent|system][data-internal=true|false]
 *                  [data-message-id] (inside: message-body, message-read,
 *                  message-attachment), typing-indicator,
 *                  composer, mode-reply, mode-note, reply-input, reply-send, guard-error,
 *                  macro-picker, macro-apply, accept, transfer, transfer-target, transfer-value,
 *                  transfer-note, transfer-submit, wrap-up, wrap-up-note, wrap-up-resolve,
 *                  wrap-up-ticket, tags, tags-input, tags-save, action-error,
 *                  sla-timer[data-state], required-language, rating[data-score],
 *                  detail-unavailable
 *   ticket         ticket-subject, ticket-status, ticket-priority, sla-timers,
 *                  sla-first-response[data-state], sla-resolution[data-state], ticket-fields,
 *                  transcript, message[data-sender][data-internal], composer, reply-input,
 *                  reply-send, guard-error, macro-picker, macro-apply, status-select,
 *                  status-apply, escalate, escalate-reason, escalate-team, escalate-supervisor,
 *                  escalate-submit, tags-input, tags-save, action-error
 *   side panel     customer-context, context-facts (rows: fact-name, fact-email, fact-user-id,
 *                  fact-vip, fact-kyc, fact-account-status, ...), reveal-pii, freeze-account
 *                  (roles with the accounts:freeze permission),
 *                  context-deposits, context-withdrawals, context-orders,
 *                  context-tickets-section, context-tickets, context-unavailable
 *   supervisor     overview-stats, stat-waiting, stat-breached, stat-breaching-soon,
 *                  queue-table, queue-row, agent-table, agent-row[data-status],
 *                  open-breaching, overview-unavailable
 *   403 page       forbidden
 */
(function () {
  "use strict";

  var body = document.body;
  var LANG = body.getAttribute("data-lang") || "en";
  var PAGE = body.getAttribute("data-page") || "";
  var AGENT_ID = body.getAttribute("data-agent-id");
  var STRINGS = {};
  try {
    STRINGS = JSON.parse(document.getElementById("console-strings").textContent || "{}");
  } catch (ignored) {
    STRINGS = {};
  }

  // ---- small helpers ------------------------------------------------------------------

  function t(key, values) {
    var text = STRINGS["console_" + key] || key;
    if (values) {
      Object.keys(values).forEach(function (name) {
        text = text.split("{" + name + "}").join(String(values[name]));
      });
    }
    return text;
  }

  function byTestId(id, root) {
    return (root || document).querySelector('[data-testid="' + id + '"]');
  }

  function el(tag, attrs) {
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

  function clear(node) {
    while (node && node.firstChild) node.removeChild(node.firstChild);
  }

  function show(node, visible) {
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

  function ApiError(status, code, message, details, retryAfter) {
    this.status = status;
    this.code = code;
    this.message = message;
    this.details = details || {};
    this.retryAfter = retryAfter;
  }

  function api(method, path, payload) {
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

  function isMissing(error) {
    return error instanceof ApiError && (error.status === 404 || error.status === 405);
  }

  function errorText(error) {
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
  function toast(message) {
    var node = byTestId("toast");
    if (!node) return;
    node.textContent = message;
    node.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () {
      node.hidden = true;
    }, 5000);
  }

  function showError(testid, error) {
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

  function formatTime(iso) {
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

  function formatDuration(seconds) {
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
  function countdown(node, dueIso, state) {
    if (!node) return;
    node.setAttribute("data-due", dueIso || "");
    node.setAttribute("data-clock", state || "");
    if (countdowns.indexOf(node) < 0) countdowns.push(node);
    tickCountdown(node);
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
  function liveSocket(path, handlers) {
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

  var staffListeners = [];
  var staffSocket = null;

  function notifyStaff(frame) {
    staffListeners.forEach(function (listener) {
      listener(frame);
    });
  }

  function initChrome() {
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

  // ---- sign-in --------------------------------------------------------------------------

  function initSignIn() {
    var form = byTestId("sign-in-form");
    if (!form) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      showError("sign-in-error", null);
      var email = form.elements.email.value.trim();
      var password = form.elements.password.value;
      if (!email || !password) {
        showError("sign-in-error", t("fill_in_both"));
        return;
      }
      var button = byTestId("sign-in-submit");
      button.disabled = true;
      api("POST", "/api/v1/auth/sign-in", { email: email, password: password })
        .then(function () {
          var next = body.getAttribute("data-next") || "/console";
          window.location.assign(next.indexOf("/console") === 0 ? next : "/console");
        })
        .catch(function (error) {
          var message = errorText(error);
          if (error instanceof ApiError && error.code === "invalid_credentials") {
            message = t("invalid_credentials");
          } else if (error instanceof ApiError && error.code === "sign_in_locked") {
            var minutes = Math.max(1, Math.ceil(Number(error.retryAfter || 60) / 60));
            message = t("sign_in_locked", { minutes: minutes });
          } else if (error instanceof ApiError && error.status === 429) {
            message = t("too_many_attempts");
          }
          showError("sign-in-error", message);
          var node = byTestId("sign-in-error");
          if (error instanceof ApiError) node.setAttribute("data-code", error.code);
        })
        .then(function () {
          button.disabled = false;
        });
    });
  }

  // ---- inbox ----------------------------------------------------------------------------

  function vipBadge(tier) {
    return tier && Number(tier) > 0 ? el("span", { cls: "badge vip", text: "VIP " + tier }) : null;
  }

  function conversationItem(item) {
    var customer = item.customer || {};
    var link = el(
      "a",
      { href: "/console/conversations/" + encodeURIComponent(item.id), testid: "inbox-link" },
      customer.name || customer.user_id || t("visitor")
    );
    var waiting =
      item.status === "queued" && item.waiting_seconds !== null && item.waiting_seconds !== undefined
        ? el("span", {
            cls: "wait" + (item.waiting_seconds > 300 ? " late" : ""),
            testid: "item-wait",
            "data-since": Date.now() - item.waiting_seconds * 1000,
            text: t("waiting_for", { time: formatDuration(item.waiting_seconds) }),
          })
        : null;
    return el(
      "li",
      {
        testid: "inbox-item",
        "data-kind": "conversation",
        "data-id": item.id,
        "data-status": item.status,
        "data-vip": item.vip_tier > 0 ? "true" : "false",
        cls: "item" + (item.unread ? " unread" : ""),
      },
      el(
        "div",
        { cls: "line" },
        link,
        el("span", { cls: "badge status-" + item.status, text: t("status_" + item.status) }),
        item.unread
          ? el("span", { cls: "badge unread-count", testid: "item-unread", text: String(item.unread) })
          : null,
        el("span", { cls: "badge", text: (item.language || "").toUpperCase() }),
        vipBadge(item.vip_tier),
        item.required_language
          ? el("span", { cls: "badge", text: t("needs_language", { lang: item.required_language.toUpperCase() }) })
          : null,
        waiting
      ),
      el("div", { cls: "preview", text: item.last_message_preview || "" }),
      el(
        "div",
        { cls: "meta" },
        [
          item.intent || "",
          item.team || "",
          item.assigned_agent ? t("with_agent", { name: item.assigned_agent.name || "" }) : t("unassigned"),
          formatTime(item.last_message_at),
        ]
          .filter(Boolean)
          .join(" · ")
      )
    );
  }

  function ticketItem(item) {
    var sla = el("span", { cls: "sla", testid: "item-sla" });
    var li = el(
      "li",
      {
        testid: "inbox-item",
        "data-kind": "ticket",
        "data-id": item.number,
        "data-status": item.status,
        "data-vip": item.vip_tier > 0 ? "true" : "false",
        cls: "item",
      },
      el(
        "div",
        { cls: "line" },
        el("a", { href: "/console/tickets/" + item.number, testid: "inbox-link" }, "#" + item.number + " " + item.subject),
        el("span", { cls: "badge status-" + item.status, text: t("status_" + item.status) }),
        el("span", { cls: "badge prio-" + item.priority, text: t("priority_" + item.priority) }),
        el("span", { cls: "badge", text: (item.language || "").toUpperCase() }),
        vipBadge(item.vip_tier),
        sla
      ),
      el(
        "div",
        { cls: "meta" },
        [
          (item.customer && item.customer.name) || "",
          item.team || "",
          item.assignee ? t("with_agent", { name: item.assignee.name || "" }) : t("unassigned"),
          (item.tags || []).join(", "),
        ]
          .filter(Boolean)
          .join(" · ")
      )
    );
    if (item.sla) countdown(sla, item.sla.next_due_at, item.sla.state === "met" ? "met" : item.sla.state === "paused" ? "paused" : "");
    return li;
  }

  function initInbox() {
    var form = byTestId("inbox-filters");
    var conversationList = byTestId("conversation-list");
    var ticketList = byTestId("ticket-list");
    var loading = false;
    var again = false;
    var baseTitle = document.title;

    function filters() {
      var view = (form.querySelector('input[name="view"]:checked') || {}).value || "mine";
      return {
        view: view,
        language: form.elements.language.value,
        vip: form.elements.vip.checked,
      };
    }

    function loadConversations(f) {
      var params = new URLSearchParams();
      // "Breaching soon" for chats means the queue, longest waits first.
      params.set("view", f.view === "breaching" ? "all" : f.view);
      if (f.view === "breaching") params.set("status", "queued");
      if (f.language) params.set("language", f.language);
      if (f.vip) params.set("vip", "true");
      var requests = [api("GET", "/api/v1/agent/conversations?" + params.toString())];
      if (f.view === "mine") {
        // "Mine" also shows the chats waiting for someone, so nobody has to switch views to
        // pick up the queue.
        var waiting = new URLSearchParams(params);
        waiting.set("view", "unassigned");
        waiting.set("status", "queued");
        requests.push(api("GET", "/api/v1/agent/conversations?" + waiting.toString()));
      }
      return Promise.all(requests).then(
        function (results) {
          var known = {};
          var items = [];
          results.forEach(function (result) {
            (result || []).forEach(function (item) {
              if (!known[item.id]) {
                known[item.id] = true;
                items.push(item);
              }
            });
          });
          show(byTestId("conversations-unavailable"), false);
          var list = (items || []).filter(function (item) {
            return (!f.language || item.language === f.language) && (!f.vip || item.vip_tier > 0);
          });
          if (f.view === "breaching") {
            list.sort(function (a, b) {
              return (b.waiting_seconds || 0) - (a.waiting_seconds || 0);
            });
          }
          clear(conversationList);
          list.forEach(function (item) {
            conversationList.appendChild(conversationItem(item));
          });
          byTestId("conversation-count").textContent = "(" + list.length + ")";
          var waitingCount = list.filter(function (item) {
            return item.status === "queued";
          }).length;
          document.title = (waitingCount ? "(" + waitingCount + ") " : "") + baseTitle;
          show(byTestId("conversations-empty"), list.length === 0);
        },
        function (error) {
          clear(conversationList);
          show(byTestId("conversations-empty"), false);
          var notice = byTestId("conversations-unavailable");
          if (!isMissing(error)) notice.textContent = errorText(error);
          show(notice, true);
        }
      );
    }

    function loadTickets(f) {
      var params = new URLSearchParams();
      params.set("view", f.view);
      params.set("limit", "100");
      if (f.view === "breaching") params.set("within_minutes", "120");
      return api("GET", "/api/v1/tickets?" + params.toString()).then(
        function (page) {
          var list = ((page && page.items) || []).filter(function (item) {
            return (!f.language || item.language === f.language) && (!f.vip || item.vip_tier > 0);
          });
          countdowns = countdowns.filter(function (node) {
            return document.body.contains(node) && !ticketList.contains(node);
          });
          clear(ticketList);
          list.forEach(function (item) {
            ticketList.appendChild(ticketItem(item));
          });
          byTestId("ticket-count").textContent = "(" + list.length + ")";
          show(byTestId("tickets-empty"), list.length === 0);
        },
        function (error) {
          toast(errorText(error));
        }
      );
    }

    function load() {
      if (loading) {
        again = true;
        return;
      }
      loading = true;
      var f = filters();
      Promise.all([loadConversations(f), loadTickets(f)]).then(function () {
        loading = false;
        if (again) {
          again = false;
          load();
        }
      });
    }

    // A link such as /console?view=breaching opens the inbox on that view.
    var initialView = new URLSearchParams(location.search).get("view");
    var initialRadio = initialView && form.querySelector('input[name="view"][value="' + initialView.replace(/[^a-z]/g, "") + '"]');
    if (initialRadio) initialRadio.checked = true;
    form.addEventListener("change", load);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      load();
    });
    byTestId("inbox-refresh").addEventListener("click", load);
    staffListeners.push(function (frame) {
      var reloads = ["queue.changed", "conversation.assigned", "conversation.message", "live.connected", "presence.changed"];
      if (reloads.indexOf(frame.type) >= 0) load();
    });
    // Polling fallback while the live channel is down.
    setInterval(function () {
      if (!staffSocket || !staffSocket.isOpen()) load();
    }, 10000);
    load();
  }

  // ---- shared by conversation and ticket pages ----------------------------------------

  function summarizeRecord(record) {
    var keys = ["asset", "coin", "symbol", "pair", "side", "type", "amount", "quantity", "price",
      "network", "status", "txid", "order_id", "id", "created_at"];
    var parts = [];
    keys.forEach(function (key) {
      if (record && record[key] !== undefined && record[key] !== null && record[key] !== "") {
        var value = record[key];
        parts.push(key === "created_at" ? formatTime(value) : String(value));
      }
    });
    return parts.join(" · ");
  }

  function fillList(testid, records, render) {
    var list = byTestId(testid);
    if (!list) return;
    clear(list);
    (records || []).forEach(function (record) {
      list.appendChild(el("li", { text: render ? render(record) : summarizeRecord(record) }));
    });
    if (!records || records.length === 0) list.appendChild(el("li", { cls: "muted", text: t("none") }));
  }

  function fact(list, key, label, value) {
    if (value === null || value === undefined || value === "") return;
    list.appendChild(el("dt", { text: label }));
    list.appendChild(el("dd", { testid: "fact-" + key, text: String(value) }));
  }

  var customerUserId = null;
  function loadContext(publicId, reveal) {
    var panel = byTestId("customer-context");
    if (!panel || !publicId) return;
    show(panel, true);
    var path = "/api/v1/customers/" + encodeURIComponent(publicId) + "/context" + (reveal ? "?reveal=true" : "");
    api("GET", path).then(
      function (data) {
        show(byTestId("context-unavailable"), false);
        customerUserId = data.external_id || null;
        var facts = byTestId("context-facts");
        clear(facts);
        fact(facts, "name", t("name"), data.name);
        fact(facts, "email", t("email"), data.email);
        fact(facts, "user-id", t("user_id"), data.external_id);
        fact(facts, "vip", t("vip_tier"), data.vip_tier);
        fact(facts, "kyc", t("kyc"), data.kyc_status ? data.kyc_status + (data.kyc_level !== null ? " (L" + data.kyc_level + ")" : "") : null);
        fact(facts, "kyc-reason", t("kyc_rejection"), data.kyc_rejection_reason);
        fact(facts, "account-status", t("account_status"), data.account_status ? data.account_status + (data.account_status_reason ? " — " + data.account_status_reason : "") : null);
        fact(facts, "manager", t("account_manager"), data.account_manager);
        fact(facts, "language", t("language"), data.preferred_language);
        if (data.account_status) facts.setAttribute("data-account-status", data.account_status);
        fillList("context-deposits", data.deposits);
        fillList("context-withdrawals", data.withdrawals);
        fillList("context-orders", data.orders);
        var pastTickets = data.tickets || data.past_tickets;
        show(byTestId("context-tickets-section"), Array.isArray(pastTickets));
        fillList("context-tickets", pastTickets, function (ticket) {
          return "#" + ticket.number + " " + (ticket.subject || "") + " · " + (ticket.status || "");
        });
        var reveal = byTestId("reveal-pii");
        if (reveal) show(reveal, !data.revealed);
        var freeze = byTestId("freeze-account");
        if (freeze) show(freeze, Boolean(customerUserId) && data.account_status !== "frozen");
      },
      function (error) {
        var notice = byTestId("context-unavailable");
        notice.textContent = isMissing(error) ? t("context_unavailable") : errorText(error);
        show(notice, true);
      }
    );
  }

  function initContextPanel(getPublicId) {
    var reveal = byTestId("reveal-pii");
    if (reveal) {
      reveal.addEventListener("click", function () {
        loadContext(getPublicId(), true);
      });
    }
    var freeze = byTestId("freeze-account");
    if (freeze) {
      freeze.addEventListener("click", function () {
        if (!customerUserId || !window.confirm(t("freeze_confirm"))) return;
        api("POST", "/api/v1/security/accounts/" + encodeURIComponent(customerUserId) + "/freeze", {
          confirm: true,
        }).then(
          function () {
            toast(t("frozen"));
            loadContext(getPublicId(), false);
          },
          function (error) {
            var message = errorText(error);
            var target = byTestId("action-error");
            if (target) showError("action-error", message);
            else toast(message);
          }
        );
      });
    }
  }

  function loadMacros() {
    var picker = byTestId("macro-picker");
    if (!picker) return;
    api("GET", "/api/v1/macros").then(
      function (macros) {
        (macros || []).forEach(function (macro) {
          var option = el("option", { value: macro.id, text: macro.name });
          var preview = (macro.bodies && (macro.bodies[LANG] || macro.bodies.en)) || "";
          option.setAttribute("title", preview);
          picker.appendChild(option);
        });
      },
      function () {
        picker.disabled = true;
      }
    );
  }

  // Team slugs for the transfer and escalate forms (suggestions; the server validates).
  var teamsPromise = null;
  function loadTeams() {
    if (!teamsPromise) {
      teamsPromise = api("GET", "/api/v1/teams").then(
        function (teams) {
          return teams || [];
        },
        function () {
          return [];
        }
      );
    }
    return teamsPromise;
  }

  function fillOptions(list, options) {
    if (!list) return;
    clear(list);
    options.forEach(function (option) {
      list.appendChild(el("option", { value: option.value, label: option.label || option.value }));
    });
  }

  function composerMode() {
    var checked = document.querySelector('#composer input[name="mode"]:checked');
    return checked ? checked.value : "reply";
  }

  function syncComposerMode() {
    var composer = byTestId("composer");
    if (composer) composer.classList.toggle("note-mode", composerMode() === "note");
  }

  function parseTags(value) {
    var seen = {};
    return value
      .split(",")
      .map(function (tag) {
        return tag.trim().toLowerCase();
      })
      .filter(function (tag) {
        if (!tag || seen[tag]) return false;
        seen[tag] = true;
        return true;
      });
  }

  // ---- conversation ---------------------------------------------------------------------

  function initConversation() {
    var conversationId = body.getAttribute("data-conversation-id");
    var base = "/api/v1/agent/conversations/" + encodeURIComponent(conversationId);
    var transcript = byTestId("transcript");
    var seen = {};
    var lastId = 0;
    var lastCustomerId = 0;
    var lastReadSent = 0;
    var readUpTo = 0;
    var customerPublicId = null;
    var status = null;
    var typingTimer = null;

    function senderOf(message) {
      return message.sender_type || "system";
    }

    function isInternal(message, event) {
      return Boolean(
        message.internal || (event && event.internal) || (message.meta && message.meta.internal)
      );
    }

    function addMessage(message, event) {
      if (!message || message.id === undefined || seen[message.id]) return;
      seen[message.id] = true;
      var sender = senderOf(message);
      var internal = isInternal(message, event);
      var attachment = message.meta && message.meta.attachment;
      var item = el(
        "li",
        {
          testid: "message",
          "data-sender": sender,
          "data-internal": internal ? "true" : "false",
          "data-message-id": message.id,
          cls: "msg from-" + sender + (internal ? " note" : ""),
        },
        el(
          "div",
          { cls: "who" },
          internal ? t("internal_note") : t("sender_" + sender),
          el("time", { datetime: message.created_at || "", text: formatTime(message.created_at) })
        ),
        el("div", { cls: "text", testid: "message-body", text: message.body || "" }),
        attachment && attachment.public_id
          ? el(
              "a",
              {
                cls: "attachment",
                testid: "message-attachment",
                href: base + "/attachments/" + encodeURIComponent(attachment.public_id),
                download: "",
                rel: "noopener",
              },
              "📎 " + (attachment.filename || "") + " (" + (attachment.content_type || "") + ")"
            )
          : null,
        message.masked_kinds && message.masked_kinds.length
          ? el("div", { cls: "masked", text: t("masked_in_message", { kinds: message.masked_kinds.join(", ") }) })
          : null,
        sender === "agent" && !internal ? el("span", { cls: "read", testid: "message-read", hidden: "hidden" }) : null
      );
      // Keep the transcript in id order even if a catch-up interleaves with live events.
      var after = null;
      var nodes = transcript.children;
      for (var i = nodes.length - 1; i >= 0; i -= 1) {
        if (Number(nodes[i].getAttribute("data-message-id")) < message.id) break;
        after = nodes[i];
      }
      transcript.insertBefore(item, after);
      lastId = Math.max(lastId, message.id);
      if (sender === "customer") lastCustomerId = Math.max(lastCustomerId, message.id);
      markRead();
      transcript.scrollTop = transcript.scrollHeight;
      if (readUpTo) showReadUpTo(readUpTo);
    }

    function showReadUpTo(messageId) {
      readUpTo = Math.max(readUpTo, messageId);
      transcript.querySelectorAll('[data-testid="message-read"]').forEach(function (node) {
        var owner = Number(node.parentNode.getAttribute("data-message-id"));
        if (owner <= readUpTo) {
          node.textContent = t("read");
          node.hidden = false;
        }
      });
    }

    function markRead() {
      if (document.hidden || !live || lastCustomerId <= lastReadSent) return;
      lastReadSent = lastCustomerId;
      live.send({ type: "read", message_id: lastCustomerId });
    }

    function setStatus(value) {
      if (!value) return;
      status = value;
      var badge = byTestId("conversation-status");
      badge.textContent = t("status_" + value);
      badge.setAttribute("data-status", value);
      badge.className = "badge status-" + value;
      show(byTestId("accept"), value === "queued");
    }

    function renderHandoff(handoff) {
      var card = byTestId("handoff-summary");
      if (!handoff || typeof handoff !== "object") {
        show(card, false);
        return;
      }
      show(card, true);
      var facts = byTestId("handoff-facts");
      clear(facts);
      function row(key, label, value) {
        if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return;
        facts.appendChild(el("dt", { text: label }));
        facts.appendChild(
          el("dd", { testid: "handoff-fact", "data-key": key, text: Array.isArray(value) ? value.join(", ") : String(value) })
        );
      }
      row("reason", t("reason"), handoff.reason);
      row("intent", t("intent"), handoff.intent);
      row("team", t("team"), handoff.team);
      row("ticket", t("ticket"), handoff.ticket_number ? "#" + handoff.ticket_number : null);
      var entities = handoff.entities || {};
      var labels = { txid: "txids", order_id: "order_ids", address: "addresses", coin: "coins",
        asset: "coins", amount: "amounts", network: "networks", invalid_address: "invalid_addresses",
        ticket_ref: "ticket_refs", email: "emails", datetime: "times" };
      Object.keys(entities).forEach(function (key) {
        var values = (entities[key] || []).map(function (value) {
          if (typeof value !== "object" || value === null) return String(value);
          if (value.value !== undefined) return [value.value, value.asset || ""].join(" ").trim();
          return summarizeRecord(value) || JSON.stringify(value);
        });
        row("entity-" + key, labels[key] ? t(labels[key]) : key, values);
      });
      row("customer-message", t("customer_said"), handoff.customer_message);
      var checks = byTestId("handoff-checks");
      var checkList = checks.querySelector("ul");
      clear(checkList);
      (handoff.checks || []).forEach(function (check) {
        var text = typeof check === "object" && check !== null
          ? Object.keys(check).map(function (key) {
              var value = check[key];
              return key + ": " + (typeof value === "object" && value !== null ? JSON.stringify(value) : String(value));
            }).join(" · ")
          : String(check);
        checkList.appendChild(el("li", { text: text }));
      });
      show(checks, (handoff.checks || []).length > 0);
      var said = byTestId("handoff-said");
      var saidList = said.querySelector("ul");
      clear(saidList);
      (handoff.said || []).forEach(function (text) {
        saidList.appendChild(el("li", { text: String(text) }));
      });
      show(said, (handoff.said || []).length > 0);
      var warning = byTestId("masked-warning");
      var kinds = handoff.masked_kinds || [];
      warning.textContent = kinds.length ? t("masked_warning", { kinds: kinds.join(", ") }) : "";
      show(warning, kinds.length > 0);
    }

    function loadTicketSla(number) {
      if (!number) return;
      api("GET", "/api/v1/tickets/" + encodeURIComponent(number)).then(function (ticket) {
        var node = byTestId("sla-timer");
        show(node, true);
        var sla = ticket.sla || {};
        var clock = sla.state === "met" || sla.state === "paused" ? sla.state : "";
        countdown(node, sla.next_due_at, clock);
      }, function () {
        return null;
      });
    }

    function renderDetail(detail) {
      show(byTestId("detail-unavailable"), false);
      setStatus(detail.status);
      renderHandoff(detail.handoff);
      (detail.messages || []).forEach(function (message) {
        addMessage(message);
      });
      var tags = byTestId("tags-input");
      if (tags && detail.tags && document.activeElement !== tags) tags.value = detail.tags.join(", ");
      var customer = detail.customer || (detail.handoff && detail.handoff.customer) || {};
      if (customer.public_id && customer.public_id !== customerPublicId) {
        customerPublicId = customer.public_id;
        loadContext(customerPublicId, false);
      }
      loadTicketSla(detail.ticket_number || (detail.handoff && detail.handoff.ticket_number));
      var required = byTestId("required-language");
      required.textContent = detail.required_language ? t("needs_language", { lang: detail.required_language.toUpperCase() }) : "";
      show(required, Boolean(detail.required_language));
      var rating = byTestId("rating");
      if (detail.rating) {
        rating.textContent = t("rated", { score: detail.rating }) + (detail.rating_comment ? " — " + detail.rating_comment : "");
        rating.setAttribute("data-score", String(detail.rating));
      }
      show(rating, Boolean(detail.rating));
    }

    function loadDetail() {
      return api("GET", base).then(renderDetail, function (error) {
        var notice = byTestId("detail-unavailable");
        if (!isMissing(error)) notice.textContent = errorText(error);
        show(notice, true);
      });
    }

    function afterAction(detail) {
      showError("action-error", null);
      if (detail && typeof detail === "object" && detail.status) renderDetail(detail);
      return detail;
    }

    var live = liveSocket(
      function () {
        return "/api/v1/conversations/" + encodeURIComponent(conversationId) + "/live?after_id=" + lastId;
      },
      {
        open: markRead,
        event: function (frame) {
          if (frame.type === "message.created") {
            addMessage(frame.message, frame);
          } else if (frame.type === "typing") {
            if (String(frame.from || "").indexOf("agent:") === 0) return;
            var indicator = byTestId("typing-indicator");
            show(indicator, true);
            clearTimeout(typingTimer);
            typingTimer = setTimeout(function () {
              show(indicator, false);
            }, 4000);
          } else if (frame.type === "read") {
            if (String(frame.from || "").indexOf("agent:") !== 0 && frame.message_id) showReadUpTo(frame.message_id);
          } else if (frame.type === "status") {
            setStatus(frame.status);
            if (frame.status === "resolved" || frame.status === "assigned") loadDetail();
            if (frame.agent && frame.agent.name) toast(t("now_with", { name: frame.agent.name }));
          }
        },
      }
    );
    document.addEventListener("visibilitychange", markRead);

    // Composer: reply or internal note.
    var form = byTestId("composer");
    var input = byTestId("reply-input");
    var lastTyping = 0;
    form.addEventListener("change", syncComposerMode);
    input.addEventListener("input", function () {
      showError("guard-error", null);
      if (composerMode() === "reply" && Date.now() - lastTyping > 2000) {
        lastTyping = Date.now();
        live.send({ type: "typing" });
      }
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      var note = composerMode() === "note";
      var send = byTestId("reply-send");
      send.disabled = true;
      showError("guard-error", null);
      var payload = note ? { text: text } : { text: text, client_message_id: "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8) };
      api("POST", base + (note ? "/notes" : "/messages"), payload)
        .then(function (message) {
          input.value = "";
          addMessage(message, note ? { internal: true } : null);
        })
        .catch(function (error) {
          showError("guard-error", error);
        })
        .then(function () {
          send.disabled = false;
        });
    });

    byTestId("macro-apply").addEventListener("click", function () {
      var picker = byTestId("macro-picker");
      if (!picker.value) return;
      showError("guard-error", null);
      api("POST", base + "/macros/" + encodeURIComponent(picker.value)).then(
        function (message) {
          addMessage(message);
          picker.value = "";
        },
        function (error) {
          showError("guard-error", error);
        }
      );
    });

    byTestId("accept").addEventListener("click", function () {
      api("POST", base + "/accept").then(afterAction, function (error) {
        showError("action-error", error);
        loadDetail();
      });
    });

    var transferForm = document.getElementById("transfer-form");
    function transferOptions() {
      var target = transferForm.elements.target.value;
      var list = document.getElementById("transfer-options");
      transferForm.elements.value.hidden = target === "supervisor";
      if (target === "team") {
        loadTeams().then(function (teams) {
          fillOptions(list, teams.map(function (team) {
            return { value: team.slug, label: team.name };
          }));
        });
      } else if (target === "language") {
        fillOptions(list, [{ value: "en", label: "English" }, { value: "zh", label: "中文" }]);
      } else {
        fillOptions(list, []);
      }
    }
    transferForm.elements.target.addEventListener("change", transferOptions);
    transferOptions();

    transferForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var target = this.elements.target.value;
      var value = this.elements.value.value.trim();
      var payload = {};
      if (target === "supervisor") payload.supervisor = true;
      else if (target === "agent_id") payload.agent_id = Number(value);
      else payload[target] = value;
      if (target !== "supervisor" && !value) {
        showError("action-error", t("transfer_needs_target"));
        return;
      }
      var note = this.elements.note.value.trim();
      if (note) payload.note = note;
      api("POST", base + "/transfer", payload).then(function (detail) {
        afterAction(detail);
        toast(t("transferred"));
      }, function (error) {
        showError("action-error", error);
      });
    });

    function wrapUp(outcome) {
      var payload = { outcome: outcome };
      var note = byTestId("wrap-up-note").value.trim();
      if (note) payload.note = note;
      api("POST", base + "/wrap-up", payload).then(function (detail) {
        afterAction(detail);
        if (detail && detail.ticket_number) {
          toast(t("converted", { number: detail.ticket_number }));
          window.location.assign("/console/tickets/" + encodeURIComponent(detail.ticket_number));
        } else {
          toast(t("resolved"));
        }
      }, function (error) {
        showError("action-error", error);
      });
    }
    byTestId("wrap-up-resolve").addEventListener("click", function () {
      wrapUp("resolved");
    });
    byTestId("wrap-up-ticket").addEventListener("click", function () {
      wrapUp("ticket");
    });

    document.getElementById("tags-form").addEventListener("submit", function (event) {
      event.preventDefault();
      api("PUT", base + "/tags", { tags: parseTags(byTestId("tags-input").value) }).then(function (detail) {
        afterAction(detail);
        toast(t("saved"));
      }, function (error) {
        showError("action-error", error);
      });
    });

    staffListeners.push(function (frame) {
      if (frame.type === "conversation.assigned" && frame.conversation_id === conversationId) loadDetail();
    });
    initContextPanel(function () {
      return customerPublicId;
    });
    loadMacros();
    loadDetail();
    void status;
  }

  // ---- ticket -----------------------------------------------------------------------------

  function initTicket() {
    var number = body.getAttribute("data-ticket-number");
    var base = "/api/v1/tickets/" + encodeURIComponent(number);
    var transcript = byTestId("transcript");
    var customerPublicId = body.getAttribute("data-customer-id");

    function render(ticket) {
      show(byTestId("detail-unavailable"), false);
      byTestId("ticket-subject").textContent = ticket.subject || "";
      var status = byTestId("ticket-status");
      status.textContent = t("status_" + ticket.status);
      status.setAttribute("data-status", ticket.status);
      status.className = "badge status-" + ticket.status;
      var priority = byTestId("ticket-priority");
      priority.textContent = t("priority_" + ticket.priority);
      priority.className = "badge prio-" + ticket.priority;
      var select = byTestId("status-select");
      select.value = select.querySelector('option[value="' + ticket.status + '"]') ? ticket.status : "";
      var sla = ticket.sla || {};
      function clockOf(state) {
        return state === "met" || state === "paused" || state === "none" ? state : "";
      }
      countdown(byTestId("sla-first-response"), sla.first_response_due_at, clockOf(sla.first_response));
      countdown(byTestId("sla-resolution"), sla.resolution_due_at, clockOf(sla.resolution));
      var facts = byTestId("ticket-fields");
      clear(facts);
      fact(facts, "customer", t("customer"), ticket.customer && ticket.customer.name);
      fact(facts, "category", t("category"), ticket.category);
      fact(facts, "team", t("team"), ticket.team);
      fact(facts, "assignee", t("assignee"), ticket.assignee ? ticket.assignee.name : t("unassigned"));
      fact(facts, "language", t("language"), ticket.language);
      fact(facts, "vip", t("vip_tier"), ticket.vip_tier);
      fact(facts, "escalation", t("escalation_level"), ticket.escalation_level || null);
      fact(facts, "funds-at-risk", t("funds_at_risk"), ticket.funds_at_risk ? t("yes") : null);
      Object.keys(ticket.fields || {}).forEach(function (key) {
        fact(facts, "field-" + key, key, ticket.fields[key]);
      });
      var tags = byTestId("tags-input");
      if (document.activeElement !== tags) tags.value = (ticket.tags || []).join(", ");
      clear(transcript);
      var entries = ticket.entries || [];
      var described = entries.some(function (entry) {
        return entry.body === ticket.description;
      });
      if (!described) transcript.appendChild(
        el(
          "li",
          { testid: "message", "data-sender": "customer", "data-internal": "false", cls: "msg from-customer" },
          el("div", { cls: "who" }, t("sender_customer"), el("time", { text: formatTime(ticket.created_at) })),
          el("div", { cls: "text", testid: "message-body", text: ticket.description || "" })
        )
      );
      entries.forEach(function (entry) {
        var sender = entry.kind === "event" ? "system" : entry.author_type;
        var internal = Boolean(entry.internal || entry.kind === "note");
        transcript.appendChild(
          el(
            "li",
            {
              testid: "message",
              "data-sender": sender,
              "data-internal": internal ? "true" : "false",
              "data-message-id": entry.id,
              cls: "msg from-" + sender + (internal ? " note" : "") + (entry.kind === "event" ? " event" : ""),
            },
            el(
              "div",
              { cls: "who" },
              internal ? t("internal_note") : entry.kind === "event" ? entry.event || t("sender_system") : t("sender_" + sender),
              el("time", { datetime: entry.created_at, text: formatTime(entry.created_at) })
            ),
            el("div", { cls: "text", testid: "message-body", text: entry.body || "" })
          )
        );
      });
      transcript.scrollTop = transcript.scrollHeight;
      return ticket;
    }

    function load() {
      return api("GET", base).then(render, function (error) {
        var notice = byTestId("detail-unavailable");
        notice.textContent = errorText(error);
        show(notice, true);
      });
    }

    function act(promise) {
      return promise.then(
        function (ticket) {
          showError("action-error", null);
          render(ticket);
          toast(t("saved"));
        },
        function (error) {
          showError("action-error", error);
        }
      );
    }

    var form = byTestId("composer");
    var input = byTestId("reply-input");
    form.addEventListener("change", syncComposerMode);
    input.addEventListener("input", function () {
      showError("guard-error", null);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      var note = composerMode() === "note";
      var send = byTestId("reply-send");
      send.disabled = true;
      showError("guard-error", null);
      api("POST", base + (note ? "/notes" : "/replies"), { body: text })
        .then(function (ticket) {
          input.value = "";
          render(ticket);
        })
        .catch(function (error) {
          showError("guard-error", error);
        })
        .then(function () {
          send.disabled = false;
        });
    });
    byTestId("macro-apply").addEventListener("click", function () {
      var picker = byTestId("macro-picker");
      if (!picker.value) return;
      showError("guard-error", null);
      api("POST", base + "/macros/" + encodeURIComponent(picker.value)).then(
        function (ticket) {
          render(ticket);
          picker.value = "";
        },
        function (error) {
          showError("guard-error", error);
        }
      );
    });
    byTestId("status-apply").addEventListener("click", function () {
      var target = byTestId("status-select").value;
      if (!target) return;
      // Resolving goes through its own action: it starts the satisfaction survey.
      act(
        target === "resolved"
          ? api("POST", base + "/resolve", {})
          : api("POST", base + "/status", { status: target })
      );
    });
    loadTeams().then(function (teams) {
      fillOptions(document.getElementById("team-options"), teams.map(function (team) {
        return { value: team.slug, label: team.name };
      }));
    });
    document.getElementById("escalate-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var payload = { reason: this.elements.reason.value.trim(), to_supervisor: this.elements.to_supervisor.checked };
      var team = this.elements.team.value.trim();
      if (team) payload.team = team;
      if (!payload.reason) {
        showError("action-error", t("reason_required"));
        return;
      }
      act(api("POST", base + "/escalate", payload));
    });
    document.getElementById("tags-form").addEventListener("submit", function (event) {
      event.preventDefault();
      act(api("PATCH", base, { tags: parseTags(byTestId("tags-input").value) }));
    });
    initContextPanel(function () {
      return customerPublicId;
    });
    loadContext(customerPublicId, false);
    loadMacros();
    load();
    setInterval(function () {
      if (!document.hidden && !input.value && document.activeElement !== input) load();
    }, 30000);
  }

  // ---- supervisor -------------------------------------------------------------------------

  function initSupervisor() {
    function load() {
      api("GET", "/api/v1/agent/overview").then(
        function (data) {
          show(byTestId("overview-unavailable"), false);
          byTestId("stat-waiting").textContent = String(data.conversations_waiting || 0);
          var breaches = data.breaches || {};
          byTestId("stat-breached").textContent = String(breaches.tickets_breached || 0);
          byTestId("stat-breaching-soon").textContent = String(breaches.tickets_breaching_soon || 0);
          var queueRows = document.getElementById("queue-rows");
          clear(queueRows);
          (data.queues || []).forEach(function (queue) {
            queueRows.appendChild(
              el(
                "tr",
                { testid: "queue-row", "data-team": queue.team || "", "data-language": queue.language || "" },
                el("td", { text: queue.team || "–" }),
                el("td", { text: (queue.language || "").toUpperCase() }),
                el("td", { text: String(queue.waiting || 0) }),
                el("td", { cls: queue.longest_wait_seconds > 300 ? "late" : "", text: formatDuration(queue.longest_wait_seconds || 0) })
              )
            );
          });
          var agentRows = document.getElementById("agent-rows");
          clear(agentRows);
          (data.agents || []).forEach(function (agent) {
            var full = agent.capacity && agent.active_chats >= agent.capacity;
            agentRows.appendChild(
              el(
                "tr",
                { testid: "agent-row", "data-status": agent.status || "offline", "data-agent-id": agent.id },
                el("td", { text: agent.name || "" }),
                el("td", { text: agent.role || "" }),
                el("td", {}, el("span", { cls: "dot dot-" + (agent.status || "offline") }), " " + t("presence_" + (agent.status || "offline"))),
                el("td", { cls: full ? "late" : "", text: (agent.active_chats || 0) + " / " + (agent.capacity || 0) }),
                el("td", { text: String(agent.open_tickets || 0) })
              )
            );
          });
        },
        function (error) {
          var notice = byTestId("overview-unavailable");
          if (!isMissing(error)) notice.textContent = errorText(error);
          show(notice, true);
        }
      );
    }
    staffListeners.push(function (frame) {
      if (frame.type === "queue.changed" || frame.type === "live.connected") load();
    });
    setInterval(load, 10000);
    load();
  }

  // ---- start ------------------------------------------------------------------------------

  function start() {
    initChrome();
    syncComposerMode();
    if (PAGE === "sign-in") initSignIn();
    else if (PAGE === "inbox") initInbox();
    else if (PAGE === "conversation") initConversation();
    else if (PAGE === "ticket") initTicket();
    else if (PAGE === "supervisor") initSupervisor();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
