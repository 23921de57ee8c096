// The report form, for a tired employee on a tablet or a phone. Without this script the form
// is one long page that posts as it is; with it:
// - the six sections become steps with "Next" and "Back" and a progress bar;
// - the suggested severity follows the behaviours and flags ticked (incidents/rules.py
//   decides again on submission: this is a guide);
// - what she types is saved to the draft a few seconds after she stops, on each step change
//   and before every post; kept in this tab (sessionStorage) until the server has it, so that
//   an ended session or a closed connection loses nothing; put back after she signs in again;
// - evidence is checked against the server's limits (read from data attributes) before it is
//   sent, then sent on its own with a progress bar;
// - after a refused post, the summary at the top takes the focus and its links reach the
//   field, whichever step it is on.
(function () {
  "use strict";
  const form = document.getElementById("report-form");
  if (!form) return;
  const text = JSON.parse(document.getElementById("report-form-messages").textContent);
  const alertBox = document.getElementById("report-form-alert");
  const savedStatus = document.getElementById("saved-status");

  function fill(template, values) {
    return template.replace(/%\((\w+)\)[sd]/g, function (match, key) {
      return key in values ? String(values[key]) : match;
    });
  }

  function showAlert(message, linkText, linkHref, kind) {
    alertBox.className = "alert alert-" + (kind || "warning");
    alertBox.textContent = message;
    if (linkText) {
      alertBox.append(" ");
      const link = document.createElement("a");
      link.href = linkHref;
      link.className = "alert-link";
      link.textContent = linkText;
      alertBox.append(link);
    }
    alertBox.hidden = false;
  }

  // --- The suggested severity -----------------------------------------------------------------
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

  function updateSeverity() {
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
  form.addEventListener("change", updateSeverity);

  // --- Steps ------------------------------------------------------------------------------------
  const steps = Array.from(form.querySelectorAll(".report-step"));
  const stepper = document.getElementById("stepper");
  const stepStatus = document.getElementById("step-status");
  const progress = stepper.querySelector("[role=progressbar]");
  const progressBar = document.getElementById("step-progress");
  const back = document.getElementById("step-back");
  const next = document.getElementById("step-next");
  let current = 0;

  function showStep(index, moveFocus) {
    current = Math.max(0, Math.min(steps.length - 1, index));
    steps.forEach(function (step, i) { step.hidden = i !== current; });
    const title = steps[current].dataset.stepTitle;
    // The live region announces the step; the bar shows how far she is.
    stepStatus.textContent = fill(text.step, {
      current: current + 1, total: steps.length, title: title,
    });
    progress.setAttribute("aria-valuenow", String(current + 1));
    progress.setAttribute("aria-valuetext", stepStatus.textContent);
    progress.setAttribute("aria-valuemax", String(steps.length));
    progressBar.style.width = Math.round(((current + 1) / steps.length) * 100) + "%";
    back.hidden = current === 0;
    next.hidden = current === steps.length - 1;
    history.replaceState(history.state, "", location.pathname + "#step-" + (current + 1));
    if (moveFocus) {
      const legend = steps[current].querySelector("legend");
      legend.tabIndex = -1;
      legend.focus();
      stepper.scrollIntoView({ block: "start" });
    }
  }

  function stepOf(element) {
    return steps.findIndex(function (step) { return step.contains(element); });
  }

  function reveal(element) {
    const index = stepOf(element);
    if (index >= 0 && index !== current) showStep(index, false);
    element.focus();
    element.scrollIntoView({ block: "center" });
  }

  stepper.hidden = false;
  back.addEventListener("click", function () { showStep(current - 1, true); autosave(); });
  next.addEventListener("click", function () { showStep(current + 1, true); autosave(); });

  const summary = document.querySelector("[data-error-summary]");
  const firstInvalid = form.querySelector(".report-step .is-invalid");
  const asked = /^#step-(\d)$/.exec(location.hash) || /[?&]step=(\d)/.exec(location.search);
  if (firstInvalid) showStep(stepOf(firstInvalid), false);
  else if (asked) showStep(Number(asked[1]) - 1, false);
  else showStep(0, false);
  // The summary's links reach their field on whichever step it is.
  if (summary) {
    summary.addEventListener("click", function (event) {
      const link = event.target.closest("a[data-field]");
      if (!link) return;
      const field = document.getElementById(link.dataset.field);
      if (!field) return;
      event.preventDefault();
      reveal(field);
    });
    // After the page's first layout: a focus given while it loads can be taken back.
    const land = function () {
      summary.focus();
      summary.scrollIntoView({ block: "start" });
    };
    land();
    window.addEventListener("load", function () { requestAnimationFrame(land); });
  }

  // --- Checks that mirror the server's ----------------------------------------------------------
  const textMax = Number(form.dataset.textMax);
  const maxFiles = Number(form.dataset.maxFiles);
  const maxMb = Number(form.dataset.maxMb);
  const occurredAt = form.querySelector("input[name=occurred_at]");
  const CLOCK_TOLERANCE_MS = 5 * 60 * 1000; // incidents/rules.py CLOCK_TOLERANCE

  function setClientError(input, message) {
    const id = "client_error_" + input.id;
    let feedback = document.getElementById(id);
    const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(
      function (token) { return token && token !== id; });
    if (!message) {
      if (feedback) feedback.remove();
      input.setAttribute("aria-describedby", described.join(" "));
      if (!input.dataset.serverInvalid) input.classList.remove("is-invalid");
      return;
    }
    if (!feedback) {
      feedback = document.createElement("div");
      feedback.id = id;
      feedback.className = "invalid-feedback d-block";
      input.insertAdjacentElement("afterend", feedback);
    }
    feedback.textContent = message;
    input.classList.add("is-invalid");
    input.setAttribute("aria-describedby", [id].concat(described).join(" "));
  }

  function occurredAtProblem() {
    if (!occurredAt || !occurredAt.value) return "";
    const moment = new Date(occurredAt.value); // a datetime-local value is local time
    if (Number.isNaN(moment.getTime())) return "";
    if (moment.getTime() > Date.now() + CLOCK_TOLERANCE_MS) return text.date_future;
    if (moment < new Date(2000, 0, 1)) return text.date_early;
    return "";
  }

  function textProblem(field) {
    const length = field.value.length;
    return length > textMax ? fill(text.text_long, { limit_value: textMax, show_value: length }) : "";
  }

  const textFields = Array.from(form.querySelectorAll("textarea, input[type=text]"));
  form.querySelectorAll(".is-invalid").forEach(function (input) { input.dataset.serverInvalid = "1"; });

  function checkFields() {
    const problems = [];
    if (occurredAt) {
      const problem = occurredAtProblem();
      setClientError(occurredAt, problem);
      if (problem) problems.push(occurredAt);
    }
    textFields.forEach(function (field) {
      const problem = textProblem(field);
      setClientError(field, problem);
      if (problem) problems.push(field);
    });
    return problems;
  }
  if (occurredAt) occurredAt.addEventListener("change", checkFields);
  textFields.forEach(function (field) { field.addEventListener("change", checkFields); });

  // --- Evidence: checked, then sent on its own with its progress ---------------------------------
  const fileInput = form.querySelector("input[name=evidence]");
  const evidenceProblems = document.getElementById("evidence-problems");
  const uploadBox = document.getElementById("upload-progress");
  const uploadLabel = document.getElementById("upload-label");
  const uploadBar = document.getElementById("upload-bar");
  const accepted = (fileInput.getAttribute("accept") || "").split(",").map(function (token) {
    return token.trim().toLowerCase();
  }).filter(Boolean);

  function typeAccepted(file) {
    const name = file.name.toLowerCase();
    const type = (file.type || "").toLowerCase();
    return accepted.some(function (token) {
      if (token.startsWith(".")) return name.endsWith(token);
      if (token.endsWith("/*")) return type.startsWith(token.slice(0, -1));
      return type === token;
    });
  }

  function fileProblems(files) {
    const problems = [];
    const attached = Number(form.dataset.attached);
    if (attached + files.length > maxFiles) problems.push(fill(text.too_many, { count: maxFiles }));
    files.forEach(function (file) {
      if (!file.size) problems.push(fill(text.file_empty, { name: file.name }));
      else if (file.size > maxMb * 1024 * 1024) {
        problems.push(fill(text.file_too_large, { name: file.name, limit: maxMb }));
      } else if (!typeAccepted(file)) problems.push(fill(text.file_type, { name: file.name }));
    });
    return problems;
  }

  function showEvidenceProblems(problems) {
    evidenceProblems.replaceChildren();
    problems.forEach(function (problem) {
      const line = document.createElement("p");
      line.className = "mb-1";
      line.textContent = problem;
      evidenceProblems.append(line);
    });
    fileInput.classList.toggle("is-invalid", problems.length > 0);
    if (problems.length) fileInput.setAttribute("aria-describedby", "evidence-problems");
  }

  // Refusals of the server, kept over the reload that shows the files attached.
  const flashKey = "report-form-evidence-problems";
  const flashed = sessionStorage.getItem(flashKey);
  if (flashed) {
    sessionStorage.removeItem(flashKey);
    showEvidenceProblems(JSON.parse(flashed));
  }

  function upload(files) {
    return new Promise(function (resolve) {
      const data = new FormData();
      data.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
      files.forEach(function (file) { data.append("evidence", file); });
      const request = new XMLHttpRequest();
      request.open("POST", form.dataset.uploadUrl);
      request.setRequestHeader("Accept", "application/json");
      request.responseType = "json";
      uploadLabel.textContent = fill(text.uploading, {
        name: files.map(function (file) { return file.name; }).join(", "),
      });
      uploadBar.value = 0;
      uploadBox.hidden = false;
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) uploadBar.value = Math.round((event.loaded / event.total) * 100);
      });
      request.addEventListener("load", function () { resolve(request); });
      request.addEventListener("error", function () { resolve(request); });
      request.send(data);
    });
  }

  fileInput.addEventListener("change", async function () {
    const files = Array.from(fileInput.files);
    if (!files.length) return;
    const problems = fileProblems(files);
    if (problems.length) {
      fileInput.value = ""; // nothing refused is ever sent
      showEvidenceProblems(problems);
      return;
    }
    showEvidenceProblems([]);
    form.dataset.uploading = "1";
    // The draft must exist to take the files, and what was typed is saved before the page
    // reloads to show them.
    const saved = await autosave({ evidenceChosen: true });
    if (!saved || !form.dataset.uploadUrl) {
      delete form.dataset.uploading;
      return; // kept in the input: the form's own post sends them
    }
    const request = await upload(files);
    delete form.dataset.uploading;
    fileInput.value = "";
    uploadBox.hidden = true;
    const answer = request.response;
    if (request.status === 401 && answer) return signedOut(answer.login_url);
    if (!answer || !(request.status === 200 || request.status === 422)) {
      showEvidenceProblems([answer && answer.message ? answer.message : text.upload_failed]);
      return;
    }
    const refused = answer.rejected.map(function (item) { return item.name + ": " + item.message; });
    if (!answer.stored.length) return showEvidenceProblems(refused);
    if (refused.length) sessionStorage.setItem(flashKey, JSON.stringify(refused));
    // A new load of the draft (a query, since a change of the hash alone loads nothing).
    location.replace(form.dataset.draftUrl + "?step=" + (current + 1));
  });

  // --- What was typed: kept in this tab until the server has it ---------------------------------
  function storageKey() {
    return "report-form:" + new URL(form.action, location.href).pathname;
  }

  function snapshot() {
    const values = {};
    Array.from(form.elements).forEach(function (element) {
      const name = element.name;
      if (!name || element.type === "file" || element.type === "submit" || element.type === "button") return;
      if (name === "csrfmiddlewaretoken") return;
      if (!(name in values)) values[name] = [];
      if (element.type === "checkbox" || element.type === "radio") {
        if (element.checked) values[name].push(element.value);
      } else {
        values[name].push(element.value);
      }
    });
    return values;
  }

  function restore(values) {
    Array.from(form.elements).forEach(function (element) {
      const name = element.name;
      if (!(name in values) || element.type === "file") return;
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = values[name].indexOf(element.value) >= 0;
      } else if (values[name].length) {
        element.value = values[name][0];
      }
    });
  }

  function keep() {
    try {
      sessionStorage.setItem(storageKey(), JSON.stringify(snapshot()));
    } catch (error) { /* storage full or refused: the autosave still runs */ }
  }

  function forget() {
    sessionStorage.removeItem(storageKey());
  }

  // --- Autosave -----------------------------------------------------------------------------------
  const AUTOSAVE_DELAY_MS = 3000;
  let timer = null;
  let running = null;
  let stopped = false; // the session ended: nothing is sent until she signs in again

  function signedOut(loginUrl) {
    stopped = true;
    keep();
    const href = loginUrl || form.dataset.loginUrl + "?next=" + encodeURIComponent(location.pathname);
    showAlert(text.signed_out || "", text.sign_in, href, "danger");
    alertBox.querySelector("a").focus();
    savedStatus.textContent = "";
    return false;
  }

  function adopt(answer) {
    // The new form's first save made the draft: from now on the page is that draft's.
    if (!answer.draft_url || form.dataset.draftUrl === answer.draft_url) return;
    const oldKey = storageKey();
    form.dataset.draftUrl = answer.draft_url;
    form.dataset.autosaveUrl = answer.autosave_url;
    form.dataset.uploadUrl = answer.upload_url;
    form.action = answer.draft_url;
    sessionStorage.removeItem(oldKey);
    history.replaceState(history.state, "", answer.draft_url + location.hash);
  }

  async function send(options) {
    const data = new FormData(form);
    data.delete("evidence");
    data.delete("action");
    if (options && options.evidenceChosen) data.append("evidence_chosen", "1");
    savedStatus.textContent = text.saving;
    let response;
    try {
      response = await fetch(form.dataset.autosaveUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
    } catch (error) {
      savedStatus.textContent = text.save_failed;
      return false;
    }
    let answer = null;
    try { answer = await response.json(); } catch (error) { answer = null; }
    if (response.status === 401 || (response.status === 403 && !(answer && answer.error === "refused"))) {
      return signedOut(answer && answer.login_url);
    }
    if (response.status === 409 && answer && answer.submitted) {
      forget();
      location.assign(answer.url);
      return false;
    }
    if (!response.ok || !answer) {
      savedStatus.textContent = (answer && answer.message) || text.save_failed;
      return false;
    }
    if (answer.saved) {
      adopt(answer);
      savedStatus.textContent = answer.saved_at;
    } else {
      savedStatus.textContent = "";
    }
    forget(); // the server has it (or there was nothing worth keeping)
    return true;
  }

  // One save at a time; a save asked for while one runs follows it.
  function autosave(options) {
    clearTimeout(timer);
    timer = null;
    if (stopped) return Promise.resolve(false);
    const previous = running || Promise.resolve();
    running = previous.then(function () { return send(options); });
    const mine = running;
    mine.finally(function () { if (running === mine) running = null; });
    return mine;
  }

  function typed(event) {
    if (event.target.type === "file") return;
    keep();
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(autosave, AUTOSAVE_DELAY_MS);
  }
  form.addEventListener("input", typed);
  form.addEventListener("change", typed);

  // Leaving the page (a link, the tab closed) within the autosave's delay: the last words go
  // with a request the browser finishes after the page is gone.
  window.addEventListener("pagehide", function () {
    if (!timer || stopped || form.dataset.confirmed) return;
    clearTimeout(timer);
    timer = null;
    const data = new FormData(form);
    data.delete("evidence");
    data.delete("action");
    fetch(form.dataset.autosaveUrl, {
      method: "POST", body: data, credentials: "same-origin", keepalive: true,
    }).catch(function () { /* kept in this tab all the same */ });
  });

  // Back from signing in again: what this tab kept goes back into the form and is saved.
  const kept = sessionStorage.getItem(storageKey());
  if (kept) {
    restore(JSON.parse(kept));
    showAlert(text.restored, "", "", "info");
    autosave();
  }

  // --- Posting the form ----------------------------------------------------------------------------
  // Every post (submit, save, remove a file) is preceded by an autosave: an ended session is
  // found out here, with what was typed still in the page, rather than after a redirect to the
  // sign-in page that would drop it.
  form.addEventListener("submit", async function (event) {
    if (form.dataset.confirmed) {
      delete form.dataset.confirmed;
      return;
    }
    event.preventDefault();
    if (form.dataset.sending || form.dataset.uploading) return;
    const problems = checkFields();
    if (problems.length) {
      showAlert(text.check_before_submit, "", "", "danger");
      reveal(problems[0]);
      return;
    }
    form.dataset.sending = "1";
    keep();
    const saved = await autosave();
    if (stopped) {
      delete form.dataset.sending;
      return;
    }
    if (saved) forget();
    form.dataset.confirmed = "1";
    form.requestSubmit(event.submitter);
    // A double click sends one submission; the lock goes if the page stays (a slow server).
    setTimeout(function () { delete form.dataset.sending; }, 8000);
  });

  updateSeverity();
})();
