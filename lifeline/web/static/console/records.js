/*
 * Lifeline agent console, what the conversation and ticket pages share: the customer's side panel,
 * macros, teams and the composer's mode.
 */
import { LANG, t, byTestId, el, clear, show, api, isMissing, errorText, toast, showError, formatTime } from "./core.js";

// ---- shared by conversation and ticket pages ----------------------------------------

export function summarizeRecord(record) {
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

export function fact(list, key, label, value) {
  if (value === null || value === undefined || value === "") return;
  list.appendChild(el("dt", { text: label }));
  list.appendChild(el("dd", { testid: "fact-" + key, text: String(value) }));
}

var customerUserId = null;
export function loadContext(publicId, reveal) {
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

export function initContextPanel(getPublicId) {
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

export function loadMacros() {
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

// The composer's submit (or Ctrl+Enter): ``post(text, note)`` sends the text as a reply or an
// internal note and returns the API promise; ``done(result, note)`` shows what came back.
export function bindComposerSubmit(form, input, post, done) {
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    var note = composerMode() === "note";
    var send = byTestId("reply-send");
    send.disabled = true;
    showError("guard-error", null);
    post(text, note)
      .then(function (result) {
        input.value = "";
        done(result, note);
      })
      .catch(function (error) {
        showError("guard-error", error);
      })
      .then(function () {
        send.disabled = false;
      });
  });
}

// The picker's "apply" button posts the chosen macro to ``path``/macros/<id>; ``done`` gets
// what the server answers (the message sent, or the ticket).
export function bindMacroApply(path, done) {
  byTestId("macro-apply").addEventListener("click", function () {
    var picker = byTestId("macro-picker");
    if (!picker.value) return;
    showError("guard-error", null);
    api("POST", path + "/macros/" + encodeURIComponent(picker.value)).then(
      function (result) {
        done(result);
        picker.value = "";
      },
      function (error) {
        showError("guard-error", error);
      }
    );
  });
}

// Team slugs for the transfer and escalate forms (suggestions; the server validates).
var teamsPromise = null;
export function loadTeams() {
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

export function fillOptions(list, options) {
  if (!list) return;
  clear(list);
  options.forEach(function (option) {
    list.appendChild(el("option", { value: option.value, label: option.label || option.value }));
  });
}

export function composerMode() {
  var checked = document.querySelector('#composer input[name="mode"]:checked');
  return checked ? checked.value : "reply";
}

export function syncComposerMode() {
  var composer = byTestId("composer");
  if (composer) composer.classList.toggle("note-mode", composerMode() === "note");
}

export function parseTags(value) {
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
