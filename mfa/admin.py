"""Devices are not edited in admin: their secrets stay out of anyone's sight (django-otp's own
admin shows a TOTP key and its QR code to administrators), and a lost device is dealt with by
the users' "Reset the second factor" action (accounts/admin.py), which leaves a history line."""

from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnAttestation, WebAuthnCredential

for model in (TOTPDevice, WebAuthnCredential, WebAuthnAttestation):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
