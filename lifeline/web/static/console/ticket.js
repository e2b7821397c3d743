/*
 * Lifeline agent console, a ticket: timeline, SLA timers, replies, status, escalation and tags.
 */
import { body, t, byTestId, el, clear, show, api, errorText, toast, showError, formatTime, countdown } from "./core.js";
import { fact, loadContext, initContextPanel, loadMacros, bindComposerSubmit, bindMacroApply, loadTeams, fillOptions, syncComposerMode, parseTags } from "./records.js";

// ---- ticket -----------------------------------------------------------------------------

export function initTicket() {
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
  bindComposerSubmit(
    form,
    input,
    function (text, note) {
      return api("POST", base + (note ? "/notes" : "/replies"), { body: text });
    },
    render
  );
  bindMacroApply(base, render);
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
