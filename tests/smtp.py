"""A real SMTP server on loopback for the delivery tests (aiosmtpd), which can also refuse
or stall, as a broken relay would."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
import time
from contextlib import contextmanager

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.received_at: list[float] = []  # time.time() of each message, for the benchmark
        self.refuse_with: str | None = None  # e.g. "451 4.3.0 try later"
        self.stall_seconds = 0.0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_with:
            return self.refuse_with
        if self.stall_seconds:
            await asyncio.sleep(self.stall_seconds)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
            self.received_at.append(time.time())
        return "250 OK"

    def about(self, reference: str) -> list:
        return [m for m in self.messages if reference in m["Subject"]]

    def wait_about(self, reference: str, count: int, seconds: float = 20) -> list:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if len(self.about(reference)) >= count:
                return self.about(reference)
            time.sleep(0.1)
        raise AssertionError(
            f"{len(self.about(reference))} e-mails about {reference}, {count} expected"
        )

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m["To"]]

    def wait_for(self, count: int, seconds: float = 20) -> list:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                return list(self.messages)
            time.sleep(0.1)
        raise AssertionError(f"{len(self.messages)} e-mails arrived, {count} expected")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server():
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        recorder.port = controller.port
        yield recorder
    finally:
        controller.stop()


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()
