// Tollgate portal: progressive enhancement only; every page works without this file.

// A form that came back refused: focus goes to the first field in error (or the form's own
// error), so a keyboard or screen-reader user lands on what to fix.
(function () {
  "use strict";
  var bad = document.querySelector("[aria-invalid=true]") || document.querySelector(".error");
  if (bad) { bad.focus(); }
})();

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

// The rate import: a file chosen is read into the CSV box (without script, paste it there).
(function () {
  "use strict";
  var csv = document.getElementById("f-import-csv");
  if (!csv || !window.FileReader) { return; }
  var pick = document.createElement("input");
  pick.type = "file";
  pick.accept = ".csv,text/csv";
  pick.setAttribute("aria-label", "Choose a CSV file to read into the box");
  pick.addEventListener("change", function () {
    var file = pick.files && pick.files[0];
    if (!file) { return; }
    var r = new FileReader();
    r.onload = function () { csv.value = String(r.result); };
    r.readAsText(file);
  });
  csv.parentNode.insertBefore(pick, csv.nextSibling);
})();
