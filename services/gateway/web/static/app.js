/* draftctl pages: progressive enhancement only; every page works without this file. */
(function () {
  "use strict";

  // The report: a passage on either side brings up its twin; n / p go from passage to passage.
  var marks = Array.prototype.slice.call(document.querySelectorAll("#draft-text mark.passage"));
  function showSource(mark) {
    var pre = mark.closest("pre.source");
    if (!pre) return;
    document.querySelectorAll("pre.source").forEach(function (p) { p.hidden = p !== pre; });
    var name = document.getElementById("source-name");
    if (name) name.textContent = pre.getAttribute("data-name");
  }
  function center(mark) {
    // Scroll the text box holding the mark (not the page) so the mark sits in its middle.
    var box = mark.closest("pre.text");
    if (box) box.scrollTop = Math.max(0, mark.offsetTop - box.clientHeight / 2);
  }
  function select(mark, focusTwin) {
    document.querySelectorAll("mark.active").forEach(function (m) { m.classList.remove("active"); });
    var twin = document.getElementById(mark.getAttribute("data-twin"));
    mark.classList.add("active");
    if (twin) {
      twin.classList.add("active");
      showSource(twin); showSource(mark);
      center(twin);
      if (focusTwin) twin.focus({ preventScroll: true });
    }
    center(mark);
    mark.scrollIntoView({ block: "nearest" });
    var item = document.getElementById("passage-" + mark.id.slice(1)), info = document.getElementById("passage-info");
    if (item && info) { info.innerHTML = item.innerHTML; info.hidden = false; }
  }
  document.querySelectorAll("mark.passage").forEach(function (mark) {
    mark.addEventListener("click", function () { select(mark, false); });
    mark.addEventListener("keydown", function (e) { if (e.key === "Enter") { select(mark, true); } });
  });
  document.querySelectorAll("a.goto").forEach(function (a) {
    a.addEventListener("click", function (e) {
      var mark = document.getElementById("d" + a.getAttribute("data-passage"));
      if (mark) { e.preventDefault(); select(mark, false); mark.focus({ preventScroll: true }); }
    });
  });
  // On load, the directive's side shows the first passage's match, not the top of its text.
  if (marks.length) {
    var first = document.getElementById(marks[0].getAttribute("data-twin"));
    if (first) { showSource(first); center(first); }
  }
  var current = -1;
  document.addEventListener("keydown", function (e) {
    if (!marks.length || /INPUT|TEXTAREA|SELECT/.test(e.target.tagName)) return;
    if (e.key !== "n" && e.key !== "p") return;
    current = (current + (e.key === "n" ? 1 : marks.length - 1)) % marks.length;
    select(marks[current], false);
    marks[current].focus({ preventScroll: true });
  });

  // Uploads: drag and drop onto the form, and a progress bar while the file is sent.
  document.querySelectorAll("form[data-drop]").forEach(function (form) {
    var input = form.querySelector("input[type=file]"), zone = form.querySelector(".drop"), bar = form.querySelector("progress");
    if (zone && input) {
      ["dragenter", "dragover"].forEach(function (t) { zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add("over"); }); });
      ["dragleave", "drop"].forEach(function (t) { zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.remove("over"); }); });
      zone.addEventListener("drop", function (e) { if (e.dataTransfer.files.length) { input.files = e.dataTransfer.files; zone.textContent = input.files[0].name; } });
    }
    if (!window.XMLHttpRequest || !window.FormData || !bar) return;
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var xhr = new XMLHttpRequest();
      bar.hidden = false;
      xhr.upload.addEventListener("progress", function (p) { if (p.lengthComputable) bar.value = 100 * p.loaded / p.total; });
      xhr.addEventListener("load", function () { window.location.href = xhr.responseURL; });
      xhr.addEventListener("error", function () { form.submit(); });
      xhr.open("POST", form.action);
      xhr.send(new FormData(form));
    });
  });
})();
