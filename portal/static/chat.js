// Progressive enhancement of /{lang}/chat: the same form posts by fetch and the conversation
// is replaced in place. Without JavaScript the forms post and the page reloads.
(function () {
  "use strict";
  var chat = document.getElementById("chat");
  var form = document.getElementById("chat-form");
  if (!chat || !form || !window.fetch || !window.FormData) { return; }
  var field = form.querySelector("textarea");
  var busy = false;

  function showError(text) {
    var notice = document.getElementById("chat-error");
    if (!notice) {
      notice = document.createElement("p");
      notice.id = "chat-error";
      notice.className = "notice notice--error";
      notice.setAttribute("role", "alert");
      form.parentNode.insertBefore(notice, form);
    }
    notice.textContent = text;
  }

  function clearError() {
    var notice = document.getElementById("chat-error");
    if (notice) { notice.parentNode.removeChild(notice); }
  }

  function post(target, data) {
    if (busy) { return; }  // a double tap sends once
    busy = true;
    fetch(target.action, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (!result.ok) { showError(result.body.error); return; }
      clearError();
      chat.innerHTML = result.body.html;
      if (!data.get("payload")) { field.value = ""; }
      var latest = document.getElementById("latest");
      if (latest) { latest.scrollIntoView({ block: "end" }); }
      field.focus();
    }).catch(function () {
      // Offline or a broken connection: the text stays in the field; the form still works.
      showError(form.getAttribute("data-offline") || "");
    }).then(function () { busy = false; });
  }

  document.addEventListener("submit", function (event) {
    var target = event.target;
    if (target !== form && !chat.contains(target)) { return; }
    event.preventDefault();
    var data = new FormData(target);
    if (event.submitter && event.submitter.name === "payload") {
      data.set("payload", event.submitter.value);
    }
    post(target, data);
  });

  field.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });
}());
