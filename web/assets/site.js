// Enhancements only: every page works without this file.
// 1. Search as you type: a list of matching products under the search box.
// 2. Cart forms post in the background and update the cart count without a reload.
(function () {
  "use strict";
  var box = document.querySelector("[data-suggest]");
  if (box && window.fetch) {
    var list = document.createElement("ul");
    list.className = "suggest";
    list.id = "suggest-list";
    list.setAttribute("role", "listbox");
    box.setAttribute("aria-controls", "suggest-list");
    box.parentNode.appendChild(list);
    var timer = null;
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = box.value.trim();
        if (q.length < 2) { list.textContent = ""; return; }
        fetch("/suggest?q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) {
            list.textContent = "";
            items.forEach(function (item) {
              var li = document.createElement("li");
              var a = document.createElement("a");
              a.href = item.href;
              a.textContent = item.title;
              li.appendChild(a);
              list.appendChild(li);
            });
          })
          .catch(function () { list.textContent = ""; });
      }, 200);
    });
  }
  document.querySelectorAll("form[data-cart]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.FormData) { return; }
      event.preventDefault();
      var status = form.querySelector("[role=status]");
      fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      })
        .then(function (r) { return r.json(); })
        .then(function (answer) {
          if (answer.reload) { window.location.reload(); return; }
          if (!status) {
            status = document.createElement("p");
            status.setAttribute("role", "status");
            form.appendChild(status);
          }
          status.textContent = answer.message || "";
        })
        .catch(function () { form.submit(); });
    });
  });
})();
