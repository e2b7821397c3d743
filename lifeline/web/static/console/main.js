/*
 * Lifeline agent console: fills the server-rendered shells (templates/console_*.html) from
 * the staff API. No framework, no build step. Every piece of data reaches the page through
 * textContent or attributes set with setAttribute, never through innerHTML, so a customer's
 * message can never become markup. The page's CSP allows scripts only from this origin.
 *
 * ES modules: this one starts the page's module (sign_in, inbox, conversation, ticket,
 * supervisor); core.js and records.js hold what they share.
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
import { PAGE, initChrome } from "./core.js";
import { syncComposerMode } from "./records.js";
import { initSignIn } from "./sign_in.js";
import { initInbox } from "./inbox.js";
import { initConversation } from "./conversation.js";
import { initTicket } from "./ticket.js";
import { initSupervisor } from "./supervisor.js";

// A module runs once the document is parsed.
initChrome();
syncComposerMode();
if (PAGE === "sign-in") initSignIn();
else if (PAGE === "inbox") initInbox();
else if (PAGE === "conversation") initConversation();
else if (PAGE === "ticket") initTicket();
else if (PAGE === "supervisor") initSupervisor();
