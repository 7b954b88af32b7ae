#!/usr/bin/env python3
"""Writes an ERP export for benchmarks: customers.csv, invoices.csv and
payments.csv with N customers and 10 invoices each, over the twelve months
before DATE. About 80% of invoices are paid (with a payment each, some late),
the rest open, a third of those overdue. Deterministic (seeded)."""
import csv, datetime, random, sys

def main():
    out, n, today = sys.argv[1], int(sys.argv[2]), datetime.date.fromisoformat(sys.argv[3])
    per = int(sys.argv[4]) if len(sys.argv) > 4 else 10
    rnd = random.Random(42)
    locales = ["en", "de", "fr", "es", "nl"]
    zones = ["Europe/Berlin", "Europe/London", "Europe/Paris", "Europe/Madrid", "Europe/Amsterdam"]
    owners = [f"collector{i}@example.com" for i in range(20)]
    with open(f"{out}/customers.csv", "w", newline="") as fc, \
         open(f"{out}/invoices.csv", "w", newline="") as fi, \
         open(f"{out}/payments.csv", "w", newline="") as fp:
        c, i, p = csv.writer(fc), csv.writer(fi), csv.writer(fp)
        c.writerow(["customer_id", "name", "email", "owner", "locale", "timezone"])
        i.writerow(["invoice_id", "customer_id", "issue_date", "due_date", "amount", "currency", "open_amount", "status"])
        p.writerow(["payment_id", "customer_id", "invoice_id", "date", "amount", "currency"])
        inv = 0
        for k in range(n):
            cid = f"C{k:06d}"
            loc = rnd.randrange(5)
            c.writerow([cid, f"Customer {k} {'GmbH' if loc == 1 else 'Ltd'}", f"ap@c{k}.example",
                        owners[k % len(owners)], locales[loc], zones[loc]])
            cur = "GBP" if k % 7 == 0 else "EUR"
            lateness = rnd.choice([0, 0, 2, 5, 15, 40])
            for j in range(per):
                inv += 1
                issue = today - datetime.timedelta(days=rnd.randrange(5, 365))
                due = issue + datetime.timedelta(days=30)
                amount = rnd.randrange(5000, 2000000)
                paid_on = due + datetime.timedelta(days=max(0, int(rnd.gauss(lateness, 3))))
                iid = f"INV{inv:08d}"
                amt = f"{amount // 100}.{amount % 100:02d}"
                if paid_on < today and rnd.random() < 0.85:
                    i.writerow([iid, cid, issue, due, amt, cur, amt, "open"])  # the payment below settles it
                    p.writerow([f"P{inv:08d}", cid, iid, paid_on, amt, cur])
                else:
                    i.writerow([iid, cid, issue, due, amt, cur, amt, "open"])

main()
