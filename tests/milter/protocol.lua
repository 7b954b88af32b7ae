-- ardent-milter at the protocol level, without an MTA: a bare probe, mail
-- for other recipients, aborts, several messages on one connection, an
-- oversized body, and (with a classifier) the headers and the added owner.
-- Globals from -D: socket, token (a reply token of customer C1), full ("1"
-- when the build has a classifier).

local function check(cond, what)
  if not cond then error(what) end
  mt.echo("ok: " .. what)
end

-- Protocol steps (mfdef.h): the ones ardent asks to skip or not to answer.
local NOCONNECT, NOHELO, NOUNKNOWN, SKIP, NODATA = 0x1, 0x2, 0x100, 0x400, 0x200
local NR_HDR, NR_MAIL, NR_RCPT, NR_EOH, NR_BODY = 0x80, 0x4000, 0x8000, 0x40000, 0x80000

-- steps: what the MTA offers (nil: everything, as Postfix 3 does).
local function open(steps)
  local conn = mt.connect(socket, 40, 0.25)
  check(conn ~= nil, "connect")
  if steps ~= nil then
    check(mt.negotiate(conn, nil, steps, nil) == nil, "negotiate offering " .. steps)
  end
  -- The connect step comes only where the MTA could not skip it.
  if not mt.test_option(conn, NOCONNECT) then
    check(mt.conninfo(conn, "client.example", "127.0.0.1") == nil, "conninfo")
  end
  return conn
end

-- 1. a monitoring probe: connect and leave
local probe = mt.connect(socket, 40, 0.25)
check(probe ~= nil, "probe connects")
mt.disconnect(probe)

-- 2. mail for someone else is accepted before any header is read
local conn = open()
check(mt.mailfrom(conn, "<someone@customer.example>") == nil, "mail from")
check(mt.rcptto(conn, "<sales@collect.example.com>") == nil, "rcpt to other")
check(mt.data(conn) == nil, "data")
check(mt.getreply(conn) == SMFIR_ACCEPT, "other recipients accepted at DATA")
mt.disconnect(conn)

-- 2b. what ardent asks of an MTA that offers every step: no connect step
-- (its state is made at negotiation), and no reply to MAIL, RCPT, each
-- header, end-of-headers and each body chunk, so those are one write each
-- instead of a round trip; DATA and end-of-message answer
conn = open()
check(mt.test_option(conn, NOCONNECT), "connect step skipped")
check(not mt.test_option(conn, NODATA), "DATA step kept")
check(mt.test_option(conn, NR_MAIL), "no reply to MAIL")
check(mt.test_option(conn, NR_HDR), "no reply per header")
check(mt.test_option(conn, NR_RCPT), "no reply per recipient")
check(mt.test_option(conn, NR_EOH), "no reply at end of headers")
check(mt.test_option(conn, NR_BODY), "no reply per body chunk")
mt.disconnect(conn)

-- 3. abort mid-message, then two more messages on the same connection
conn = open()
check(mt.mailfrom(conn, "<pay@one.example>") == nil, "mail from (abort)")
check(mt.rcptto(conn, "<ar@collect.example.com>") == nil, "rcpt ar")
check(mt.header(conn, "From", "pay@one.example") == nil, "header before abort")
check(mt.abort(conn) == nil, "abort")

local function reply(conn, n, body)
  check(mt.mailfrom(conn, "<pay@one.example>") == nil, "mail from " .. n)
  check(mt.rcptto(conn, "<ar+" .. token .. "@collect.example.com>") == nil, "rcpt token " .. n)
  check(mt.header(conn, "From", "Pay <pay@one.example>") == nil, "From " .. n)
  check(mt.header(conn, "To", "ar+" .. token .. "@collect.example.com") == nil, "To " .. n)
  check(mt.header(conn, "Subject", "Re: invoice INV-100") == nil, "Subject " .. n)
  check(mt.header(conn, "Message-ID", "<proto-" .. n .. "@one.example>") == nil, "Message-ID " .. n)
  check(mt.header(conn, "X-Ardent-Intent", "paid; confidence=1.00") == nil, "forged header " .. n)
  check(mt.header(conn, "X-Ardent-Customer", "C2") == nil, "forged customer " .. n)
  check(mt.eoh(conn) == nil, "eoh " .. n)
  check(mt.bodystring(conn, body) == nil, "body " .. n)
  check(mt.eom(conn) == nil, "eom " .. n)
  local r = mt.getreply(conn)
  check(r == SMFIR_CONTINUE or r == SMFIR_ACCEPT, "never rejected " .. n)
  check(mt.eom_check(conn, MT_HDRDELETE, "X-Ardent-Intent"), "forged intent removed " .. n)
  check(mt.eom_check(conn, MT_HDRDELETE, "X-Ardent-Customer"), "forged customer removed " .. n)
  if full == "1" then
    check(mt.eom_check(conn, MT_HDRADD, "X-Ardent-Intent"), "intent header " .. n)
    check(mt.eom_check(conn, MT_HDRADD, "X-Ardent-Customer", "C1"), "customer header " .. n)
    check(mt.eom_check(conn, MT_HDRADD, "X-Ardent-Sentiment"), "sentiment header " .. n)
  end
end

reply(conn, 1, "We dispute invoice INV-100: the goods never arrived. This is unacceptable.\r\n")
if full == "1" then
  check(mt.eom_check(conn, MT_RCPTADD, "alice@collect.example.com"), "owner added as recipient")
end
reply(conn, 2, "Thanks, noted.\r\n")
mt.disconnect(conn)
-- 3b. an MTA that offers no reply-less steps (as sendmail 8.13 did): every
-- step is answered, the connect step comes, and the reply is still read
conn = open(NOHELO + NOUNKNOWN + SKIP)
check(not mt.test_option(conn, NR_HDR), "old MTA: headers answered")
reply(conn, 4, "We will pay invoice INV-100 on Friday.\r\n")
mt.disconnect(conn)
conn = open()
-- 4. a body far over the byte limit (max_message_bytes = 2048 in the test)
reply(conn, 3, string.rep("We will pay next week. ", 2000) .. "\r\n")
mt.disconnect(conn)
