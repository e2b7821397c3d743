/*
 * Lifeline chat widget: the launcher at the bottom right of every help-center page.
 *
 * Markup comes from templates/widget_include.html (labels already translated); this file adds
 * the behaviour. Everything a person typed is shown with textContent, never parsed as HTML.
 *
 * Stable hooks for tests and integrators:
 *   #lifeline-widget                  root; data-lang, data-t-* strings; data-status = bot|queued|assigned|resolved|closed
 *   #lifeline-launcher                [data-testid=chat-launcher]  opens/closes the panel; data-unread = count
 *   #lifeline-panel                   [data-testid=chat-panel]
 *   [data-testid=chat-status]         the conversation's state / the agent's name
 *   [data-testid=chat-menu-button]    opens [data-testid=chat-menu]: menu-verify, menu-freeze,
 *                                     menu-my-tickets, menu-new-ticket, menu-account, chat-new-conversation
 *   [data-testid=chat-close]
 *   [data-testid=queue-position]      "You are number N in line" (data-position, data-wait-seconds)
 *   [data-testid=chat-messages]       the list; each item [data-testid=message] with
 *                                     data-sender = customer|bot|agent|system, data-message-id,
 *                                     data-client-id (own messages), data-state = pending|sent|failed|read
 *     [data-testid=message-text]      the text
 *     [data-testid=read-receipt]      on own messages: "Sent" / "Read"
 *     [data-testid=article-link]      the assistant's article links
 *     [data-testid=action-button]     the assistant's suggested actions (data-action-id); a click posts
 *                                     {action, text: label}, except sign_in, a link to the account page
 *     [data-testid=attachment-link]   a file in the message (downloads with the chat's credentials)
 *     [data-testid=retry-button]      on a message that could not be sent
 *     [data-testid=ticket-link]       on the system message when the chat became a ticket
 *   [data-testid=typing-indicator]    someone else is typing
 *   [data-testid=csat-form]           1-5 rating: [data-testid=csat-star][data-score], csat-comment, csat-submit
 *   [data-testid=csat-thanks]
 *   [data-testid=chat-error]
 *   [data-testid=chat-form]           chat-input, chat-send, chat-attach / chat-file (file upload)
 *
 * Storage (sessionStorage, so a page navigation resumes the chat and closing the tab ends it):
 *   lifeline.customerToken  the exchange's customer JWT (set by the account page; the session
 *                           cookie lifeline_customer holds it too, for tabs opened from links)
 *   lifeline.visitorToken   an anonymous visitor token (POST /api/v1/visitors)
 *   lifeline.chat           {id, lastId, owner, open, rated}
 */
(function () {
  "use strict";

  const root = document.getElementById("lifeline-widget");
  if (!root || root.dataset.ready) return;
  root.dataset.ready = "true";

  const API = "/api/v1";
  const CUSTOMER_KEY = "lifeline.customerToken";
  const VISITOR_KEY = "lifeline.visitorToken";
  const CHAT_KEY = "lifeline.chat";
  const CUSTOMER_COOKIE = "lifeline_customer";
  const TYPING_EVERY_MS = 3000;
  const TYPING_SHOWN_MS = 5000;
  const lang = root.dataset.lang || "en";

  const $ = (testid) => root.querySelector(`[data-testid="${testid}"]`);
  const launcher = document.getElementById("lifeline-launcher");
  const panel = document.getElementById("lifeline-panel");
  const list = $("chat-messages");
  const statusLine = $("chat-status");
  const queueLine = $("queue-position");
  const typingLine = $("typing-indicator");
  const errorLine = $("chat-error");
  const form = $("chat-form");
  const input = $("chat-input");
  const fileInput = $("chat-file");
  const menu = $("chat-menu");
  const menuButton = $("chat-menu-button");
  const csatForm = $("csat-form");
  const csatThanks = $("csat-thanks");

  function text(key, values) {
    let value = root.dataset["t" + key.replace(/(^|-)([a-z])/g, (_, __, c) => c.toUpperCase())] || key;
    for (const [name, replacement] of Object.entries(values || {})) {
      value = value.split(`{${name}}`).join(String(replacement));
    }
    return value;
  }

  // --- storage ------------------------------------------------------------------------------

  function storageGet(key) {
    try {
      return window.sessionStorage.getItem(key);
    } catch (_) {
      return null;
    }
  }
  function storageSet(key, value) {
    try {
      if (value === null) window.sessionStorage.removeItem(key);
      else window.sessionStorage.setItem(key, value);
    } catch (_) {
      /* private mode: the chat still works for this page */
    }
  }
  function loadState() {
    try {
      const parsed = JSON.parse(storageGet(CHAT_KEY) || "{}");
      return parsed && typeof parsed === "object" ? parsed : {};
    } catch (_) {
      return {};
    }
  }
  let state = loadState();
  function saveState() {
    storageSet(CHAT_KEY, JSON.stringify(state));
  }

  function customerToken() {
    // The account page keeps the sign-in in sessionStorage and in a session cookie; a new tab
    // opened from a link has only the cookie.
    const stored = storageGet(CUSTOMER_KEY);
    if (stored) return stored;
    for (const part of document.cookie.split(";")) {
      const [name, ...rest] = part.trim().split("=");
      if (name === CUSTOMER_COOKIE && rest.length) return decodeURIComponent(rest.join("=")) || null;
    }
    return null;
  }

  function ownerKey() {
    const customer = customerToken();
    // A different sign-in must not try to reopen someone else's conversation.
    return customer ? "customer:" + customer.slice(-16) : "visitor";
  }

  // --- HTTP ---------------------------------------------------------------------------------

  function credentials() {
    const customer = customerToken();
    if (customer) return { kind: "token", value: customer, header: ["Authorization", "Bearer " + customer] };
    const visitor = storageGet(VISITOR_KEY);
    if (visitor) return { kind: "visitor", value: visitor, header: ["X-Visitor-Token", visitor] };
    return null;
  }

  async function ensureIdentity() {
    if (credentials()) return;
    const response = await fetch(`${API}/visitors`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ language: lang }),
    });
    if (!response.ok) throw new Error("visitor " + response.status);
    const body = await response.json();
    storageSet(VISITOR_KEY, body.token);
  }

  async function api(method, path, body, { multipart = false } = {}) {
    await ensureIdentity();
    const auth = credentials();
    const headers = {};
    if (auth) headers[auth.header[0]] = auth.header[1];
    let payload;
    if (multipart) payload = body;
    else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const response = await fetch(API + path, { method, headers, body: payload });
    if (response.status === 401 && auth && auth.kind === "token") {
      // The exchange's token expired: continue as an anonymous visitor.
      storageSet(CUSTOMER_KEY, null);
      document.cookie = `${CUSTOMER_COOKIE}=; path=/; Max-Age=0; SameSite=Lax`;
    }
    let data = null;
    const type = response.headers.get("content-type") || "";
    if (type.includes("application/json")) {
      try {
        data = await response.json();
      } catch (_) {
        data = null;
      }
    }
    return { ok: response.ok, status: response.status, data, response };
  }

  function showError(message) {
    errorLine.textContent = message || text("error");
    errorLine.hidden = false;
  }
  function clearError() {
    errorLine.hidden = true;
    errorLine.textContent = "";
  }

  // --- rendering ----------------------------------------------------------------------------

  const rendered = new Map(); // message id -> element
  const pending = new Map(); // client_message_id -> element
  let agentName = null;
  let unread = 0;
  let lastReadSent = 0;
  let lastReadByOthers = state.readUpTo || 0;

  function senderLabel(sender) {
    if (sender === "customer") return text("you");
    if (sender === "agent") return agentName || text("agent");
    if (sender === "bot") return text("assistant");
    return "";
  }

  function safeUrl(url) {
    // Only our own pages: no javascript:, no other sites.
    return typeof url === "string" && url.startsWith("/") && !url.startsWith("//") ? url : null;
  }

  function element(tag, className, content) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined && content !== null) node.textContent = content;
    return node;
  }

  function buildMessage(sender, body) {
    const item = element("li", `llw-msg llw-from-${sender}`);
    item.dataset.testid = "message";
    item.dataset.sender = sender;
    const label = senderLabel(sender);
    if (label) {
      const who = element("span", "llw-who", label);
      who.dataset.testid = "message-sender";
      item.appendChild(who);
    }
    const bubble = element("div", "llw-bubble", body);
    bubble.dataset.testid = "message-text";
    item.appendChild(bubble);
    if (sender === "customer") {
      const receipt = element("span", "llw-receipt", text("sending"));
      receipt.dataset.testid = "read-receipt";
      item.appendChild(receipt);
      item.dataset.state = "pending";
    }
    return item;
  }

  function setOwnState(item, value) {
    item.dataset.state = value;
    const receipt = item.querySelector('[data-testid="read-receipt"]');
    if (receipt) receipt.textContent = text(value === "pending" ? "sending" : value);
    const retry = item.querySelector('[data-testid="retry-button"]');
    if (retry && value !== "failed") retry.remove();
  }

  function addExtras(item, message) {
    if (item.dataset.extras) return;
    const meta = message.meta || {};
    const reply = meta.reply;
    if (reply && Array.isArray(reply.articles) && reply.articles.length) {
      const links = element("ul", "llw-articles");
      for (const article of reply.articles) {
        const url = safeUrl(article.url);
        if (!url) continue;
        const entry = element("li");
        const link = element("a", null, article.title || article.slug);
        link.href = url;
        link.dataset.testid = "article-link";
        entry.appendChild(link);
        links.appendChild(entry);
      }
      if (links.childElementCount) item.appendChild(links);
    }
    if (reply && Array.isArray(reply.actions) && reply.actions.length) {
      const actions = element("div", "llw-actions");
      for (const action of reply.actions) {
        if (!action || typeof action.id !== "string") continue;
        if (action.id === "sign_in") {
          // Signing in happens on the account page (the exchange's token), not in the chat.
          const link = element("a", "llw-action", action.label || action.id);
          link.href = `/help/${encodeURIComponent(lang)}/account?next=${encodeURIComponent(location.pathname)}`;
          link.dataset.testid = "action-button";
          link.dataset.actionId = action.id;
          actions.appendChild(link);
          continue;
        }
        const button = element("button", "llw-action", action.label || action.id);
        button.type = "button";
        button.dataset.testid = "action-button";
        button.dataset.actionId = action.id;
        button.addEventListener("click", () => {
          send(action.label || action.id, action.id);
        });
        actions.appendChild(button);
      }
      item.appendChild(actions);
    }
    if (meta.event === "ticket_created" && Number.isInteger(meta.ticket_number)) {
      const link = element("a", "llw-ticket-link", `#${meta.ticket_number}`);
      link.href = `/help/${encodeURIComponent(lang)}/tickets/${meta.ticket_number}`;
      link.dataset.testid = "ticket-link";
      item.appendChild(link);
    }
    const attachment = meta.attachment;
    if (attachment && typeof attachment.public_id === "string") {
      const link = element("button", "llw-file", `${text("download")}: ${attachment.filename || attachment.public_id}`);
      link.type = "button";
      link.dataset.testid = "attachment-link";
      link.dataset.publicId = attachment.public_id;
      link.addEventListener("click", () => download(attachment));
      item.appendChild(link);
    }
    item.dataset.extras = "true";
  }

  function noteSeen(id) {
    if (id > (state.lastId || 0)) {
      state.lastId = id;
      saveState();
    }
  }

  // Only the live stream and the history move the catch-up cursor: a message id learned from
  // an HTTP answer may be newer than messages the stream has not delivered yet.
  function upsertMessage(message, { history = false, cursor = true } = {}) {
    if (!message || typeof message.id !== "number") return null;
    let item = rendered.get(message.id);
    if (!item && message.client_message_id && pending.has(message.client_message_id)) {
      item = pending.get(message.client_message_id);
      pending.delete(message.client_message_id);
    }
    const isNew = !item;
    if (!item) {
      item = buildMessage(message.sender_type, message.body);
      if (message.client_message_id) item.dataset.clientId = message.client_message_id;
      insertInOrder(item, message.id);
    } else {
      const bubble = item.querySelector('[data-testid="message-text"]');
      if (bubble && message.body) bubble.textContent = message.body;
    }
    item.dataset.messageId = String(message.id);
    rendered.set(message.id, item);
    if (message.sender_type === "customer") {
      setOwnState(item, message.id <= lastReadByOthers ? "read" : "sent");
    }
    addExtras(item, message);
    if (cursor) noteSeen(message.id);
    if (isNew && message.sender_type !== "customer") {
      typingLine.hidden = true;
      if (!history && (panel.hidden || document.hidden)) {
        unread += 1;
        launcher.dataset.unread = String(unread);
      }
      sendRead();
    }
    scrollDown();
    return item;
  }

  function insertInOrder(item, id) {
    // Messages arrive in order almost always; a late one slots in by id.
    const items = list.querySelectorAll("[data-message-id]");
    for (let index = items.length - 1; index >= 0; index -= 1) {
      const other = items[index];
      if (Number(other.dataset.messageId) < id) {
        other.after(item);
        return;
      }
    }
    const greeting = list.querySelector(".llw-greeting");
    if (greeting && greeting.nextSibling) list.insertBefore(item, greeting.nextSibling);
    else if (greeting && items.length === 0) list.appendChild(item);
    else if (items.length) list.insertBefore(item, items[0]);
    else list.appendChild(item);
  }

  function scrollDown() {
    list.scrollTop = list.scrollHeight;
  }

  // --- status, queue, rating ----------------------------------------------------------------

  function setStatus(status, agent) {
    if (!status) return;
    const previous = root.dataset.status;
    root.dataset.status = status;
    // The server posts its own "X has joined" system message; the name labels their messages.
    if (agent && agent.name) setAgentName(agent.name);
    statusLine.textContent =
      status === "assigned" && agentName ? text("status-assigned-to", { name: agentName }) : text("status-" + status);
    if (status !== "queued") queueLine.hidden = true;
    if (status === "queued" && previous !== "queued") refreshQueue();
    if (status === "resolved") showRating();
    else csatForm.hidden = true;
  }

  function setAgentName(name) {
    if (!name || name === agentName) return;
    agentName = name;
    for (const label of list.querySelectorAll('[data-sender="agent"] [data-testid="message-sender"]')) {
      label.textContent = name;
    }
    if (root.dataset.status === "assigned") statusLine.textContent = text("status-assigned-to", { name });
  }

  // The agent stepped away (or came back): say so, so the customer knows why it is quiet.
  function showPresence(presence) {
    root.dataset.agentPresence = presence || "";
    if (root.dataset.status !== "assigned" || !agentName) return;
    const key = presence === "online" ? "status-assigned-to" : "status-agent-away";
    statusLine.textContent = text(key, { name: agentName });
  }

  function showQueue(position, waitSeconds) {
    if (root.dataset.status && root.dataset.status !== "queued") return;
    let line = typeof position === "number" ? text("queue", { position }) : text("queue-unknown");
    if (typeof waitSeconds === "number" && waitSeconds > 0) {
      line += (lang === "zh" ? "" : " ") + text("wait", { minutes: Math.max(1, Math.round(waitSeconds / 60)) });
    }
    queueLine.textContent = line;
    queueLine.dataset.position = typeof position === "number" ? String(position) : "";
    queueLine.dataset.waitSeconds = typeof waitSeconds === "number" ? String(waitSeconds) : "";
    queueLine.hidden = false;
  }

  async function refreshQueue() {
    if (!state.id) return;
    try {
      const result = await api("GET", `/conversations/${encodeURIComponent(state.id)}/queue`);
      if (!result.ok || !result.data) return; // not offered by this server: the status line suffices
      if (result.data.agent && result.data.agent.name) setAgentName(result.data.agent.name);
      if (result.data.status && result.data.status !== root.dataset.status) setStatus(result.data.status);
      if (result.data.status === "queued" || (!result.data.status && root.dataset.status === "queued")) {
        showQueue(result.data.position, result.data.estimated_wait_seconds);
      }
    } catch (_) {
      /* the next queue event will tell */
    }
  }

  function showRating() {
    if (state.rated) return;
    csatForm.hidden = false;
    csatThanks.hidden = true;
  }

  csatForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = csatForm.querySelector('input[name="score"]:checked');
    if (!chosen || !state.id) return;
    const comment = csatForm.querySelector("textarea").value.trim();
    const body = { score: Number(chosen.value) };
    if (comment) body.comment = comment;
    const submit = csatForm.querySelector('[data-testid="csat-submit"]');
    submit.disabled = true;
    try {
      const result = await api("POST", `/conversations/${encodeURIComponent(state.id)}/rating`, body);
      const code = result.data && result.data.error && result.data.error.code;
      if (result.ok || code === "already_rated") {
        state.rated = true;
        saveState();
        csatForm.hidden = true;
        csatThanks.hidden = false;
        clearError();
      } else {
        showError(text("rate-failed"));
      }
    } catch (_) {
      showError(text("rate-failed"));
    } finally {
      submit.disabled = false;
    }
  });

  // --- the conversation ---------------------------------------------------------------------

  function timeZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
    } catch (_) {
      return null;
    }
  }

  async function startConversation() {
    // The customer's time zone, so "yesterday at 3pm" is read where they are.
    const zone = timeZone();
    let result = await api("POST", "/conversations", zone ? { language: lang, timezone: zone } : { language: lang });
    if (result.status === 422 && zone) result = await api("POST", "/conversations", { language: lang });
    if (!result.ok || !result.data) throw new Error("start " + result.status);
    state = { id: result.data.public_id, lastId: 0, owner: ownerKey(), open: true, rated: false };
    saveState();
    setStatus(result.data.status || "bot");
    connect();
  }

  async function resume() {
    if (!state.id) return false;
    if (state.owner && state.owner !== ownerKey()) {
      forget();
      return false;
    }
    try {
      const result = await api("GET", `/conversations/${encodeURIComponent(state.id)}`);
      if (!result.ok || !result.data) {
        if (result.status === 401 || result.status === 403 || result.status === 404) forget();
        return false;
      }
      for (const message of result.data.messages || []) upsertMessage(message, { history: true });
      setStatus(result.data.status);
      if (result.data.status === "assigned") refreshQueue(); // tells the agent's name
      connect();
      return true;
    } catch (_) {
      connect(); // offline for a moment: the live connection retries and catches up
      return true;
    }
  }

  function forget() {
    disconnect();
    state = {};
    saveState();
    for (const item of list.querySelectorAll('[data-testid="message"], [data-testid="system-note"]')) item.remove();
    rendered.clear();
    pending.clear();
    agentName = null;
    lastReadByOthers = 0;
    lastReadSent = 0;
    queueLine.hidden = true;
    csatForm.hidden = true;
    csatThanks.hidden = true;
    delete root.dataset.status;
    statusLine.textContent = text("status-bot");
  }

  function newClientId() {
    const random = window.crypto && window.crypto.getRandomValues
      ? Array.from(window.crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("")
      : String(Math.random()).slice(2) + String(Date.now());
    return "w-" + random;
  }

  async function send(body, actionId) {
    const trimmed = (body || "").trim();
    if (!trimmed && !actionId) return;
    clearError();
    const clientId = newClientId();
    const item = buildMessage("customer", trimmed);
    item.dataset.clientId = clientId;
    list.appendChild(item);
    pending.set(clientId, item);
    scrollDown();
    await deliver(item, { text: trimmed, action: actionId || undefined, client_message_id: clientId });
  }

  async function deliver(item, payload) {
    setOwnState(item, "pending");
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        if (!state.id) await startConversation();
        const result = await api(
          "POST",
          `/conversations/${encodeURIComponent(state.id)}/messages`,
          payload
        );
        if (result.ok && result.data) {
          upsertMessage(result.data.message, { cursor: false });
          if (result.data.reply_message) upsertMessage(result.data.reply_message, { cursor: false });
          const handoff = result.data.reply && result.data.reply.handoff;
          if (handoff && handoff.state === "queued") setStatus("queued");
          else if (result.data.reply && root.dataset.status === "resolved") setStatus("bot");
          return;
        }
        if (result.status === 404 || result.status === 403) {
          // The conversation is gone (or belongs to another sign-in): start afresh, same message.
          forgetConversationOnly();
          continue;
        }
        if (result.status >= 400 && result.status < 500 && result.status !== 429) break;
      } catch (_) {
        /* network: retry with the same client_message_id, the server deduplicates */
      }
      await new Promise((resolve) => setTimeout(resolve, 800 * 2 ** attempt));
    }
    markFailed(item, payload);
  }

  function forgetConversationOnly() {
    disconnect();
    lastReadByOthers = 0;
    state = {};
    saveState();
  }

  function markFailed(item, payload) {
    setOwnState(item, "failed");
    if (item.querySelector('[data-testid="retry-button"]')) return;
    const retry = element("button", "llw-retry", "↻");
    retry.type = "button";
    retry.dataset.testid = "retry-button";
    retry.setAttribute("aria-label", text("failed"));
    retry.addEventListener("click", () => deliver(item, payload));
    item.appendChild(retry);
    showError(text("failed"));
  }

  async function upload(file) {
    clearError();
    try {
      if (!state.id) await startConversation();
      const data = new FormData();
      data.append("file", file, file.name);
      const result = await api("POST", `/conversations/${encodeURIComponent(state.id)}/attachments`, data, {
        multipart: true,
      });
      if (result.ok && result.data) upsertMessage(result.data, { cursor: false });
      else showError((result.data && result.data.error && result.data.error.message) || text("upload-failed"));
    } catch (_) {
      showError(text("upload-failed"));
    }
  }

  async function download(attachment) {
    try {
      const auth = credentials();
      const headers = auth ? { [auth.header[0]]: auth.header[1] } : {};
      const response = await fetch(
        `${API}/conversations/${encodeURIComponent(state.id)}/attachments/${encodeURIComponent(attachment.public_id)}`,
        { headers }
      );
      if (!response.ok) throw new Error(String(response.status));
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement("a");
      link.href = url;
      link.download = attachment.filename || "attachment";
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (_) {
      showError(text("error"));
    }
  }

  // --- live connection ----------------------------------------------------------------------

  let socket = null;
  let retryDelay = 1000;
  let retryTimer = null;
  let lastTypingSent = 0;
  let typingTimer = null;

  function disconnect() {
    clearTimeout(retryTimer);
    retryTimer = null;
    if (socket) {
      const closing = socket;
      socket = null;
      closing.onclose = null;
      closing.close();
    }
  }

  function connect() {
    if (!state.id || socket) return;
    const auth = credentials();
    if (!auth) return;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const query = new URLSearchParams({ [auth.kind]: auth.value, after_id: String(state.lastId || 0) });
    const url = `${scheme}//${location.host}${API}/conversations/${encodeURIComponent(state.id)}/live?${query}`;
    let opened;
    try {
      opened = new WebSocket(url);
    } catch (_) {
      scheduleReconnect();
      return;
    }
    socket = opened;
    root.dataset.live = "connecting";
    opened.onopen = () => {
      retryDelay = 1000;
      root.dataset.live = "open";
      if (statusLine.dataset.offline) {
        delete statusLine.dataset.offline;
        setStatus(root.dataset.status || "bot");
      }
      if (root.dataset.status === "queued") refreshQueue();
      sendRead();
    };
    opened.onmessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (_) {
        return;
      }
      handleEvent(frame);
    };
    opened.onclose = (event) => {
      if (socket !== opened) return;
      socket = null;
      root.dataset.live = "closed";
      statusLine.dataset.offline = "true";
      statusLine.textContent = text("offline");
      if (event.code === 4404 || event.code === 4401) {
        forget();
        return;
      }
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }

  function handleEvent(frame) {
    if (!frame || typeof frame !== "object") return;
    switch (frame.type) {
      case "message.created":
        if (frame.internal) return;
        upsertMessage(frame.message);
        break;
      case "typing":
        typingLine.hidden = false;
        clearTimeout(typingTimer);
        typingTimer = setTimeout(() => {
          typingLine.hidden = true;
        }, TYPING_SHOWN_MS);
        break;
      case "read":
        if (typeof frame.message_id === "number") markRead(frame.message_id);
        break;
      case "status":
        setStatus(frame.status, frame.agent);
        break;
      case "queue":
        if (!root.dataset.status) setStatus("queued");
        showQueue(frame.position, frame.estimated_wait_seconds);
        break;
      case "presence":
        if (frame.agent && frame.agent.name) setAgentName(frame.agent.name);
        showPresence(frame.status);
        break;
      case "csat.requested":
        if (root.dataset.status !== "resolved") setStatus("resolved");
        showRating();
        break;
      default:
        break;
    }
  }

  function markRead(messageId) {
    lastReadByOthers = Math.max(lastReadByOthers, messageId);
    if (messageId > (state.readUpTo || 0)) {
      state.readUpTo = messageId;
      saveState();
    }
    for (const [id, item] of rendered) {
      if (id <= messageId && item.dataset.sender === "customer") setOwnState(item, "read");
    }
  }

  function sendRead() {
    if (!socket || socket.readyState !== WebSocket.OPEN || panel.hidden || document.hidden) return;
    let newest = 0;
    for (const [id, item] of rendered) {
      if (item.dataset.sender !== "customer" && id > newest) newest = id;
    }
    if (newest > lastReadSent) {
      lastReadSent = newest;
      socket.send(JSON.stringify({ type: "read", message_id: newest }));
    }
  }

  function sendTyping() {
    const now = Date.now();
    if (!socket || socket.readyState !== WebSocket.OPEN || now - lastTypingSent < TYPING_EVERY_MS) return;
    lastTypingSent = now;
    socket.send(JSON.stringify({ type: "typing" }));
  }

  // --- panel --------------------------------------------------------------------------------

  async function openPanel() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    root.classList.add("llw-open");
    unread = 0;
    delete launcher.dataset.unread;
    state.open = true;
    saveState();
    input.focus();
    if (state.id && !socket && rendered.size === 0) await resume();
    sendRead();
  }

  function closePanel() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    root.classList.remove("llw-open");
    if (state.id || state.open) {
      state.open = false;
      saveState();
    }
    launcher.focus();
  }

  launcher.addEventListener("click", () => (panel.hidden ? openPanel() : closePanel()));
  $("chat-close").addEventListener("click", closePanel);
  menuButton.addEventListener("click", () => {
    menu.hidden = !menu.hidden;
    menuButton.setAttribute("aria-expanded", String(!menu.hidden));
  });
  $("chat-new-conversation").addEventListener("click", () => {
    forget();
    menu.hidden = true;
    menuButton.setAttribute("aria-expanded", "false");
    input.focus();
  });
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closePanel();
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = input.value;
    if (!value.trim()) return;
    input.value = "";
    send(value);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });
  input.addEventListener("input", sendTyping);
  fileInput.addEventListener("change", () => {
    const file = fileInput.files && fileInput.files[0];
    fileInput.value = "";
    if (file) upload(file);
  });
  document.addEventListener("visibilitychange", sendRead);

  // Following a menu link leaves the chat closed: the page asked for is what the customer wants.
  for (const link of menu.querySelectorAll("a")) {
    link.addEventListener("click", () => {
      state.open = false;
      saveState();
    });
  }

  // A page navigation resumes the conversation, and reopens the panel if it was open on a wide
  // screen (on a phone the panel covers the page, so it waits for the launcher).
  if (state.id) {
    const wide = !window.matchMedia || window.matchMedia("(min-width: 601px)").matches;
    if (state.open && wide) openPanel();
    else resume();
  }
})();
