/*
 * Lifeline agent console, the sign-in page.
 */
import { body, t, byTestId, ApiError, api, errorText, showError } from "./core.js";

// ---- sign-in --------------------------------------------------------------------------

export function initSignIn() {
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
