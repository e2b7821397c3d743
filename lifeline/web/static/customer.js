/*
 * The customer's pages: keeping the exchange's sign-in (account page), the ticket form with its
 * duplicate warning and screenshots, replies on a ticket, and attachment downloads.
 *
 * The customer token lives in sessionStorage ("lifeline.customerToken", shared with the chat
 * widget) and in the same-site session cookie "lifeline_customer" that lets the server render
 * the ticket pages. Every write goes to the JSON API with the token as a Bearer header.
 * Text from the server is shown with textContent only.
 *
 * Hooks: account page [data-testid=account-status], [data-testid=sign-out],
 * [data-testid=demo-sign-in][data-user-id]; ticket form [data-testid=ticket-form] with
 * ticket-subject, ticket-category, ticket-description, ticket-txid, ticket-order-id,
 * ticket-files, ticket-file-list, ticket-email, duplicate-warning, ticket-error, ticket-submit,
 * ticket-result; ticket page reply-form, reply-body, reply-files, reply-file-list, reply-error,
 * reply-submit, ticket-attachment[data-url].
 */
(function () {
  "use strict";

  const TOKEN_KEY = "lifeline.customerToken";
  const COOKIE = "lifeline_customer";
  const page = document.querySelector(".customer-page[data-page]");
  if (!page) return;
  const lang = page.dataset.lang || document.documentElement.lang.slice(0, 2) || "en";

  const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
  function text(key, values) {
    let value = page.dataset["t" + key.replace(/(^|-)([a-z])/g, (_, __, c) => c.toUpperCase())] || key;
    for (const [name, replacement] of Object.entries(values || {})) {
      value = value.split(`{${name}}`).join(String(replacement));
    }
    return value;
  }

  // --- the token ----------------------------------------------------------------------------

  function cookieToken() {
    for (const part of document.cookie.split(";")) {
      const [name, ...rest] = part.trim().split("=");
      if (name === COOKIE) return decodeURIComponent(rest.join("="));
    }
    return null;
  }
  function getToken() {
    try {
      return window.sessionStorage.getItem(TOKEN_KEY) || cookieToken();
    } catch (_) {
      return cookieToken();
    }
  }
  function setToken(token) {
    const secure = location.protocol === "https:" ? "; Secure" : "";
    try {
      if (token) window.sessionStorage.setItem(TOKEN_KEY, token);
      else window.sessionStorage.removeItem(TOKEN_KEY);
      // The chat started under another identity must not be resumed under this one.
      window.sessionStorage.removeItem("lifeline.chat");
    } catch (_) {
      /* the cookie still carries the sign-in for this session */
    }
    document.cookie = token
      ? `${COOKIE}=${encodeURIComponent(token)}; path=/; SameSite=Lax${secure}`
      : `${COOKIE}=; path=/; Max-Age=0; SameSite=Lax${secure}`;
  }

  async function api(method, path, body, { multipart = false, redirectSignedOut = true } = {}) {
    const headers = {};
    const token = getToken();
    if (token) headers.Authorization = "Bearer " + token;
    let payload;
    if (multipart) payload = body;
    else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const response = await fetch(path, { method, headers, body: payload });
    let data = null;
    if ((response.headers.get("content-type") || "").includes("application/json")) {
      try {
        data = await response.json();
      } catch (_) {
        data = null;
      }
    }
    if (response.status === 401 && redirectSignedOut) {
      setToken(null);
      location.href = `/help/${lang}/account?next=${encodeURIComponent(location.pathname)}`;
    }
    return { ok: response.ok, status: response.status, data };
  }

  function errorMessage(result) {
    const error = result.data && result.data.error;
    return (error && error.message) || text("failed");
  }

  function show(node, message) {
    node.textContent = message;
    node.hidden = false;
  }

  function safeNext() {
    const next = new URLSearchParams(location.search).get("next");
    return next && /^\/help\/[a-z]{2}(\/|$)/.test(next) && !next.startsWith("//") ? next : null;
  }

  // --- account page -------------------------------------------------------------------------

  async function linkVisitor() {
    // What this tab asked anonymously in the chat joins the customer's history.
    let visitor = null;
    try {
      visitor = window.sessionStorage.getItem("lifeline.visitorToken");
    } catch (_) {
      return;
    }
    const token = getToken();
    if (!visitor || !token) return;
    try {
      await fetch("/api/v1/visitors/link", {
        method: "POST",
        headers: { Authorization: "Bearer " + token, "X-Visitor-Token": visitor },
      });
    } catch (_) {
      /* linking is a convenience; the sign-in stands without it */
    }
  }

  async function accountPage() {
    const status = $("account-status");
    const signOut = $("sign-out");
    const params = new URLSearchParams(location.search);
    const fromExchange = params.get("token");
    if (fromExchange) {
      setToken(fromExchange.trim());
      // The token must not stay in the address bar, history or a shared screenshot.
      params.delete("token");
      const rest = params.toString();
      history.replaceState(null, "", location.pathname + (rest ? "?" + rest : ""));
    }

    async function refresh() {
      const token = getToken();
      if (!token) {
        status.textContent = text("signed-out");
        signOut.hidden = true;
        return false;
      }
      const result = await api("GET", "/api/v1/customers/me", undefined, { redirectSignedOut: false });
      const customer = result.ok && result.data && result.data.customer;
      if (!customer) {
        setToken(null);
        status.textContent = fromExchange ? text("invalid") : text("signed-out");
        signOut.hidden = true;
        return false;
      }
      status.textContent = `${text("signed-in")} ${customer.name || customer.external_id || ""}`.trim();
      status.dataset.userId = customer.external_id || "";
      signOut.hidden = false;
      return true;
    }

    signOut.addEventListener("click", () => {
      setToken(null);
      refresh();
    });
    for (const button of document.querySelectorAll('[data-testid="demo-sign-in"]')) {
      button.addEventListener("click", async () => {
        button.disabled = true;
        try {
          const response = await fetch("/api/v1/demo/customer-token", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ user_id: button.dataset.userId }),
          });
          if (!response.ok) throw new Error(String(response.status));
          const body = await response.json();
          setToken(body.token);
          await linkVisitor();
          if (await refresh()) {
            const next = safeNext();
            if (next) location.href = next;
          }
        } catch (_) {
          status.textContent = text("failed");
        } finally {
          button.disabled = false;
        }
      });
    }
    const signedIn = await refresh();
    telegramSection(signedIn);
    if (signedIn && fromExchange) await linkVisitor();
    if (signedIn && fromExchange) {
      const next = safeNext();
      if (next) location.href = next;
    }
  }

  function telegramSection(signedIn) {
    const section = $("telegram-section");
    if (!section) return;
    section.hidden = !signedIn;
    const button = $("telegram-link");
    const result = $("telegram-result");
    button.addEventListener("click", async () => {
      button.disabled = true;
      const answer = await api("POST", "/api/v1/customers/me/telegram-link");
      button.disabled = false;
      const error = $("telegram-error");
      error.hidden = true;
      if (!answer.ok) {
        show(error, text("telegram-failed"));
        return;
      }
      const open = $("telegram-open");
      const manual = $("telegram-manual");
      if (answer.data.url) {
        open.href = answer.data.url;
        open.hidden = false;
        manual.hidden = true;
      } else {
        $("telegram-command").textContent = "/start " + answer.data.code;
        manual.hidden = false;
        open.hidden = true;
      }
      result.hidden = false;
    });
  }

  // --- attachments (ticket form and replies) -----------------------------------------------

  function uploader(fileInput, listNode, errorNode) {
    const uploaded = []; // {public_id, filename}
    function redraw() {
      listNode.replaceChildren();
      for (const file of uploaded) {
        const item = document.createElement("li");
        item.dataset.testid = "uploaded-file";
        item.dataset.publicId = file.public_id;
        item.appendChild(document.createTextNode(file.filename + " "));
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "link-button";
        remove.textContent = text("remove");
        remove.addEventListener("click", () => {
          uploaded.splice(uploaded.indexOf(file), 1);
          redraw();
        });
        item.appendChild(remove);
        listNode.appendChild(item);
      }
    }
    let busy = Promise.resolve();
    fileInput.addEventListener("change", () => {
      const files = Array.from(fileInput.files || []);
      fileInput.value = "";
      busy = busy.then(async () => {
        for (const file of files) {
          if (uploaded.length >= 10) break;
          const placeholder = document.createElement("li");
          placeholder.textContent = `${file.name} · ${text("uploading")}`;
          listNode.appendChild(placeholder);
          const data = new FormData();
          data.append("file", file, file.name);
          try {
            const result = await api("POST", "/api/v1/customer/attachments", data, { multipart: true });
            if (result.ok && result.data) uploaded.push({ public_id: result.data.public_id, filename: result.data.filename });
            else show(errorNode, `${file.name}: ${errorMessage(result) || text("upload-failed")}`);
          } catch (_) {
            show(errorNode, `${file.name}: ${text("upload-failed")}`);
          }
          placeholder.remove();
          redraw();
        }
      });
    });
    return {
      ids: () => uploaded.map((file) => file.public_id),
      done: () => busy,
      clear: () => {
        uploaded.length = 0;
        redraw();
      },
    };
  }

  // --- new ticket ---------------------------------------------------------------------------

  function ticketFormPage() {
    if (!getToken()) {
      location.href = `/help/${lang}/account?next=${encodeURIComponent(location.pathname)}`;
      return;
    }
    const form = $("ticket-form");
    const warning = $("duplicate-warning");
    const errorNode = $("ticket-error");
    const resultNode = $("ticket-result");
    const submit = $("ticket-submit");
    const files = uploader($("ticket-files"), $("ticket-file-list"), errorNode);
    const originalEmail = form.email.value.trim();

    function fields() {
      const values = {};
      const txid = form.txid.value.trim();
      const orderId = form.order_id.value.trim();
      if (txid) values.txid = txid;
      if (orderId) values.order_id = orderId;
      return values;
    }

    function showDuplicate(number, subject) {
      warning.replaceChildren();
      warning.appendChild(document.createTextNode(text("duplicate", { number }) + " "));
      const link = document.createElement("a");
      link.href = `/help/${lang}/tickets/${encodeURIComponent(number)}`;
      link.textContent = subject ? `#${number} ${subject}` : `#${number}`;
      link.dataset.testid = "duplicate-link";
      warning.appendChild(link);
      warning.dataset.number = String(number);
      warning.hidden = false;
    }

    let checkTimer = null;
    let checkRun = 0;
    async function checkDuplicate() {
      const subject = form.subject.value.trim();
      const description = form.description.value.trim();
      if (!subject && !description && !Object.keys(fields()).length) return;
      const run = ++checkRun;
      try {
        const result = await api("POST", "/api/v1/customer/tickets/check-duplicate", {
          subject,
          description,
          category: form.category.value,
          fields: fields(),
        });
        if (run !== checkRun || !result.ok || !result.data) return;
        if (result.data.duplicate && result.data.ticket) {
          showDuplicate(result.data.ticket.number, result.data.ticket.subject);
        } else {
          warning.hidden = true;
        }
      } catch (_) {
        /* the submit still tells */
      }
    }
    function scheduleCheck() {
      clearTimeout(checkTimer);
      checkTimer = setTimeout(checkDuplicate, 700);
    }
    for (const name of ["subject", "description", "txid", "order_id"]) form[name].addEventListener("input", scheduleCheck);
    form.category.addEventListener("change", scheduleCheck);

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      errorNode.hidden = true;
      if (!form.reportValidity()) return;
      submit.disabled = true;
      try {
        await files.done();
        let description = form.description.value.trim();
        const email = form.email.value.trim();
        if (email && email !== originalEmail) description += `\n\n${text("contact", { email })}`;
        const result = await api("POST", "/api/v1/customer/tickets", {
          subject: form.subject.value.trim(),
          description,
          category: form.category.value,
          language: lang === "zh" ? "zh" : "en",
          channel: "web",
          fields: fields(),
          attachment_ids: files.ids(),
        });
        if (!result.ok || !result.data) {
          show(errorNode, errorMessage(result));
          return;
        }
        const ticket = result.data.ticket;
        if (result.data.duplicate) showDuplicate(ticket.number, ticket.subject);
        resultNode.replaceChildren();
        const notice = document.createElement("p");
        notice.dataset.testid = "ticket-notice";
        notice.textContent = result.data.notice || text("created", { number: ticket.number });
        resultNode.appendChild(notice);
        const link = document.createElement("a");
        link.href = `/help/${lang}/tickets/${encodeURIComponent(ticket.number)}`;
        link.textContent = `#${ticket.number} ${ticket.subject}`;
        link.dataset.testid = "ticket-created-link";
        resultNode.appendChild(link);
        resultNode.dataset.number = String(ticket.number);
        resultNode.dataset.duplicate = String(Boolean(result.data.duplicate));
        resultNode.hidden = false;
        form.hidden = true;
      } catch (_) {
        show(errorNode, text("failed"));
      } finally {
        submit.disabled = false;
      }
    });
  }

  // --- a ticket -----------------------------------------------------------------------------

  function ticketPage() {
    for (const button of document.querySelectorAll('[data-testid="ticket-attachment"]')) {
      button.addEventListener("click", () => download(button.dataset.url, button.dataset.filename));
    }
    const form = $("reply-form");
    if (!form) return;
    const errorNode = $("reply-error");
    const submit = $("reply-submit");
    const files = uploader($("reply-files"), $("reply-file-list"), errorNode);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      errorNode.hidden = true;
      const body = form.body.value.trim();
      if (!body) {
        form.body.focus();
        return;
      }
      submit.disabled = true;
      try {
        await files.done();
        const result = await api("POST", `/api/v1/customer/tickets/${encodeURIComponent(page.dataset.number)}/replies`, {
          body,
          attachment_ids: files.ids(),
        });
        if (result.ok) location.reload();
        else show(errorNode, errorMessage(result));
      } catch (_) {
        show(errorNode, text("failed"));
      } finally {
        submit.disabled = false;
      }
    });
  }

  async function download(url, filename) {
    if (!url || !url.startsWith("/api/")) return;
    const token = getToken();
    const response = await fetch(url, { headers: token ? { Authorization: "Bearer " + token } : {} });
    if (!response.ok) return;
    const objectUrl = URL.createObjectURL(await response.blob());
    const link = document.createElement("a");
    link.href = objectUrl;
    link.download = filename || "attachment";
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(objectUrl), 10000);
  }

  // --- dispatch -----------------------------------------------------------------------------

  const pages = { account: accountPage, "ticket-new": ticketFormPage, ticket: ticketPage };
  const run = pages[page.dataset.page];
  if (run) run();
})();
