/*
 * Lifeline agent console, a live chat: hand-off summary, transcript over the conversation socket,
 * replies, notes, macros, transfer, tags and wrap-up.
 */
import { body, t, byTestId, el, clear, show, api, isMissing, errorText, toast, showError, formatTime, countdown, liveSocket, staffListeners } from "./core.js";
import { summarizeRecord, fact, loadContext, initContextPanel, loadMacros, bindComposerSubmit, bindMacroApply, loadTeams, fillOptions, composerMode, syncComposerMode, parseTags } from "./records.js";

// ---- conversation ---------------------------------------------------------------------

export function initConversation() {
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
  bindComposerSubmit(
    form,
    input,
    function (text, note) {
      var payload = note ? { text: text } : { text: text, client_message_id: "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8) };
      return api("POST", base + (note ? "/notes" : "/messages"), payload);
    },
    function (message, note) {
      addMessage(message, note ? { internal: true } : null);
    }
  );

  bindMacroApply(base, function (message) {
    addMessage(message);
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
