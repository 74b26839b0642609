// The desk's only script: it keeps the list of waiting calls, and on the supervisor's
// page the helpdesk's figures, live through server-sent events. Everything works without
// it (reload the page to see new calls).
(function () {
  "use strict";

  var queue = document.getElementById("queue");
  if (!queue || !window.EventSource) {
    return;
  }
  var status = document.getElementById("live-status");
  var figures = document.getElementById("figures");
  var note = document.getElementById("live-note");
  if (note) {
    note.textContent = figures ? "The figures and the list update by themselves." : "This list updates by itself.";
  }

  function say(text) {
    if (status && status.textContent !== text) {
      status.textContent = text;
    }
  }

  // The supervisor's page asks the stream for the figures as well.
  var source = new EventSource((figures || queue).getAttribute("data-events"));
  source.addEventListener("open", function () {
    document.documentElement.setAttribute("data-live", "connected");
  });

  source.addEventListener("queue", function (event) {
    var current = document.getElementById("queue");
    var template = document.createElement("template");
    template.innerHTML = event.data;
    var next = template.content.getElementById("queue");
    if (!current || !next) {
      return;
    }
    // Keep the keyboard focus where it was, if that element is still there.
    var focused = document.activeElement;
    var focusedId = focused && current.contains(focused) ? focused.id : "";
    current.replaceWith(next);
    if (focusedId) {
      var again = document.getElementById(focusedId);
      if (again) {
        again.focus();
      }
    }
    say(next.getAttribute("data-summary") || "");
  });

  // The figures are swapped whole and quietly: they change every second while someone
  // waits, too often to be announced.
  source.addEventListener("figures", function (event) {
    var current = document.getElementById("figures");
    var template = document.createElement("template");
    template.innerHTML = event.data;
    var next = template.content.getElementById("figures");
    if (current && next) {
      current.replaceWith(next);
    }
  });

  source.addEventListener("signed-out", function () {
    source.close();
    document.documentElement.setAttribute("data-live", "stopped");
    say("Your session has ended: sign in again to see new calls.");
  });

  source.addEventListener("error", function () {
    if (source.readyState === EventSource.CLOSED) {
      document.documentElement.setAttribute("data-live", "stopped");
      say("Live updates have stopped: reload the page to see new calls.");
    }
  });
})();
