#!/usr/bin/env python3
"""Plays six simulated weeks of ardent for `make demo`: each business day the
ERP's payments are imported, the agent runs into a Maildir, and scripted
customer replies answer the agent's real messages (so they carry its reply
tokens) through the milter attached to a private Postfix, or through
`ardentctl ingest` when no Postfix could be started. Prints a timeline.

It only ever writes below the demo folder it is given."""
import argparse
import csv
import datetime
import email
import email.policy
import email.utils
import glob
import json
import os
import smtplib
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
RECEIVABLES = "ar@supplier.example"


def day(s):
    return datetime.date.fromisoformat(s)


def short(d):
    return d.strftime("%b %d")


def money(text, cur):
    v = "{:,.2f}".format(float(text)) if cur not in ("JPY",) else "{:,}".format(int(float(text)))
    return "%s %s" % (v, cur)


class Demo:
    def __init__(self, a):
        self.a = a
        self.ctl = [os.path.join(a.build, "ardentctl"), "-c", a.conf]
        self.agent = [os.path.join(a.build, "ardent-agent"), "-c", a.conf]
        self.customers = {}
        with open(os.path.join(TOP, "contrib/sample/customers.csv"), encoding="utf-8") as f:
            for r in csv.DictReader(f):
                self.customers[r["customer_id"]] = r
        self.invoices = {}
        with open(os.path.join(TOP, "contrib/sample/invoices.csv"), encoding="utf-8") as f:
            for r in csv.DictReader(f):
                self.invoices[r["invoice_id"]] = r
        self.replies = []
        with open(os.path.join(HERE, "replies.tsv"), encoding="utf-8") as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                d, cust, lang, text = line.rstrip("\n").split("\t", 3)
                self.replies.append((day(d), cust, lang, text.replace("\\n", "\n")))
        self.last_msgid = {}   # customer -> Message-ID of ardent's latest message
        self.sent = 0
        self.replied = 0
        self.milter = None
        self.milter_day = None
        self.default_owner = a.default_owner

    def run(self, cmd, d):
        r = subprocess.run(cmd + ["--date", d.isoformat()], capture_output=True, text=True)
        if r.returncode != 0:
            sys.stderr.write("demo: %s failed (exit %d):\n%s" % (" ".join(cmd), r.returncode, r.stderr))
            sys.exit(1)
        return r.stdout

    def name(self, cust):
        return self.customers[cust]["name"] if cust in self.customers else cust

    def say(self, d, what):
        print("%s  %s" % (short(d), what), flush=True)

    # --- the ERP side ---
    def import_payments(self, d):
        rows = []
        with open(os.path.join(TOP, "contrib/sample/payments.csv"), encoding="utf-8") as f:
            rows += list(csv.DictReader(f))
        new = []
        with open(os.path.join(HERE, "payments.csv"), encoding="utf-8") as f:
            for r in csv.DictReader(f):
                if day(r["date"]) <= d:
                    rows.append(r)
                    if day(r["date"]) > d - datetime.timedelta(days=3) and r["payment_id"] not in self.seen_payments:
                        new.append(r)
        path = os.path.join(self.a.demo, "erp-payments.csv")
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=["payment_id", "customer_id", "invoice_id", "date",
                                              "amount", "currency"], lineterminator="\n")
            w.writeheader()
            for r in rows:
                w.writerow({k: r.get(k, "") for k in w.fieldnames})
        self.run(self.ctl + ["import", "payments", path], d)
        for r in new:
            self.seen_payments.add(r["payment_id"])
            self.say(d, "%-28.28s payment received, %s" % (self.name(r["customer_id"]),
                                                           money(r["amount"], r["currency"])))

    # --- the agent ---
    def agent_run(self, d):
        out = self.run(self.agent + ["run", "--maildir", os.path.join(self.a.demo, "outbox")], d)
        for line in out.splitlines():
            p = json.loads(line)
            cust = p["customer"]
            if p.get("message_id"):
                self.last_msgid[cust] = p["message_id"]
            if p["action"] == "send":
                self.sent += 1
                lead = p.get("lead_invoice")
                inv = self.invoices.get(lead, {})
                amount = money(inv["open_amount"], inv["currency"]) if inv else ""
                why = ""
                if "promise" in p["reason"]:
                    why = " (%s)" % p["reason"].split(", ")[-1]
                self.say(d, "%-28.28s %s (%s), lead %s %s%s" % (self.name(cust), p["stage"],
                         self.customers.get(cust, {}).get("locale", "en"), lead, amount, why))
            elif p["action"] == "escalate":
                owner = p.get("owner") or self.default_owner
                self.say(d, "%-28.28s escalated to %s: %s" % (self.name(cust),
                         owner.split("@")[0] + "@", p["reason"].split(": ", 1)[-1]))

    # --- the customers ---
    def find_message(self, msgid):
        for path in glob.glob(os.path.join(self.a.demo, "outbox", "new", "*")):
            with open(path, "rb") as f:
                m = email.message_from_binary_file(f, policy=email.policy.default)
            if m["Message-Id"] and m["Message-Id"].strip("<> ") == msgid:
                return m
        return None

    def compose(self, d, cust, text):
        if cust == "-":
            sender, text = text.split("|", 1)
            to, subject, irt, refs, quoted = RECEIVABLES, "Invoice query", None, None, ""
        else:
            msgid = self.last_msgid.get(cust)
            orig = self.find_message(msgid) if msgid else None
            if orig is None:
                return None
            sender = self.customers[cust]["email"].split(";")[0]
            to = email.utils.parseaddr(orig["Reply-To"] or orig["From"])[1]
            subject = "Re: " + orig["Subject"]
            irt = orig["Message-Id"]
            refs = ((orig["References"] or "") + " " + irt).strip()
            body = orig.get_body(preferencelist=("plain",)).get_content()
            quoted = "\n\nOn %s, Accounts Receivable <%s> wrote:\n" % (orig["Date"], RECEIVABLES)
            quoted += "\n".join("> " + l for l in body.splitlines()[:12])
        m = email.message.EmailMessage()
        m["From"] = sender
        m["To"] = to
        m["Subject"] = subject
        m["Date"] = email.utils.format_datetime(datetime.datetime(d.year, d.month, d.day, 10, 15,
                                                tzinfo=datetime.timezone(datetime.timedelta(hours=1))))
        self.replied += 1
        m["Message-ID"] = "<demo-%d-%s@%s>" % (self.replied, d.isoformat(), sender.split("@")[1])
        if irt:
            m["In-Reply-To"] = irt
            m["References"] = refs
        m.set_content(text + quoted + "\n")
        return sender, to, m

    def deliver(self, d, sender, to, m):
        """Returns (intent, confidence, sentiment, actions) as ardent saw it."""
        if self.a.smtp:
            box = os.path.join(self.a.maildir, "new")
            before = set(os.listdir(box)) if os.path.isdir(box) else set()
            with smtplib.SMTP("127.0.0.1", self.a.smtp, timeout=30) as s:
                s.sendmail(sender, [to], m.as_bytes())
            for _ in range(300):
                now = set(os.listdir(box)) if os.path.isdir(box) else set()
                if now - before:
                    break
                time.sleep(0.05)
            else:
                return ("(not delivered)", 0, "?", [])
            path = os.path.join(box, sorted(now - before)[0])
            with open(path, "rb") as f:
                got = email.message_from_binary_file(f, policy=email.policy.default)
            intent = (got["X-Ardent-Intent"] or "?;").split(";")
            conf = intent[1].split("=")[1] if len(intent) > 1 and "=" in intent[1] else "?"
            actions = " ".join((got["X-Ardent-Actions"] or "").split()).split(", ")
            return (intent[0].strip(), conf, (got["X-Ardent-Sentiment"] or "").strip(),
                    [x for x in actions if x])
        path = os.path.join(self.a.demo, "replies", "%d.eml" % self.replied)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(m.as_bytes())
        out = json.loads(self.run(self.ctl + ["ingest", path], d).splitlines()[0])
        return (out["intent"], "%.2f" % out["intent_confidence"], out["sentiment"],
                out["actions"])

    def milter_for(self, d):
        """The milter applies replies as of the day it is told (--date), so
        it is started afresh for each simulated day that has replies."""
        if not self.a.milter or self.milter_day == d:
            return
        self.stop_milter()
        log = open(os.path.join(self.a.demo, "milter.log"), "a")
        self.milter = subprocess.Popen(self.a.milter.split() + ["--date", d.isoformat()],
                                       stdout=log, stderr=log)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.a.milter_port), timeout=1).close()
                break
            except OSError:
                if self.milter.poll() is not None:
                    sys.exit("demo: ardent-milter stopped; see %s/milter.log" % self.a.demo)
                time.sleep(0.05)
        self.milter_day = d

    def stop_milter(self):
        if self.milter:
            self.milter.terminate()
            self.milter.wait(timeout=30)
            self.milter = None

    def answer(self, d):
        for rd, cust, lang, text in self.replies:
            if rd != d:
                continue
            self.milter_for(d)
            c = self.compose(d, cust, text)
            if c is None:
                self.say(d, "%-28.28s (no ardent message to answer yet)" % self.name(cust))
                continue
            intent, conf, sentiment, actions = self.deliver(d, *c)
            self.say(d, "%-28.28s reply: %s %s%s -> %s" % (
                self.name(cust) if cust != "-" else c[0], intent, conf,
                " (negative)" if sentiment == "negative" else "", describe(actions)))

    def play(self):
        try:
            self.play_days()
        finally:
            self.stop_milter()

    def play_days(self):
        start = day(self.a.start)
        self.seen_payments = set()
        for n in range(self.a.weeks * 7):
            d = start + datetime.timedelta(days=n)
            if d.weekday() >= 5:
                continue
            self.import_payments(d)
            self.agent_run(d)
            self.answer(d)
            if d.weekday() == 4:
                out = self.run(self.agent + ["digest", "--maildir",
                                             os.path.join(self.a.demo, "collectors")], d)
                k = len([l for l in out.splitlines() if l.strip()])
                self.say(d, "%-28.28s %d collector digest%s mailed" % ("(Friday)", k, "" if k == 1 else "s"))
        self.end = d


def describe(actions):
    words = []
    for a in actions:
        kind, _, rest = a.partition(":")
        if kind in ("escalation", "task", "review"):
            who = rest.split("@")[0] + "@" if "@" in rest else rest
            words.append({"escalation": "escalated to %s", "task": "task for %s",
                          "review": "review item for %s"}[kind] % who)
        elif kind == "hold":
            words.append("dunning paused until %s" % rest)
        elif kind == "dispute":
            words.append("dispute opened on %s" % rest)
        elif kind == "promise":
            words.append("promise to pay %s recorded" % rest)
        elif kind == "route":
            words.append("copy routed to the collector")
        elif kind == "contact":
            words.append("contact %s marked %s" % tuple(rest.rsplit(":", 1)))
        elif kind == "answered":
            words.append("unanswered count reset")
        else:
            words.append(a)
    return ", ".join(words) if words else "no change"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--demo", required=True, help="the demo folder")
    ap.add_argument("--conf", required=True)
    ap.add_argument("--smtp", type=int, default=0, help="Postfix's port; 0 = use ardentctl ingest")
    ap.add_argument("--maildir", help="the receivables Maildir Postfix delivers to")
    ap.add_argument("--milter", help="the ardent-milter command line (run with --date per day)")
    ap.add_argument("--milter-port", type=int, default=0)
    ap.add_argument("--default-owner", default="carla@collect.example.com")
    ap.add_argument("--start", default="2026-03-02")
    ap.add_argument("--weeks", type=int, default=6)
    a = ap.parse_args()
    demo = Demo(a)
    demo.play()
    print()
    print("%d automated messages, %d customer replies, six weeks ending %s." % (
        demo.sent, demo.replied, demo.end.isoformat()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
