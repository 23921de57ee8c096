/* The idle warning: a few minutes before a session would end without activity, say so and
   offer to stay signed in. The server decides (harassment_portal/middleware.py); this script
   only asks it. Before warning and before leaving it asks how long is really left (GET, which
   does not count as activity): another tab, or the report form's autosave, may have kept the
   session alive meanwhile. When the session has ended it goes to the sign-in page, which says
   why, so nothing personal stays on a shared screen. */
(function () {
  "use strict";
  var box = document.getElementById("session-warning");
  if (!box) return;
  var minutesText = box.querySelector("[data-session-minutes]");
  var form = box.querySelector("form[data-session-keepalive]");
  var warnSeconds = parseInt(box.dataset.warnSeconds, 10) || 300;
  var timer = null;
  var endsAt = 0;

  function schedule(secondsLeft) {
    window.clearTimeout(timer);
    endsAt = Date.now() + secondsLeft * 1000;
    var untilWarning = Math.max(0, secondsLeft - warnSeconds);
    timer = window.setTimeout(check, untilWarning * 1000);
  }

  function leave() {
    var next = window.location.pathname + window.location.search;
    window.location.assign(box.dataset.loginUrl + "?next=" + encodeURIComponent(next));
  }

  function show(secondsLeft) {
    minutesText.textContent = String(Math.max(1, Math.ceil(secondsLeft / 60)));
    box.hidden = false;
    window.clearTimeout(timer);
    // Count down by the minute, then ask again at the very end.
    var step = Math.min(60, Math.max(1, secondsLeft - 1));
    timer = window.setTimeout(check, step * 1000);
  }

  function answer(response) {
    if (response.status === 401) return { signed_in: false, seconds_left: 0 };
    return response.json();
  }

  function react(state) {
    if (!state.signed_in || state.seconds_left <= 1) return leave();
    if (state.seconds_left > warnSeconds) {
      box.hidden = true;
      return schedule(state.seconds_left);
    }
    show(state.seconds_left);
  }

  function check() {
    fetch(box.dataset.statusUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store",
    })
      .then(answer)
      .then(react)
      .catch(function () {
        // Offline for a moment: try again shortly, and leave once the time is surely over.
        if (Date.now() >= endsAt) return leave();
        timer = window.setTimeout(check, 30000);
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(answer)
      .then(react)
      .catch(check);
  });

  schedule(parseInt(box.dataset.secondsLeft, 10));
})();
