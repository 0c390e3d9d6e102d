# A hostile function: it answers past the bounds of the guest channel.


def handle(body):
    if body == b"big":
        return b"x" * (33 << 20)  # over the 32 MiB frame limit
    if body == b"long-header":
        raise RuntimeError("e" * (128 << 10))  # the error text goes into the 64 KiB header line
    return b"ok"
