#!/usr/bin/env python3
"""Erlang C reference values for queue/tests/erlang.rs, computed independently of the Rust
code: exact rational arithmetic (fractions) on the textbook formula, not the Erlang B
recursion the crate uses,

    C(c, a) = (a^c / c!) / (1 - rho)  /  (sum_{k<c} a^k / k!  +  (a^c / c!) / (1 - rho)),

with a = lambda / mu and rho = a / c; then Wq = C / (c mu - lambda), Lq = lambda Wq, and the
service level 1 - C exp(-(c mu - lambda) T) in 60-digit decimal arithmetic (the only step
that is not exact). Writes erlang_c.csv next to this script, 21 significant digits a value.

Run: python3 queue/tests/vectors/erlang_c.py
"""

import csv
import os
from decimal import Decimal, getcontext
from fractions import Fraction

getcontext().prec = 60

# Service rates (all exact in binary, so the Rust f64 inputs are exact too) and the
# utilisations per number of servers. Very light loads on hundreds of servers are left out:
# their p_wait (below 1e-300) is outside what an f64 holds.
MUS = ["1", "0.5", "0.25", "2", "0.125"]
TARGETS = ["0", "0.25", "1", "3"]  # target wait in mean service times
ROWS = {
    1: ["0.1", "0.5", "0.8", "0.9", "0.95", "0.99"],
    2: ["0.1", "0.5", "0.8", "0.9", "0.95", "0.99"],
    3: ["0.1", "0.5", "0.8", "0.9", "0.95", "0.99"],
    5: ["0.1", "0.5", "0.8", "0.9", "0.95", "0.99"],
    10: ["0.1", "0.5", "0.8", "0.9", "0.95", "0.99"],
    20: ["0.1", "0.5", "0.8", "0.9", "0.95", "0.99"],
    50: ["0.1", "0.5", "0.8", "0.9", "0.95", "0.99"],
    100: ["0.1", "0.5", "0.8", "0.9", "0.95", "0.99"],
    200: ["0.5", "0.8", "0.9", "0.95", "0.99"],
    500: ["0.5", "0.8", "0.9", "0.95", "0.99"],
}


def erlang_c(lam: Fraction, mu: Fraction, c: int) -> Fraction:
    """The probability of waiting, exactly."""
    a = lam / mu
    rho = a / c
    assert rho < 1
    term = Fraction(1)  # a^k / k!
    below = Fraction(0)
    for k in range(c):
        below += term
        term = term * a / (k + 1)
    top = term / (1 - rho)
    return top / (below + top)


def dec(x: Fraction) -> Decimal:
    return Decimal(x.numerator) / Decimal(x.denominator)


def plain(x: Fraction) -> str:
    """A terminating decimal written out without an exponent."""
    return f"{dec(x).normalize():f}"


def fmt(x: Decimal) -> str:
    return f"{x:.20e}"


def main() -> None:
    rows = [("2", "1", 3, "1")]  # the published case: p_wait = wq = 4/9
    i = 0
    for c, rhos in ROWS.items():
        for rho in rhos:
            mu = MUS[i % len(MUS)]
            t = TARGETS[i % len(TARGETS)]
            lam = Fraction(rho) * c * Fraction(mu)
            rows.append((plain(lam), mu, c, plain(Fraction(t) / Fraction(mu))))
            i += 1
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "erlang_c.csv")
    with open(out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["lambda", "mu", "servers", "target_wait", "utilisation", "p_wait", "wq", "lq", "service_level"])
        for lam_s, mu_s, c, t_s in rows:
            lam, mu, t = Fraction(lam_s), Fraction(mu_s), Fraction(t_s)
            p = erlang_c(lam, mu, c)
            wq = p / (c * mu - lam)
            sl = 1 - dec(p) * (-dec((c * mu - lam) * t)).exp()
            w.writerow([lam_s, mu_s, c, t_s, fmt(dec(lam / (c * mu))), fmt(dec(p)), fmt(dec(wq)), fmt(dec(lam * wq)), fmt(sl)])


if __name__ == "__main__":
    main()
