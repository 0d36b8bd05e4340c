#!/usr/bin/env python3
"""A correct message switch in Python (standard library only), speaking
Wrongbox protocol v1 on stdin/stdout. It shows a vendor everything an adapter
must do; run it with:

    wrongbox replay corpus/regressions --sut exec:'python3 examples/python/reference_switch.py'

Its durable state (accepted messages not yet handled, and the (sender, id)
keys accepted) lives in the private store the harness names in
WRONGBOX_PRIVATE_DIR, in a file only its owner can read; `restart` reads it
back. Without that variable it is kept in memory.

Planted defects for trying a red CI job:
`--bug ten-digit-cache`: the command's lookup cache is keyed on the 10-digit
form of the number, so two people born a century apart share one answer
(defect class 4).
`--bug dead-letter-share`: a letter the mailbox operator could not take is
also written, for staff to look at, to a dead-letter folder in the shared
directory (WRONGBOX_SHARED_DIR) that every staff member can read (defect
class 9, at rest: property S6).
"""
import json
import os
import sys

BUG = None
BUGS = ("ten-digit-cache", "dead-letter-share")


def valid_person_number(s):
    """12 digits YYYYMMDDNNNC; real date (day+60 allowed); Luhn over the last 10."""
    if len(s) != 12 or not s.isdigit():
        return False
    year, month, day = int(s[0:4]), int(s[4:6]), int(s[6:8])
    if not 1800 <= year <= 2099 or not 1 <= month <= 12:
        return False
    if day > 60:
        day -= 60
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    if not 1 <= day <= days:
        return False
    total = 0
    for i, c in enumerate(s[2:11]):
        d = int(c) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return s[11] == str((10 - total % 10) % 10)


class Switch:
    def __init__(self, io):
        self.io = io
        self.reset()

    def reset(self):
        self.journal = []      # durable: accepted messages, with a done flag
        self.accepted = set()  # durable: (sender, id)
        self.cache = {}        # volatile, and valid for one command only
        self.save()

    def restart(self):
        # As after a crash: only what the private store holds survives.
        self.cache = {}
        store = os.environ.get("WRONGBOX_PRIVATE_DIR")
        if store:
            with open(os.path.join(store, "journal.json")) as f:
                state = json.load(f)
            self.journal = [{"message": m, "done": False} for m in state["pending"]]
            self.accepted = {tuple(k) for k in state["accepted"]}

    def save(self):
        """Writes the durable state to the private store, readable by the owner alone."""
        store = os.environ.get("WRONGBOX_PRIVATE_DIR")
        if not store:
            return
        state = {"pending": [e["message"] for e in self.journal if not e["done"]],
                 "accepted": sorted(self.accepted)}
        tmp = os.path.join(store, "journal.json.new")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(state, f)
        os.replace(tmp, os.path.join(store, "journal.json"))

    def submit(self, messages):
        verdicts = []
        for m in messages:
            key = (m["sender"], m["id"])
            if not valid_person_number(m["subject"]):
                verdicts.append({"sender": m["sender"], "id": m["id"], "status": "rejected",
                                 "reason": "invalid subject number"})
            elif not m["parts"]:
                verdicts.append({"sender": m["sender"], "id": m["id"], "status": "rejected",
                                 "reason": "no parts"})
            elif key in self.accepted:
                verdicts.append({"sender": m["sender"], "id": m["id"], "status": "rejected",
                                 "reason": "duplicate (sender, id)"})
            else:
                self.accepted.add(key)
                self.journal.append({"message": m, "done": False})
                verdicts.append({"sender": m["sender"], "id": m["id"], "status": "accepted"})
        self.work()
        self.save()
        return {"verdicts": verdicts}

    def tick(self, now):
        self.work()
        self.journal = [e for e in self.journal if not e["done"]]
        self.save()
        return {"idle": not self.journal}

    def lookup(self, person):
        key = person[2:] if BUG == "ten-digit-cache" else person
        if key not in self.cache:
            self.cache[key] = self.io.call({"call": "lookup", "person": person})
        return self.cache[key]

    def work(self):
        self.cache = {}  # a lookup is valid only during the command that made it
        for entry in self.journal:
            if not entry["done"] and self.route(entry["message"]):
                entry["done"] = True

    def route(self, m):
        key = m["sender"] + "/" + m["id"]
        for _ in range(3):
            r = self.lookup(m["subject"])
            if "error" in r:
                return False  # registry down: retry on a later tick
            blocked = m["sender"] in r.get("blocked_senders", [])
            if r.get("mailbox") and not blocked:
                answer = self.io.call({"call": "deliver", "mailbox": r["mailbox"], "message": m})
                if answer.get("ok"):
                    self.io.tell({"call": "log", "text": "delivered " + key})
                    self.receipt(m, "delivered")
                    return True
                if answer.get("error") == "no_such_mailbox":
                    self.cache.pop(m["subject"][2:] if BUG == "ten-digit-cache" else m["subject"],
                                   None)
                    continue
                if BUG == "dead-letter-share" and os.environ.get("WRONGBOX_SHARED_DIR"):
                    folder = os.path.join(os.environ["WRONGBOX_SHARED_DIR"], "dead-letter")
                    os.makedirs(folder, exist_ok=True)
                    with open(os.path.join(folder, key.replace("/", "_") + ".json"), "w") as f:
                        json.dump(m, f)
                return False  # operator unavailable
            if r.get("protected"):
                self.io.tell({"call": "hold", "message": m,
                              "reason": "protected identity: manual handling"})
                self.io.tell({"call": "log", "text": "held " + key})
                self.receipt(m, "held")
                return True
            self.io.tell({"call": "print", "person": m["subject"], "message": m})
            self.io.tell({"call": "log", "text": "printed " + key})
            self.receipt(m, "printed")
            return True
        return False

    def receipt(self, m, status):
        self.io.tell({"call": "receipt", "sender": m["sender"], "id": m["id"], "status": status})


class Io:
    """Lines to and from the harness. `call` waits for its answer; `tell` is
    for calls whose answer is always {"ok": true} (log, receipt, print, hold):
    it does not wait, and the answers owed are read before the next wait or
    the command's result. The harness answers strictly in order, so this is
    safe, and it saves a round trip per such call."""

    def __init__(self):
        self.owed = 0

    def call(self, obj):
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()
        self.collect()
        return self.read()

    def tell(self, obj):
        sys.stdout.write(json.dumps(obj) + "\n")
        self.owed += 1

    def collect(self):
        sys.stdout.flush()
        while self.owed:
            self.owed -= 1
            answer = self.read()
            if answer != {"ok": True}:
                sys.stderr.write("unexpected answer: %r\n" % (answer,))
                sys.exit(1)

    def read(self):
        line = sys.stdin.readline()
        if not line:
            sys.exit(1)  # the harness went away in the middle of a call
        return json.loads(line)

    def result(self, obj):
        self.collect()
        sys.stdout.write(json.dumps({"result": obj}) + "\n")
        sys.stdout.flush()


def main():
    global BUG
    if len(sys.argv) == 3 and sys.argv[1] == "--bug" and sys.argv[2] in BUGS:
        BUG = sys.argv[2]
    elif sys.argv[1:]:
        sys.stderr.write("usage: reference_switch.py [--bug ten-digit-cache|dead-letter-share]\n")
        return 2
    io = Io()
    switch = Switch(io)
    for line in sys.stdin:
        if not line.strip():
            continue
        cmd = json.loads(line)
        op = cmd.get("op")
        if op == "hello":
            if cmd.get("protocol") != 1:
                io.result({"error": "protocol 1 only"})
            else:
                io.result({"name": "python-reference", "version": "1.0",
                           "capabilities": ["restart"]})
        elif op == "reset":
            switch.reset()
            io.result({})
        elif op == "submit":
            io.result(switch.submit(cmd["messages"]))
        elif op == "tick":
            io.result(switch.tick(cmd["now"]))
        elif op == "restart":
            switch.restart()
            io.result({})
        elif op == "bye":
            io.result({})
            return 0
        else:
            io.result({"error": "unknown op " + str(op)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
