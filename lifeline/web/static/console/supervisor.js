/*
 * Lifeline agent console, the supervisor's overview of queues, agents' load and breaches.
 */
import { t, byTestId, el, clear, show, api, isMissing, errorText, formatDuration, staffListeners } from "./core.js";

// ---- supervisor -------------------------------------------------------------------------

export function initSupervisor() {
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
