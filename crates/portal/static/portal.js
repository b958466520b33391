// Tollgate portal: progressive enhancement only; every page works without this file.
// Suggestions while typing a ticket's subject (H11): asks the portal's own suggestion endpoint
// (same origin, the session cookie) and lists matching knowledge-base articles.
(function () {
  "use strict";
  var input = document.querySelector("[data-suggest]");
  if (!input) { return; }
  var box = document.getElementById(input.getAttribute("data-suggest"));
  var timer = null;
  var last = "";
  function show(items) {
    box.textContent = "";
    if (!items.length) { return; }
    var head = document.createElement("p");
    head.textContent = "These articles may already answer it:";
    box.appendChild(head);
    var ul = document.createElement("ul");
    items.forEach(function (s) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = s.href;
      a.textContent = s.title;
      li.appendChild(a);
      ul.appendChild(li);
    });
    box.appendChild(ul);
  }
  function ask() {
    var q = input.value.trim();
    if (q === last) { return; }
    last = q;
    if (q.length < 3) { show([]); return; }
    fetch("/portal/tickets/suggest?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(show)
      .catch(function () { show([]); });
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 200);
  });
})();
