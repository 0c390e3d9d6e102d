import json
import os
import re
import statistics
import decimal

SCHEMA = {}


def init():
    # Compile validators and warm the decimal context once, at init.
    SCHEMA["sku"] = re.compile(r"^[A-Z]{3}-\d{4}$")
    SCHEMA["customer"] = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
    decimal.getcontext().prec = 28
    SCHEMA["currency"] = os.environ.get("CURRENCY", "EUR")


def handle(body):
    orders = json.loads(body or b"[]")
    totals = {}
    rejected = []
    for order in orders:
        if not SCHEMA["customer"].match(str(order.get("customer", ""))) or not SCHEMA["sku"].match(
                str(order.get("sku", ""))):
            rejected.append(order)
            continue
        amount = decimal.Decimal(str(order.get("price", 0))) * int(order.get("qty", 1))
        totals[order["customer"]] = totals.get(order["customer"], decimal.Decimal(0)) + amount
    values = [float(v) for v in totals.values()]
    return {
        "currency": SCHEMA["currency"],
        "totals": {k: str(v) for k, v in sorted(totals.items())},
        "rejected": len(rejected),
        "mean": statistics.fmean(values) if values else 0.0,
    }
