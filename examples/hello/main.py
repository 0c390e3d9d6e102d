import os
import time

# Made during init, so every instance restored from the snapshot has it.
STATE = {"invocations": 0}


def init():
    STATE["booted_with"] = os.urandom(8).hex()


def handle(body):
    """Echoes the request. Special bodies let Thaw's tests look inside the guest."""
    STATE["invocations"] += 1
    if body == b"random":
        return os.urandom(16).hex()
    if body == b"state":
        return {"booted_with": STATE["booted_with"], "invocations": STATE["invocations"]}
    if body.startswith(b"write:"):
        with open("/tmp/mark", "wb") as f:
            f.write(body[6:])
        return "written"
    if body == b"read":
        try:
            with open("/tmp/mark", "rb") as f:
                return f.read()
        except FileNotFoundError:
            return "none"
    if body == b"meminfo":
        with open("/proc/meminfo") as f:
            fields = dict(line.split(":", 1) for line in f)
        return {key: int(fields[key].split()[0]) for key in ("MemTotal", "MemFree", "Cached")}
    if body == b"fail":
        raise ValueError("asked to fail")
    if body.startswith(b"sleep:"):
        time.sleep(int(body[6:]) / 1000)
        return "slept"
    if body == b"hang":
        while True:
            pass
    return b"hello, " + (body or b"world")
