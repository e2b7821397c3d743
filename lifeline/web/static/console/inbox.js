/*
 * Lifeline agent console, the inbox of chats and tickets with its filters, kept fresh by the staff
 * channel.
 */
import { t, byTestId, el, clear, show, api, isMissing, errorText, toast, formatTime, formatDuration, countdown, forgetCountdowns, staffListeners, staffSocket } from "./core.js";

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

export function initInbox() {
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
        forgetCountdowns(function (node) {
          return !document.body.contains(node) || ticketList.contains(node);
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
