// The words django-otp-webauthn's passkey scripts show (through the JavaScript catalog), which
// it translates into no Japanese. Listed so that makemessages -d djangojs keeps them in our
// catalog (locale/), which the catalog view merges in. Never loaded by any page.
/* global gettext */
// eslint-disable-next-line no-unused-vars
function otpWebauthnMessages() {
  return [
  gettext("Register a Passkey"),
  gettext("Registering..."),
  gettext("Registration failed. Unable to fetch registration options from server."),
  gettext("Registration aborted."),
  gettext("Registration failed. You most likely already have a Passkey registered for this site."),
  gettext("Registration aborted or not allowed."),
  gettext("Registration failed. A technical problem occurred that prevents you from registering a Passkey for this site."),
  gettext("Registration failed. An unknown error occurred."),
  gettext("Finishing registration..."),
  gettext("Registration failed. The server was unable to verify this passkey."),
  gettext("Registration failed. A server error occurred."),
  gettext("Registration successful!"),
  gettext("An error occurred during registration."),
  gettext("Verification failed. A server error occurred."),
  gettext("An error occurred during verification."),
  gettext("Verify with Passkey"),
  gettext("Verifying..."),
  gettext("Verification failed. Could not retrieve parameters from the server."),
  gettext("Verification aborted."),
  gettext("Verification canceled or not allowed."),
  gettext("Verification failed. An unknown error occurred."),
  gettext("Finishing verification..."),
  gettext("Verification failed. An unknown server error occurred."),
  gettext("Verification successful!"),
  ];
}
