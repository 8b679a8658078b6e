#!/usr/bin/env python3
"""Write the seed corpus of every fuzz target into fuzz/corpus/<target>/.

Sources:
- the module side of the vendor note's chapter 3 exchanges (the same bytes
  as tests/note_chapter3.rs);
- the hostile payloads of src/digest/tests.rs, read back by AT+QSSLRECV and
  pushed in +QSSLURC "recv" URCs;
- transcripts recorded from the simulator (fuzz/transcripts/*.bin: every
  byte the simulated module sent in four whole sessions);
- for state_machine, the event sequences of whole sessions as the engine
  drives SessionState (open, data, close, transparent round trips, PDP
  loss, reboot, the start-up sweep);
- for engine, small programs: a session per access mode, pushes before an
  answer, peer close, PDP loss, reboot, a slow line, small buffers, and
  each kind of line fault.

Input layouts are those of fuzz/src/checks (see fuzz/README.md). Run from
anywhere: `python3 fuzz/seeds.py`. The output is deterministic.
"""

import pathlib

FUZZ = pathlib.Path(__file__).resolve().parent
CORPUS = FUZZ / "corpus"

# digest_stream header, byte 0: Expect in the low nibble
IDLE, RESPONSE, TRANSPARENT, UPLOAD, UPLOAD_ACK = 0, 1, 2, 3, 4
REARM, TELL = 0x80, 0x40
# byte 3: atat buffer 64, 256, 1024 or 2048 bytes
CAP_64, CAP_256, CAP_1024, CAP_2048 = 0, 1, 2, 3

# response_parsers, byte 0: the command (see COMMANDS in checks/response.rs)
SSLVERSION, CIPHERSUITE, CACERT, NEGOTIATETIME, SNI, PSK, ALPN = 0, 1, 2, 8, 9, 13, 17
SECLEVEL, IGNOREINVALIDCERTSIGN, CLOSETIMEMODE, DTLSVERSION, SESSION_CACHE = 6, 12, 10, 15, 16
CACERTEX_LIST, TEST_SSLCFG, LIST_STATES, GET_STATE, READ, LAST_ERROR = 19, 20, 21, 22, 23, 24
TEST_OPEN, TEST_SEND, TEST_RECV, TEST_CLOSE, TEST_STATE, TEST_ERROR = 25, 26, 27, 28, 29, 30
PDP_LIST, DNS, FILES, FILE_DATA, CLOCK, SEND, OPEN_TRANSPARENT, OPEN_BUFFER, AT = (
    31, 32, 33, 34, 35, 36, 37, 38, 39)

OK = b"\r\nOK\r\n"
DATA = b"Test data from SSL"
STATE_4 = b'+QSSLSTATE: 4,"SSLClient","220.180.239.212",8010,65344,2,1,4,0,"usbmodem",1'

# The module side of chapter 3, one exchange per entry: (Expect, bytes).
NOTE = [
    (RESPONSE, b"ATE0\r" + OK),
    (RESPONSE, OK),
    (RESPONSE, b'\r\n+QIACT: 1,1,1,"10.7.157.1"\r\n' + OK),
    (RESPONSE, b"\r\n+QSSLOPEN: 4,0\r\n"),
    (RESPONSE, b"\r\n" + STATE_4 + b"\r\n" + OK),
    (RESPONSE, b"\r\n> "),
    (RESPONSE, b"\r\nSEND OK\r\n"),
    (IDLE, b'\r\n+QSSLURC: "recv",4\r\n'),
    (RESPONSE, b"\r\n+QSSLRECV: 18\r\n" + DATA + b"\r\n" + OK),
    (RESPONSE, b"\r\n+QSSLRECV: 0\r\n" + OK),
    (RESPONSE, b'\r\n+QSSLURC: "recv",4\r\n\r\n+QSSLRECV: 2\r\nhi\r\n' + OK),
    (IDLE, b'\r\n+QSSLURC: "recv",4,18\r\n' + DATA + b"\r\n"),
    (RESPONSE, b'\r\n+QSSLURC: "recv",4,18\r\n' + DATA + b"\r\n\r\n> "),
    (TRANSPARENT, b"\r\nCONNECT\r\n" + DATA + b"\r\nOK\r\n"),
    (IDLE, b"\r\nNO CARRIER\r\n"),
]

HOSTILE = [
    b"\r\nOK\r\n",
    b"\r\nERROR\r\n",
    b">",
    b"> ",
    b"<html>\r\n<body>a > b</body></html>\r\n",
    b'+QSSLURC: "closed",0\r\n',
    b'\r\n+QSSLURC: "recv",1,5\r\nabcde',
    b"\r\n+QSSLRECV: 5\r\nabcde\r\n\r\nOK\r\n",
    b"\x00\x00\x00",
    b"\x1a\x1b",
    b"ends in whitespace \t \r\n",
    b"\r\n",
    b"AT+QSSLRECV=1,10\r",
    b"x",
    bytes(range(256)),
    bytes((i * 31 % 251) for i in range(1500)),
]


def recv_answer(payload):
    return b"\r\n+QSSLRECV: %d\r\n" % len(payload) + payload + b"\r\n" + OK


def push(client, payload):
    return b'\r\n+QSSLURC: "recv",%d,%d\r\n' % (client, len(payload)) + payload + b"\r\n"


def transcripts():
    return sorted((FUZZ / "transcripts").glob("*.bin"))


# What this script wrote last time, per target: it removes only those
# files before writing again. The corpus also holds the inputs of fixed
# findings (fuzz/README.md, "What the targets found"), committed beside the
# generated seeds and replayed by the tests: they are never removed here.
MANIFEST = CORPUS / "generated.txt"


def write(target, name, data):
    path = CORPUS / target / name
    path.write_bytes(data)
    WRITTEN.setdefault(target, []).append(name)


WRITTEN = {}


def digest_stream():
    # Header bytes 1 and 2: the framer's and the digester's chunking (0 as
    # much as fits, 1 bytewise, n random sizes 1..=n); each face is also run
    # on the whole stream and must agree with itself.
    for i, (expect, stream) in enumerate(NOTE):
        write("digest_stream", f"note-{i:02}", bytes([expect | TELL, 1, 1, CAP_256]) + stream)
        write("digest_stream", f"note-{i:02}-chunked", bytes([expect | REARM, 7, 61, CAP_64]) + stream)
    whole = b"".join(stream for _, stream in NOTE)
    write("digest_stream", "note-all", bytes([RESPONSE | REARM | TELL, 3, 200, CAP_1024]) + whole)
    for i, payload in enumerate(HOSTILE):
        seeds = (1, 13) if i % 2 else (5, 64)
        write("digest_stream", f"hostile-recv-{i:02}",
              bytes([RESPONSE | REARM, seeds[0], seeds[1], CAP_2048]) + recv_answer(payload))
        write("digest_stream", f"hostile-push-{i:02}",
              bytes([IDLE, seeds[1], seeds[0], CAP_2048]) + push(3, payload))
    for path in transcripts():
        stream = path.read_bytes()
        expect = TRANSPARENT if "transparent" in path.stem else RESPONSE
        write("digest_stream", path.stem, bytes([expect | REARM, 9, 33, CAP_2048]) + stream)
        write("digest_stream", path.stem + "-small", bytes([expect | REARM | TELL, 1, 33, CAP_256]) + stream)


def urc_parse():
    lines = [
        b"+QSSLOPEN: 4,0",
        b"+QSSLOPEN: 11,566",
        b'+QSSLURC: "recv",4',
        b'+QSSLURC: "closed",0',
        b'+QIURC: "pdpdeact",1',
        b"RDY",
        b"+CFUN: 1",
        b"+CPIN: READY",
        b"+QUSIM: 1",
        b"+QIND: SMS DONE",
        b"POWERED DOWN",
        b"NORMAL POWER DOWN",
        b"NO CARRIER",
        b'+QSSLURC: "recv",4,18\r\n' + DATA,
        b'+QSSLURC: "recv",2,8\r\n\r\nOK\r\n\x00\x1a',
        b'+QSSLURC: "recv",1,1500\r\n' + HOSTILE[-1],
    ]
    for i, line in enumerate(lines):
        write("urc_parse", f"urc-{i:02}", b"\x00" + line)
    mutations = [
        (1, b'"recv",4,18\r\n' + DATA),
        (1, b'"closed",3'),
        (2, b"4,18\r\n" + DATA),
        (2, b"11"),
        (2, b"0,1\r\n\x1a"),
        (3, b"7"),
        (4, b"4,0"),
        (4, b"(1-16),(0-5)"),
        (5, b"16"),
    ]
    for i, (mode, rest) in enumerate(mutations):
        write("urc_parse", f"mutation-{i:02}", bytes([mode]) + rest)
    for i, payload in enumerate(HOSTILE):
        write("urc_parse", f"hostile-push-{i:02}", b"\x00" + push(5, payload)[2:])


def response_parsers():
    answers = [
        (SSLVERSION, 1, b'\r\n+QSSLCFG: "sslversion",1,4\r\n' + OK),
        (CIPHERSUITE, 1, b'\r\n+QSSLCFG: "ciphersuite",1,0XC02F\r\n' + OK),
        (CIPHERSUITE, 1, b'\r\n+QSSLCFG: "ciphersuite",1,"0X0035"\r\n' + OK),
        (CACERT, 1, b'\r\n+QSSLCFG: "cacert",1,"RAM:cacert.pem"\r\n' + OK),
        (SECLEVEL, 1, b'\r\n+QSSLCFG: "seclevel",1,1\r\n' + OK),
        (NEGOTIATETIME, 1, b'\r\n+QSSLCFG: "negotiatetime",1,300\r\n' + OK),
        (SNI, 1, b'\r\n+QSSLCFG: "sni",1,1\r\n' + OK),
        (PSK, 1, b'\r\n+QSSLCFG: "psk",1,"",""\r\n' + OK),
        (PSK, 2, b'\r\n+QSSLCFG: "psk",2,"client1","0123456789abcdef"\r\n' + OK),
        (ALPN, 1, b'\r\n+QSSLCFG: "alpn",1,"h2"\r\n' + OK),
        (IGNOREINVALIDCERTSIGN, 1, b'\r\n+QSSLCFG: "ignoremulticertchainverify",1,0\r\n' + OK),
        (CLOSETIMEMODE, 1, b'\r\n+QSSLCFG: "closetimemode",1,0\r\n' + OK),
        (DTLSVERSION, 1, b'\r\n+QSSLCFG: "dtlsversion",1,0\r\n' + OK),
        (SESSION_CACHE, 1, b'\r\n+QSSLCFG: "session_cache",1,0\r\n' + OK),
        (SSLVERSION, 1, b"\r\n+CME ERROR: 552\r\n"),
        (CACERTEX_LIST, 0, b"".join(b'\r\n+QSSLCFG: "cacertex",%d,""' % i for i in range(6)) + b"\r\n" + OK),
        (TEST_SSLCFG, 0, b'\r\n+QSSLCFG: "sslversion",(0-5),(0-4)\r\n+QSSLCFG: "ciphersuite",(0-5),(0X0035,0X002F,0XFFFF)\r\n+QSSLCFG: "cacert",(0-5),<cacertpath>\r\n+QSSLCFG: "future",(0-5)\r\n' + OK),
        (LIST_STATES, 0, b"\r\n" + STATE_4 + b"\r\n" + OK),
        (LIST_STATES, 0, b"\r\n" + STATE_4 + b'\r\n+QSSLURC: "closed",5\r\n' + STATE_4 + b"\r\n" + OK),
        (LIST_STATES, 0, OK),
        (GET_STATE, 4, b"\r\n" + STATE_4 + b"\r\n" + OK),
        (READ, 4, b"\r\n+QSSLRECV: 18\r\n" + DATA + b"\r\n" + OK),
        (READ, 4, b"\r\n+QSSLRECV: 0\r\n" + OK),
        (READ, 4, b'\r\n+QSSLURC: "recv",4\r\n\r\n+QSSLRECV: 2\r\nhi\r\n' + OK),
        (READ, 16, b'\r\n+QSSLRECV: 56\r\n\r\nOK\r\n+QSSLURC: "closed",4\r\n> <html>\x00\x1aTest data from SSL\r\n' + OK),
        (READ, 250, b"\r\n+QSSLRECV: 1500\r\n" + HOSTILE[-1] + b"\r\n" + OK),
        (READ, 4, b"\r\n+QSSLRECV: 99999\r\n" + OK),
        (LAST_ERROR, 0, b"\r\n+QIGETERROR: 0,operate successfully\r\n" + OK),
        (LAST_ERROR, 0, b"\r\n+QIGETERROR: 566,socket connect failed\r\n" + OK),
        (TEST_OPEN, 0, b'\r\n+QSSLOPEN: (1-16),(0-5),(0-11),"ADDRESS",(1-65535),(0-2)\r\n' + OK),
        (TEST_SEND, 0, b"\r\n+QSSLSEND: (0-11),(1-1460)\r\n" + OK),
        (TEST_RECV, 0, b"\r\n+QSSLRECV: (0-11),(1-1500)\r\n" + OK),
        (TEST_CLOSE, 0, b"\r\n+QSSLCLOSE: (0-11),(0-65535)\r\n" + OK),
        (TEST_STATE, 0, OK),
        (TEST_ERROR, 0, OK),
        (PDP_LIST, 0, b'\r\n+QIACT: 1,1,1,"10.7.157.1"\r\n' + OK),
        (PDP_LIST, 0, b'\r\n+QIACT: 1,1,1,"10.7.157.1"\r\n+QIACT: 2,1,2,"fe80::1"\r\n' + OK),
        (DNS, 0, b'\r\n+QIDNSCFG: 1,"10.7.0.1","10.7.0.2"\r\n' + OK),
        (DNS, 1, b"\r\nERROR\r\n"),
        (FILES, 0, b'\r\n+QFLST: "RAM:a.pem",10\r\n+QFLST: "RAM:b.bin",2000\r\n' + OK),
        (FILES, 0, b'\r\n+QFLST: "RAM:ca.pem",1234\r\n+QSSLOPEN: 3,0\r\n+QFLST: "client.pem",99\r\n' + OK),
        (FILE_DATA, 0, b"\r\n+QFUPL: 10,4d49\r\n" + OK),
        (FILE_DATA, 1, b"A"),
        (FILE_DATA, 1, b"\r\n+QFUPL: 2000,0\r\n" + OK),
        (FILE_DATA, 0, b"\r\n+CME ERROR: 405\r\n"),
        (CLOCK, 0, b'\r\n+CCLK: "26/11/23,20:38:01+00"\r\n' + OK),
        (CLOCK, 0, b'\r\n+CCLK: "99/12/31,23:59:59-48"\r\n' + OK),
        (SEND, 4, b"\r\n> "),
        (SEND, 4, b'\r\n+QSSLURC: "recv",4,18\r\n' + DATA + b"\r\n\r\n> "),
        (OPEN_TRANSPARENT, 4, b"\r\nCONNECT\r\n"),
        (OPEN_BUFFER, 4, OK),
        (OPEN_BUFFER, 4, b"\r\n+CME ERROR: 563\r\n"),
        (AT, 0, b"AT\r" + OK),
    ]
    for i, (command, param, body) in enumerate(answers):
        write("response_parsers", f"answer-{i:02}", bytes([command, param]) + body)


# state_machine: events of three bytes [op, a, b] (see checks/state/event.rs).
(BEGIN_OPEN, OPEN_RESULT, PEER_CLOSED, CLOSED, PDP_UP, PDP_DOWN, REBOOTED,
 ENTERED, LEFT, CARRIER_LOST, SWITCHED, ADOPT, HANDLE) = range(13)
BUFFER_MODE, PUSH_MODE, TRANSPARENT_MODE = 0, 1, 2
S_INITIAL, S_OPENING, S_CONNECTED, S_CLOSING = 0, 1, 2, 3
SUCCESS = 0


def error(code):
    """The b byte for +QSSLOPEN error `code` (550..=574)."""
    return 128 + (code - 550 - 128) % 25


def ev(op, a=0, b=0):
    return bytes([op, a, b])


def open_(client, mode=BUFFER_MODE, pdp=1, ssl=0):
    return ev(BEGIN_OPEN, client | mode << 4, (pdp - 1) | ssl << 4)


def opened(client, result=SUCCESS):
    return ev(OPEN_RESULT, client, result)


def adopt(client, state, mode=BUFFER_MODE, ssl=0, pdp=1):
    return ev(ADOPT, client | state << 4, mode + 3 * ssl + 18 * (pdp - 1))


def session(client, mode=BUFFER_MODE, pdp=1, ssl=0):
    return open_(client, mode, pdp, ssl) + opened(client) + ev(HANDLE, client)


def state_machine():
    seeds = {
        "buffer-session": ev(PDP_UP, 0) + session(4) + ev(PEER_CLOSED, 4) + ev(CLOSED, 4),
        "push-session": ev(PDP_UP, 0) + session(4, PUSH_MODE) + ev(SWITCHED, 4, BUFFER_MODE)
        + ev(SWITCHED, 4, PUSH_MODE) + ev(CLOSED, 4),
        "transparent-round-trips": ev(PDP_UP, 0) + session(4, TRANSPARENT_MODE) + ev(LEFT)
        + ev(ENTERED, 4) + ev(LEFT) + ev(SWITCHED, 4, BUFFER_MODE) + ev(ENTERED, 4)
        + ev(CARRIER_LOST) + ev(CLOSED, 4),
        "open-failures": ev(PDP_UP, 0) + open_(0) + opened(0, error(566)) + open_(0)
        + opened(0, error(565)) + open_(1, TRANSPARENT_MODE) + ev(CLOSED, 1) + open_(0)
        + opened(0) + open_(0) + ev(CLOSED, 0),
        "pdp-loss": ev(PDP_UP, 0) + ev(PDP_UP, 1) + session(0, pdp=1) + session(1, pdp=2)
        + open_(2, pdp=1) + ev(PDP_DOWN, 0) + ev(CLOSED, 0) + ev(CLOSED, 2) + ev(PDP_DOWN, 1)
        + ev(CLOSED, 1),
        "reboot-mid-session": ev(PDP_UP, 0) + session(3) + session(5, TRANSPARENT_MODE)
        + ev(REBOOTED) + ev(CLOSED, 3) + ev(PDP_UP, 0) + session(3),
        "startup-sweep": adopt(0, S_CONNECTED, TRANSPARENT_MODE) + ev(CLOSED, 0)
        + adopt(1, S_CLOSING, ssl=2) + ev(CLOSED, 1) + adopt(7, S_OPENING, PUSH_MODE, 5, 3)
        + ev(CLOSED, 7) + adopt(8, S_INITIAL) + ev(CLOSED, 8),
        "twelve-sockets": ev(PDP_UP, 0) + b"".join(
            session(c, (BUFFER_MODE, PUSH_MODE)[c % 2], ssl=c % 3) for c in range(12))
        + b"".join(ev(CLOSED, c) for c in range(12)),
        "socket-reuse": ev(PDP_UP, 0) + b"".join(session(2) + ev(CLOSED, 2) for _ in range(5)),
        "resume-after-no-carrier": ev(PDP_UP, 0) + session(1) + session(2, TRANSPARENT_MODE)
        + ev(CARRIER_LOST) + ev(ENTERED, 1) + ev(LEFT) + ev(CLOSED, 2) + ev(CLOSED, 1),
        "every-event": b"".join(ev(op, 1, 1) for op in range(13)),
    }
    for name, data in seeds.items():
        write("state_machine", name, data)


# engine: a program of actions (see fuzz/src/checks/engine.rs). Action byte
# `a`: `a % 24` picks the action, `a >> 5` its poll budget (7: 200 polls);
# E_ACT[op] is the byte in 224..=255 for each.
E_ACT = {v % 24: v for v in range(224, 256)}
E_OPEN, E_READ, E_WRITE, E_SEND, E_CLOSE, E_IDLE, E_COMMAND = 0, 2, 5, 6, 7, 8, 9
E_RAW_WRITE, E_RAW_READ, E_ESCAPE, E_RESUME, E_PDP, E_PEER, E_EVENT, E_FAULT = 10, 11, 12, 13, 14, 15, 18, 19
E_SETTINGS, E_TIME = 21, 22
# header: setup (bit 0 echo on, bit 1 Init first), port chunking, write chunk
E_HEADER = bytes([0b10, 0, 0])
E_BUF, E_PUSH, E_TRANS = 0, 1, 2
E_FULL_RING = 2


def act(op, *params):
    return bytes([E_ACT[op], *params])


def open_sock(client, mode, ring=E_FULL_RING):
    return act(E_OPEN, client, mode, ring)


def peer(pick, length_class=1, later=False):
    # pick: which connected socket (index among the module's); length class
    # 0..3 (up to 8, 64, 400, 1500 bytes); later: before the next answer.
    return act(E_PEER, pick, length_class | (0x80 if later else 0))


def engine():
    fault_kinds = {
        "drop-data": (0, 3, 0), "shorten-length": (2, 0, 0), "bad-id": (3, 0, 0),
        "flip-trailer": (4, 1, 0x40), "drop-anywhere": (5, 17, 0), "flip-anywhere": (6, 9, 2),
        "truncate": (7, 12, 0), "stray-ok": (8, 0, 0), "line-noise": (8, 6, 0),
        "over-long-line": (8, 9, 0),
    }
    seeds = {
        "buffer-mode": E_HEADER + open_sock(0, E_BUF) + peer(0) + act(E_READ, 0, 40) + act(E_READ, 0, 40)
        + act(E_WRITE, 0, 1) + act(E_CLOSE, 0),
        "direct-push": E_HEADER + open_sock(1, E_PUSH) + peer(0, 2) + peer(0, 3) + act(E_READ, 0, 255)
        + act(E_READ, 0, 255) + act(E_SEND, 0, 0),
        "push-before-answer": E_HEADER + open_sock(1, E_PUSH) + open_sock(2, E_BUF) + peer(0, 1, True)
        + peer(1, 1) + act(E_READ, 1, 100) + act(E_READ, 0, 100),
        "transparent": E_HEADER + open_sock(3, E_TRANS) + peer(0, 2) + act(E_RAW_READ, 0, 200)
        + act(E_RAW_WRITE, 0, 0x61) + act(E_ESCAPE) + act(E_READ, 0, 200) + act(E_RESUME, 0)
        + act(E_EVENT, 0, 3),
        "peer-close-and-pdp-loss": E_HEADER + open_sock(0, E_BUF) + open_sock(1, E_PUSH) + peer(0)
        + act(E_EVENT, 0, 0) + act(E_EVENT, 3, 0) + act(E_READ, 0, 60) + act(E_READ, 1, 60) + act(E_PDP),
        "reboot": E_HEADER + open_sock(0, E_PUSH) + peer(0) + act(E_EVENT, 4, 0) + act(E_READ, 0, 60)
        + act(E_PDP) + open_sock(0, E_BUF),
        "slow-line-and-latency": E_HEADER + act(E_SETTINGS, 1, 2) + act(E_SETTINGS, 0, 4)
        + open_sock(0, E_BUF) + peer(0, 3) + act(E_READ, 0, 255) + act(E_TIME, 5),
        "small-buffers": E_HEADER + open_sock(0, E_BUF, 0) + open_sock(1, E_TRANS, 1) + peer(0, 2)
        + act(E_READ, 0, 2) + act(E_READ, 0, 2) + peer(1, 2) + act(E_RAW_READ, 1, 3),
        "commands": E_HEADER + act(E_COMMAND, 0, 0) + act(E_COMMAND, 1, 0) + act(E_COMMAND, 2, 0)
        + open_sock(4, E_PUSH) + act(E_COMMAND, 3, 4) + act(E_IDLE),
        "echo-on-no-init": bytes([0b01, 5, 200]) + open_sock(0, E_BUF) + peer(0) + act(E_READ, 0, 40),
    }
    for name, (kind, a, b) in fault_kinds.items():
        seeds["fault-" + name] = (E_HEADER + open_sock(0, E_PUSH) + open_sock(1, E_BUF)
                                  + act(E_FAULT, kind, a, b) + peer(0, 1) + peer(1, 1)
                                  + act(E_READ, 0, 100) + act(E_READ, 1, 100) + act(E_IDLE))
    for name, data in seeds.items():
        write("engine", name, data)


def main():
    targets = ("digest_stream", "urc_parse", "response_parsers", "state_machine", "engine")
    if MANIFEST.exists():
        for path in MANIFEST.read_text().split():
            (CORPUS / path).unlink(missing_ok=True)
    for target in targets:
        (CORPUS / target).mkdir(parents=True, exist_ok=True)
    digest_stream()
    urc_parse()
    response_parsers()
    state_machine()
    engine()
    MANIFEST.write_text("".join(f"{target}/{name}\n" for target in targets
                                for name in sorted(WRITTEN.get(target, []))))


if __name__ == "__main__":
    main()
