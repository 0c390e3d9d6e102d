"""Thaw guest agent: runs a function's init phase, then serves invocations.

It speaks to the host over a raw serial port (/dev/ttyS1). Every message is a
frame: one line of JSON (the header), then exactly header["len"] body bytes.
A serial port was chosen over vsock or networking because its host end is a
plain socket chosen per QEMU process, so any number of clones restored from
one snapshot each get their own channel without the guest noticing.

Host -> guest:  invoke {id, timeout_ms, len}+body | reseed {id, time_ns, len}+entropy | ping {id}
Guest -> host:  ready {init_ms, settle} | init_error {error, len}+traceback
                result {id, ok, ms, len}+body | result {id, ok:false, kind, error, len}+traceback
                reseeded {id} | pong {id}
"""

import fcntl
import gc
import importlib
import json
import os
import random
import signal
import struct
import sys
import termios
import time
import traceback
import tty

CHANNEL = "/dev/ttyS1"
CONFIG = "/opt/thaw/function.json"
CODE_DIR = "/opt/thaw/function"

# <linux/random.h>: _IOW('R', 0x03, int[2]) and _IO('R', 0x07)
RNDADDENTROPY = 0x40085203
RNDRESEEDCRNG = 0x5207


class InvocationTimeout(BaseException):
    """Raised inside a handler when its time is up. A BaseException, so a
    handler's own `except Exception` cannot swallow it."""


class Channel:
    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        # A serial tty echoes and cooks input unless it is put in raw mode.
        tty.setraw(self.fd, termios.TCSANOW)
        attrs = termios.tcgetattr(self.fd)
        attrs[3] &= ~termios.ECHO
        # QEMU paces the emulated UART at the guest's baud rate: 9600 baud
        # would add milliseconds per frame.
        attrs[4] = attrs[5] = termios.B115200
        termios.tcsetattr(self.fd, termios.TCSANOW, attrs)
        termios.tcflush(self.fd, termios.TCIOFLUSH)
        self.buf = b""

    def _fill(self):
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except InterruptedError:
                continue
            if chunk:
                self.buf += chunk
                return

    def read_frame(self):
        while True:
            while b"\n" not in self.buf:
                self._fill()
            line, self.buf = self.buf.split(b"\n", 1)
            try:
                header = json.loads(line)
            except ValueError:
                continue  # line noise before the host's first frame
            if not isinstance(header, dict) or "t" not in header:
                continue
            length = int(header.get("len", 0))
            while len(self.buf) < length:
                self._fill()
            body, self.buf = self.buf[:length], self.buf[length:]
            return header, body

    def send(self, header, body=b""):
        header = dict(header, len=len(body))
        data = json.dumps(header, separators=(",", ":")).encode() + b"\n" + body
        view = memoryview(data)
        while view:
            try:
                written = os.write(self.fd, view)
            except InterruptedError:
                continue
            view = view[written:]


def load_function(config):
    for key, value in config.get("env", {}).items():
        os.environ[key] = str(value)
    sys.path.insert(0, CODE_DIR)
    module_name, _, function_name = config["handler"].partition(":")
    module = importlib.import_module(module_name)
    init = getattr(module, "init", None)
    if callable(init):
        init()
    handler = getattr(module, function_name, None)
    if not callable(handler):
        raise AttributeError(f"handler {config['handler']!r}: module {module_name!r} has no function {function_name!r}")
    return handler


def to_bytes(value):
    if value is None:
        return b""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode()
    return json.dumps(value, separators=(",", ":")).encode()


def _on_alarm(signum, frame):
    raise InvocationTimeout()


def invoke(channel, handler, header, body):
    request_id = header.get("id")
    timeout_ms = int(header.get("timeout_ms", 0))
    started = time.monotonic()
    if timeout_ms > 0:
        signal.setitimer(signal.ITIMER_REAL, timeout_ms / 1000.0)
    try:
        response = to_bytes(handler(body))
        signal.setitimer(signal.ITIMER_REAL, 0)
        elapsed = (time.monotonic() - started) * 1000.0
        channel.send({"t": "result", "id": request_id, "ok": True, "ms": round(elapsed, 3)}, response)
    except InvocationTimeout:
        elapsed = (time.monotonic() - started) * 1000.0
        channel.send({"t": "result", "id": request_id, "ok": False, "kind": "timeout", "ms": round(elapsed, 3),
                      "error": f"handler did not return within {timeout_ms} ms"})
    except BaseException as error:  # a handler's failure must never end the agent
        signal.setitimer(signal.ITIMER_REAL, 0)
        elapsed = (time.monotonic() - started) * 1000.0
        channel.send({"t": "result", "id": request_id, "ok": False, "kind": "exception", "ms": round(elapsed, 3),
                      "error": f"{type(error).__name__}: {error}"}, traceback.format_exc().encode())


def reseed(channel, header, entropy):
    """Give a restored clone its own identity: clones of one snapshot share the
    kernel CRNG state and Python's random state until they are reseeded."""
    with open("/dev/urandom", "wb", buffering=0) as rng:
        info = struct.pack("ii", len(entropy) * 8, len(entropy)) + entropy
        fcntl.ioctl(rng, RNDADDENTROPY, info)
        fcntl.ioctl(rng, RNDRESEEDCRNG)
    random.seed(os.urandom(32))
    time_ns = header.get("time_ns")
    if time_ns:
        time.clock_settime_ns(time.CLOCK_REALTIME, int(time_ns))
    channel.send({"t": "reseeded", "id": header.get("id")})


def meminfo_kib(*keys):
    values = {}
    with open("/proc/meminfo") as f:
        for line in f:
            name, _, rest = line.partition(":")
            if name in keys:
                values[name] = int(rest.split()[0])
    return values


def settle_memory():
    """Leave memory as two boots of the same code would, just before the snapshot.

    Free guest memory is whatever boot left there (the initramfs, page cache of
    files read once, freed slabs); the kernel zeroes pages as they are freed
    (init_on_free=1 on its command line), so what is dropped here becomes zero
    pages, which the snapshot store never stores. A restored clone re-reads what
    it needs of the dropped page cache from the read-only disks.
    """
    started = time.monotonic()
    gc.collect()
    os.sync()
    report = {"cached_before_kib": meminfo_kib("Cached")["Cached"]}
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3")
    except OSError as error:  # a kernel without the knob still snapshots, only larger
        report["error"] = f"{type(error).__name__}: {error}"
    after = meminfo_kib("Cached", "MemFree")
    report["cached_kib"] = after["Cached"]
    report["free_kib"] = after["MemFree"]
    report["ms"] = round((time.monotonic() - started) * 1000.0, 3)
    return report


def main():
    channel = Channel(CHANNEL)
    signal.signal(signal.SIGALRM, _on_alarm)
    with open(CONFIG) as f:
        config = json.load(f)
    started = time.monotonic()
    try:
        handler = load_function(config)
    except BaseException as error:
        channel.send({"t": "init_error", "error": f"{type(error).__name__}: {error}"}, traceback.format_exc().encode())
        while True:
            channel.read_frame()  # stay up so the host can read the error and stop the VM
    init_ms = (time.monotonic() - started) * 1000.0
    settle = settle_memory()
    channel.send({"t": "ready", "init_ms": round(init_ms, 3), "settle": settle})
    while True:
        header, body = channel.read_frame()
        kind = header["t"]
        if kind == "invoke":
            invoke(channel, handler, header, body)
        elif kind == "reseed":
            reseed(channel, header, body)
        elif kind == "ping":
            channel.send({"t": "pong", "id": header.get("id")})


if __name__ == "__main__":
    main()
