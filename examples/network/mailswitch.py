#!/usr/bin/env python3
"""mailswitch: a small digital-mail switch, as a municipality would run it.

Senders post letters to its own intake API; it asks the national registry
(FaR, SOAP isReachable v3) whether each recipient has a digital mailbox,
delivers to that mailbox operator's deliverSecure v3 endpoint, and otherwise
prints the letter, or holds it for manual handling when the recipient has a
protected identity. Every letter ends with a receipt to its sender. Python's
standard library only.

Its API (the vendor's own, not Wrongbox's):
  GET  /health                      200 when ready
  POST /api/v1/letters              {"organisationNumber", "reference",
                                     "personalIdentityNumber", "heading",
                                     "documents": [{"fileName", "contentBase64"}]}
                                    202 {"status": "queued"} or 400 {"error": ...}
  POST /admin/retry                 retries pending letters; {"pending": N, "idle": bool}
  POST /admin/reset                 forgets everything (test systems only)

Configuration, from the environment:
  MAILSWITCH_PORT        port to listen on (127.0.0.1)
  MAILSWITCH_FAR_URL     the registry's isReachable endpoint
  MAILSWITCH_PRINT_URL, MAILSWITCH_HOLD_URL, MAILSWITCH_RECEIPT_URL,
  MAILSWITCH_PROTECTED_URL   the print service, manual hold, receipts, and
                         the protected-identity register
  MAILSWITCH_DATA_DIR    where pending letters are kept (mode 0600 files)
  MAILSWITCH_TLS_CA, MAILSWITCH_TLS_CERT, MAILSWITCH_TLS_KEY
                         for https:// URLs: the CA to trust, and the client
                         certificate and key to present (mutual TLS)
  MAILSWITCH_SIGN_KEY, MAILSWITCH_SIGN_CERT
                         sign each SignedDelivery (XML-DSig, enveloped,
                         RSA-SHA256, exclusive c14n) with this key and
                         certificate (PEM), by piping it through the
                         xmlsec1 command; unset: deliveries go unsigned

Planted defects, for trying a red CI job (--bug NAME):
  positional-answers     registry answers are matched to recipients by
                         position, not by RecipientId
  undelivered-as-delivered   Delivered=false is taken as delivered
  shared-acceptance      one registry query for all senders' letters, and
                         the first sender's SenderAccepted applied to all
  group-by-sender        letters are grouped into deliveries by sender, and
                         the delivery is addressed to the first letter's recipient
  attachments-to-first   in a delivery of several letters, every attachment
                         goes with the first letter
  acceptance-by-position answers are matched to recipients by RecipientId,
                         but SenderAccepted is read from the answer at the
                         recipient's position in the query
  cut-answer-as-delivered  a deliverSecure answered 200 whose body is cut off
                         (the connection dropped mid-answer) counts as
                         delivered: the status is read, the body is not
"""
import base64
import hashlib
import ssl
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import urllib.parse
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BUGS = ("positional-answers", "undelivered-as-delivered", "shared-acceptance",
        "group-by-sender", "attachments-to-first", "acceptance-by-position",
        "cut-answer-as-delivered")
BUG = None

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
RCP3 = "http://minameddelanden.gov.se/schema/Recipient/v3"
RCP = "http://minameddelanden.gov.se/schema/Recipient"
SVC3 = "http://minameddelanden.gov.se/schema/Service/v3"
SVC = "http://minameddelanden.gov.se/schema/Service"
MSG3 = "http://minameddelanden.gov.se/schema/Message/v3"
MSG2 = "http://minameddelanden.gov.se/schema/Message/v2"
MSG = "http://minameddelanden.gov.se/schema/Message"
SND = "http://minameddelanden.gov.se/schema/Sender"
DS = "http://www.w3.org/2000/09/xmldsig#"


class Unavailable(Exception):
    pass


def log(text):
    print(text, flush=True)


def valid_person_number(s):
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


class Http:
    """Keep-alive connections, one per host, for this thread."""

    def __init__(self, tls=None):
        self.local = threading.local()
        self.tls = tls  # an ssl.SSLContext for https:// URLs, or None

    def post(self, url, body, content_type, status_only=False):
        u = urllib.parse.urlsplit(url)
        conns = self.local.__dict__.setdefault("conns", {})
        for attempt in range(2):
            conn = conns.get(u.netloc)
            if conn is None:
                if u.scheme == "https":
                    conn = http.client.HTTPSConnection(u.netloc, timeout=10, context=self.tls)
                else:
                    conn = http.client.HTTPConnection(u.netloc, timeout=10)
                conns[u.netloc] = conn
                conn.connect()
                conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                headers = {"Content-Type": content_type}
                if content_type.startswith("text/xml"):
                    headers["SOAPAction"] = '""'
                conn.request("POST", u.path or "/", body=body.encode(), headers=headers)
                r = conn.getresponse()
                if status_only and r.status == 200:
                    try:
                        return r.status, r.read()
                    except (http.client.HTTPException, OSError):
                        conn.close()
                        conns.pop(u.netloc, None)
                        return r.status, b""  # the status said 200
                data = r.read()
                return r.status, data
            except (http.client.HTTPException, OSError):
                conn.close()
                conns.pop(u.netloc, None)
                if attempt == 1:
                    raise Unavailable(url)
        raise Unavailable(url)


def el(parent, ns, name, text=None):
    e = ET.SubElement(parent, "{%s}%s" % (ns, name))
    if text is not None:
        e.text = text
    return e


def envelope(payload_builder):
    env = ET.Element("{%s}Envelope" % SOAP)
    body = el(env, SOAP, "Body")
    payload_builder(body)
    return '<?xml version="1.0" encoding="UTF-8"?>' + ET.tostring(env, encoding="unicode")


class Switch:
    def __init__(self, config):
        self.config = config
        self.http = Http(config.get("tls"))
        self.lock = threading.Lock()
        self.data_dir = config["data_dir"]
        self.pending = []
        self.seen = set()
        self.load()

    # ---- durable state ----
    def path(self):
        return os.path.join(self.data_dir, "pending.json") if self.data_dir else None

    def load(self):
        p = self.path()
        if p and os.path.exists(p):
            with open(p) as f:
                state = json.load(f)
            self.pending = state["pending"]
            self.seen = {tuple(k) for k in state["seen"]}

    def save(self):
        p = self.path()
        if not p:
            return
        tmp = p + ".new"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump({"pending": self.pending, "seen": sorted(self.seen)}, f)
        os.replace(tmp, p)

    def reset(self):
        self.pending = []
        self.seen = set()
        self.save()

    # ---- intake ----
    def take(self, letter):
        org, ref = letter.get("organisationNumber", ""), letter.get("reference", "")
        pin = letter.get("personalIdentityNumber", "")
        if not valid_person_number(pin):
            return 400, {"error": "invalid personal identity number"}
        if not letter.get("documents"):
            return 400, {"error": "a letter needs at least one document"}
        if (org, ref) in self.seen:
            return 409, {"error": "duplicate reference"}
        self.seen.add((org, ref))
        self.pending.append(letter)
        self.save()
        log("accepted %s/%s" % (org, ref))
        self.work()
        return 202, {"status": "queued"}

    # ---- the registry ----
    def reachability(self, sender, pins):
        def build(body):
            q = el(body, RCP3, "isReachable")
            el(q, RCP3, "senderOrgNr", sender)
            for p in pins:
                el(q, RCP3, "recipientId", p)
        status, data = self.http.post(self.config["far"], envelope(build), "text/xml; charset=utf-8")
        if status != 200:
            raise Unavailable("FaR answered %d" % status)
        root = ET.fromstring(data)
        answers = {}
        returns = root.iter("{%s}return" % RCP3)
        for i, ret in enumerate(returns):
            acc = ret.find("{%s}AccountStatus" % RCP)
            rid = acc.findtext("{%s}RecipientId" % RCP)
            if BUG == "positional-answers":
                rid = pins[i] if i < len(pins) else rid
            supplier = acc.find("{%s}ServiceSupplier" % RCP)
            answers[rid] = {
                "secure": acc.findtext("{%s}Type" % RCP) == "Secure"
                and acc.findtext("{%s}Pending" % RCP) == "false" and supplier is not None,
                "address": supplier.findtext("{%s}ServiceAdress" % RCP) if supplier is not None else None,
                "accepted": ret.findtext("{%s}SenderAccepted" % RCP) == "true",
            }
        if BUG == "acceptance-by-position":
            rets = list(root.iter("{%s}return" % RCP3))
            for i, p in enumerate(pins):
                if p in answers and i < len(rets):
                    answers[p]["accepted"] = rets[i].findtext("{%s}SenderAccepted" % RCP) == "true"
        return answers

    def is_protected(self, pin):
        status, data = self.http.post(self.config["protected"], json.dumps({"person": pin}),
                                      "application/json")
        if status != 200:
            raise Unavailable("protected register answered %d" % status)
        return json.loads(data)["protected"]

    # ---- the mailbox operators ----
    def deliver(self, address, recipient, letters):
        signed = ET.Element("{%s}SignedDelivery" % MSG3)
        delivery = el(signed, MSG3, "Delivery")
        self.build_delivery(delivery, recipient, letters)
        signed_xml = self.sign(signed)

        def build(body):
            outer = el(body, SVC3, "deliverSecure")
            sealed = el(outer, SVC3, "deliverSecure")
            el(sealed, MSG3, "SignedDelivery", "@SIGNED-DELIVERY@")
            seal = el(sealed, MSG3, "Seal")
            el(seal, MSG, "ReceivedTime", "2026-12-06+01:00")
            el(seal, MSG, "SignaturesOK", "true")
        # The signed bytes go in verbatim: serialising them again could change
        # namespace prefixes, and with them what was signed.
        text = re.sub(r"<(\w+):SignedDelivery>@SIGNED-DELIVERY@</\1:SignedDelivery>",
                      lambda _: signed_xml, envelope(build), count=1)
        status, data = self.http.post(address, text, "text/xml; charset=utf-8",
                                      status_only=BUG == "cut-answer-as-delivered")
        if status != 200:
            raise Unavailable("operator answered %d" % status)
        if BUG == "cut-answer-as-delivered" and not data:
            return True
        root = ET.fromstring(data)
        delivered = root.findtext(".//{%s}Delivered" % SVC) == "true"
        return delivered or BUG == "undelivered-as-delivered"

    def sign(self, signed):
        """The SignedDelivery as XML text, signed when a key is configured."""
        key, cert = self.config.get("sign_key"), self.config.get("sign_cert")
        if not key:
            return ET.tostring(signed, encoding="unicode")
        sig = el(signed, DS, "Signature")
        info = el(sig, DS, "SignedInfo")
        el(info, DS, "CanonicalizationMethod").set("Algorithm", "http://www.w3.org/2001/10/xml-exc-c14n#")
        el(info, DS, "SignatureMethod").set("Algorithm", "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
        ref = el(info, DS, "Reference")
        ref.set("URI", "")
        el(el(ref, DS, "Transforms"), DS, "Transform").set(
            "Algorithm", "http://www.w3.org/2000/09/xmldsig#enveloped-signature")
        el(ref, DS, "DigestMethod").set("Algorithm", "http://www.w3.org/2001/04/xmlenc#sha256")
        el(ref, DS, "DigestValue")
        el(sig, DS, "SignatureValue")
        el(el(sig, DS, "KeyInfo"), DS, "X509Data")
        # Through pipes, not files: nothing of the letter rests on disk.
        out = subprocess.run(["xmlsec1", "--sign", "--privkey-pem", key + "," + cert, "-"],
                             input=ET.tostring(signed, encoding="utf-8"), capture_output=True)
        if out.returncode != 0:
            raise Unavailable("xmlsec1 --sign failed: %s" % out.stderr.decode("utf-8", "replace")[:200])
        return re.sub(r"^<\?xml[^>]*\?>\s*", "", out.stdout.decode("utf-8"))

    def build_delivery(self, delivery, recipient, letters):
        header = el(delivery, MSG3, "Header")
        sender = el(header, MSG2, "Sender")
        el(sender, SND, "Id", letters[0]["organisationNumber"])
        el(sender, SND, "Name", "Organisation " + letters[0]["organisationNumber"])
        el(header, MSG2, "Recipient", recipient)
        attachments = [d for l in letters for d in l["documents"][1:]]
        for k, l in enumerate(letters):
            m = el(delivery, MSG3, "Message")
            mh = el(m, MSG3, "Header")
            el(mh, MSG3, "Id", l["reference"])
            el(mh, MSG3, "Subject", l["heading"])
            si = el(mh, MSG3, "Supportinfo")
            el(si, MSG3, "Text", "Questions: call the sender.")
            el(mh, MSG3, "Language", "svSE")
            b = el(m, MSG3, "Body")
            el(b, MSG, "ContentType", "text/plain")
            el(b, MSG, "Body", l["documents"][0]["contentBase64"])
            if BUG == "attachments-to-first":
                mine = attachments if k == 0 else []
            else:
                mine = l["documents"][1:]
            for d in mine:
                a = el(m, MSG3, "Attachment")
                el(a, MSG, "ContentType", "application/pdf")
                el(a, MSG, "Body", d["contentBase64"])
                raw = base64.b64decode(d["contentBase64"])
                el(a, MSG, "Checksum", hashlib.md5(raw).hexdigest().upper())
                el(a, MSG, "Filename", d["fileName"])

    # ---- the other actors ----
    def message_json(self, l):
        return {"sender": l["organisationNumber"], "id": l["reference"],
                "subject": l["personalIdentityNumber"], "title": l["heading"],
                "parts": [{"name": d["fileName"],
                           "data": base64.b64decode(d["contentBase64"]).decode("utf-8", "replace")}
                          for d in l["documents"]]}

    def receipt(self, l, status):
        self.http.post(self.config["receipt"], json.dumps(
            {"sender": l["organisationNumber"], "id": l["reference"], "status": status}),
            "application/json")

    def paper(self, l):
        pin = l["personalIdentityNumber"]
        if self.is_protected(pin):
            self.http.post(self.config["hold"], json.dumps(
                {"message": self.message_json(l), "reason": "protected identity"}), "application/json")
            log("held %s/%s" % (l["organisationNumber"], l["reference"]))
            self.receipt(l, "held")
        else:
            self.http.post(self.config["print"], json.dumps(
                {"person": pin, "message": self.message_json(l)}), "application/json")
            log("printed %s/%s" % (l["organisationNumber"], l["reference"]))
            self.receipt(l, "printed")

    # ---- routing ----
    def work(self):
        """Routes every pending letter; what fails for an outage stays pending."""
        done = []
        for _ in range(2):  # a second round for letters whose account moved
            todo = [l for l in self.pending if id(l) not in map(id, done)]
            if not todo:
                break
            retry = self.route(todo, done)
            if not retry:
                break
        self.pending = [l for l in self.pending if not any(l is d for d in done)]
        self.save()

    def route(self, todo, done):
        by_sender = {}
        for l in todo:
            by_sender.setdefault(l["organisationNumber"], []).append(l)
        if BUG == "shared-acceptance":
            first = todo[0]["organisationNumber"]
            by_sender = {first: todo}
        moved = False
        for sender, letters in by_sender.items():
            pins = sorted({l["personalIdentityNumber"] for l in letters})
            try:
                answers = self.reachability(sender, pins)
            except Unavailable:
                continue
            groups = {}
            for l in letters:
                a = answers.get(l["personalIdentityNumber"])
                if a and a["secure"] and a["accepted"] and a["address"]:
                    if BUG == "group-by-sender":
                        key = (a["address"], l["organisationNumber"])
                    else:
                        key = (a["address"], l["personalIdentityNumber"])
                    groups.setdefault(key, []).append(l)
                else:
                    try:
                        self.paper(l)
                        done.append(l)
                    except Unavailable:
                        pass
            for (address, _), group in groups.items():
                by_org = {}
                for l in group:
                    by_org.setdefault(l["organisationNumber"], []).append(l)
                for org_letters in by_org.values():
                    recipient = org_letters[0]["personalIdentityNumber"]
                    try:
                        ok = self.deliver(address, recipient, org_letters)
                    except Unavailable:
                        continue
                    if ok:
                        for l in org_letters:
                            log("delivered %s/%s" % (l["organisationNumber"], l["reference"]))
                            self.receipt(l, "delivered")
                            done.append(l)
                    else:
                        moved = True
        return moved


def make_handler(switch):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def setup(self):
            super().setup()
            # Answers go out whole, without waiting for the last one's ACK.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def answer(self, status, obj):
            data = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/health":
                self.answer(200, {"status": "up"})
            else:
                self.answer(404, {"error": "not found"})

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length) if length else b""
            with switch.lock:
                if self.path == "/api/v1/letters":
                    try:
                        letter = json.loads(body)
                    except ValueError:
                        return self.answer(400, {"error": "not JSON"})
                    status, obj = switch.take(letter)
                    return self.answer(status, obj)
                if self.path == "/admin/retry":
                    switch.work()
                    return self.answer(200, {"pending": len(switch.pending), "idle": not switch.pending})
                if self.path == "/admin/reset":
                    switch.reset()
                    return self.answer(200, {"status": "reset"})
            self.answer(404, {"error": "not found"})

    return Handler


def main():
    global BUG
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "--bug" and args[1] in BUGS:
        BUG = args[1]
    elif args:
        sys.stderr.write("usage: mailswitch.py [--bug %s]\n" % "|".join(BUGS))
        return 2
    env = os.environ
    try:
        config = {"far": env["MAILSWITCH_FAR_URL"], "print": env["MAILSWITCH_PRINT_URL"],
                  "hold": env["MAILSWITCH_HOLD_URL"], "receipt": env["MAILSWITCH_RECEIPT_URL"],
                  "protected": env["MAILSWITCH_PROTECTED_URL"],
                  "data_dir": env.get("MAILSWITCH_DATA_DIR", ""), "tls": None,
                  "sign_key": env.get("MAILSWITCH_SIGN_KEY", ""),
                  "sign_cert": env.get("MAILSWITCH_SIGN_CERT", "")}
        if env.get("MAILSWITCH_TLS_CA"):
            tls = ssl.create_default_context(cafile=env["MAILSWITCH_TLS_CA"])
            if env.get("MAILSWITCH_TLS_CERT"):
                tls.load_cert_chain(env["MAILSWITCH_TLS_CERT"], env.get("MAILSWITCH_TLS_KEY"))
            config["tls"] = tls
        port = int(env["MAILSWITCH_PORT"])
    except (KeyError, ValueError, OSError, ssl.SSLError) as e:
        sys.stderr.write("mailswitch: configuration missing or wrong: %s\n" % e)
        return 2
    switch = Switch(config)
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(switch))
    log("mailswitch listening on 127.0.0.1:%d%s" % (port, " (bug: %s)" % BUG if BUG else ""))
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
