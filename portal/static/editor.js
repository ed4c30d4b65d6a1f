// Progressive enhancement of the topic edit form: the Markdown preview follows the text
// while one types. The server renders and sanitises (POST /staff/editor/preview); without
// JavaScript the "Preview" button does the same with a page reload.
(function () {
  "use strict";
  var field = document.querySelector("textarea[data-preview-url]");
  if (!field || !window.fetch || !window.FormData) { return; }
  var target = document.getElementById(field.getAttribute("data-preview-target"));
  var token = field.form && field.form.querySelector("input[name=csrf_token]");
  if (!target || !token) { return; }
  var timer = null;
  var latest = 0;

  function refresh() {
    var ticket = ++latest;
    var data = new FormData();
    data.append("body_md", field.value);
    fetch(field.getAttribute("data-preview-url"), {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": token.value }
    }).then(function (response) {
      if (!response.ok) { throw new Error("preview " + response.status); }
      return response.json();
    }).then(function (body) {
      if (ticket === latest) { target.innerHTML = body.html; }  // sanitised by the server
    }).catch(function () {
      // Offline or signed out: the Preview button still works.
    });
  }

  field.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  });
}());
