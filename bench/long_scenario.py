#!/usr/bin/env python3
"""Prints a long valid scenario: 500 persons with a mailbox each, then submits
of 1 to 3 messages (every key fresh) with a tick every fifth step, STEPS
steps in all. Usage: bench/long_scenario.py STEPS [SEED] > long.wbs"""
import random
import sys


def luhn(nine):
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def person(k):
    nine = "80%02d%02d%03d" % (k // 28000 % 12 + 1, k % 28 + 1, k // 28 % 1000)
    return "19" + nine + luhn(nine)


def main():
    steps = int(sys.argv[1])
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    persons = 500
    people = [person(k) for k in range(persons)]
    out = sys.stdout
    out.write("wrongbox-scenario 1\nname long\n\n")
    for k, p in enumerate(people):
        out.write(f"open kivra/m{k} for {p}\n")
    seq = 0
    for i in range(max(0, steps - persons)):
        if i % 5 == 4:
            out.write("tick\n")
            continue
        out.write("submit\n")
        for _ in range(rng.randint(1, 3)):
            seq += 1
            out.write(f"  s{seq % 7} {seq} to {people[rng.randrange(persons)]}\n")
        out.write("end\n")


main()
