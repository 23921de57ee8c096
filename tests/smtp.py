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
        self.stall_seconds = 0.0  # after the whole message is queued, before the reply
        self.stall_rcpt_seconds = 0.0  # before the message: nothing has left yet
        self.stalled_rcpts = 0
        self.refuse_recipients: set[str] = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_recipients:
            return "550 5.1.1 No such user"
        if self.stall_rcpt_seconds:
            self.stalled_rcpts += 1
            await asyncio.sleep(self.stall_rcpt_seconds)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_with:
            return self.refuse_with
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
            self.received_at.append(time.time())
        if self.stall_seconds:
            # A relay that has queued the message but is slow to say so: the client may
            # give up waiting for a "250" for a message that will be delivered.
            await asyncio.sleep(self.stall_seconds)
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


class Outage:
    """Switches the server off and on again on the same port, as a mail relay that goes
    down and comes back (connections are refused meanwhile)."""

    def __init__(self, recorder: Recorder, controller: Controller):
        self.recorder, self.controller, self.running = recorder, controller, True

    def down(self) -> None:
        if self.running:
            self.controller.stop()
            self.running = False

    def up(self) -> None:
        if not self.running:
            self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
            self.controller.start()
            self.running = True

    @property
    def port(self) -> int:
        return self.recorder.port


@contextmanager
def smtp_server():
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    recorder.port = controller.port
    recorder.outage = Outage(recorder, controller)
    try:
        yield recorder
    finally:
        recorder.outage.down()


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()
