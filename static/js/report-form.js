// The report form: show the suggested severity as the reporter ticks behaviours and flags,
// offer only severities at or above it, and ask for a reason only when she raises it.
// The server computes the same rule on submission (incidents/rules.py); this is a guide.
(function () {
  "use strict";
  const form = document.getElementById("report-form");
  if (!form) return;
  const order = ["low", "medium", "high", "critical"];
  const shown = document.getElementById("suggested-severity");
  const labels = JSON.parse(shown.dataset.labels);
  const select = form.querySelector("select[name=severity]");
  const reasonGroup = document.getElementById("severity-reason-group");
  const injury = form.querySelector("input[name=injury]");
  const police = form.querySelector("input[name=police_called]");
  const injuryGroup = document.getElementById("injury-details-group");

  function suggested() {
    let rank = 0;
    form.querySelectorAll("input[name=categories]:checked").forEach(function (box) {
      rank = Math.max(rank, order.indexOf(box.dataset.severity));
    });
    if (police && police.checked) rank = Math.max(rank, order.indexOf("high"));
    if (injury && injury.checked) rank = order.indexOf("critical");
    return order[rank];
  }

  function update() {
    const level = suggested();
    shown.textContent = labels[level];
    shown.dataset.severity = level;
    const floor = order.indexOf(level);
    Array.from(select.options).forEach(function (option) {
      if (!option.value) return;
      option.disabled = order.indexOf(option.value) < floor;
    });
    if (select.value && order.indexOf(select.value) < floor) select.value = "";
    const raised = select.value && select.value !== level;
    reasonGroup.hidden = !raised;
    injuryGroup.hidden = !(injury && injury.checked);
  }

  form.addEventListener("change", update);
  update();

  // A double click sends one submission: the button is disabled once the form is on its way.
  form.addEventListener("submit", function (event) {
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "1";
    setTimeout(function () { delete form.dataset.sending; }, 8000);
  });

  const withdraw = document.getElementById("withdraw-draft");
  if (withdraw) {
    withdraw.addEventListener("submit", function (event) {
      if (!window.confirm(withdraw.dataset.confirm)) event.preventDefault();
    });
  }
})();
