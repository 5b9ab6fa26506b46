// Enhancements only: every page works without this file.
// 1. Search as you type: a list of matching products under the search box.
// 2. Cart forms post in the background and update the cart count without a reload.
// 3. The card payment step: Stripe's Payment Element (Stripe.js is loaded on that page
//    only, and runs after this file: hence the wait for `load`).
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
  window.addEventListener("load", function () {
    var pay = document.querySelector("form[data-client-secret]");
    if (!pay || !window.Stripe) { return; }
    var stripe = window.Stripe(pay.getAttribute("data-stripe-key"));
    var elements = stripe.elements({ clientSecret: pay.getAttribute("data-client-secret") });
    elements.create("payment").mount("#payment-element");
    pay.addEventListener("submit", function (event) {
      event.preventDefault();
      stripe.confirmPayment({
        elements: elements,
        confirmParams: { return_url: pay.getAttribute("data-return") }
      }).then(function (result) {
        // Only an error comes back: success leaves for the return URL.
        if (result.error) {
          document.getElementById("pay-error").textContent = result.error.message || "";
        }
      });
    });
  });
})();
