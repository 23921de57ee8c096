// A button marked data-print prints the page. A script file rather than onclick="": the
// Content-Security-Policy runs no inline script, event handler attributes included.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
