// The second factor's pages (templates/mfa/): no inline script, so that a Content-Security-
// Policy without 'unsafe-inline' keeps them working.
(function () {
  "use strict";
  // A passkey just registered (django-otp-webauthn's event): the page lists it, and offers
  // the recovery codes that come next.
  document.addEventListener("otp_webauthn.register_complete", function () {
    window.location.reload();
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
