#!/usr/bin/env python3
"""Writes the hand-made fuzz seeds that reach big numbers (2^32, 2^63, 2^64),
long strings and deep nesting, into tests/corpus/<target>/ (the trace
target's corpus is kept by its own owner). Run from the top directory:
    python3 fuzz/seeds.py
Seeds are replayed by `make check` and start every `make fuzz` run."""
import os
import struct

BIG = [2**32 - 1, 2**32, 2**63 - 1, 2**63, 2**64 - 1]


def put(target, name, data):
    d = os.path.join("tests", "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def config_seeds():
    for v in BIG:
        put("config", "refresh-%d" % v, "refresh: %d\n" % v)
        put("config", "threshold-%d" % v, "thresholds:\n  warning: %d%%\n  critical: %d\n" % (v, v))
        put("config", "alert-above-%d" % v,
            "alerts:\n  - name: big\n    metric: dropped_records\n    above: %d\n    for: %ds\n"
            "    exec_interval: %dms\n" % (v, v, v))
        put("config", "devices-%d" % v, "devices: [%d, %d]\n" % (v, v - 1))
    put("config", "hex-percent", "thresholds:\n  warning: 0x10\n  critical: 0x50%\n")
    put("config", "long-name", "alerts:\n  - name: %s\n    metric: used_pct\n    above: 50%%\n" % ("n" * 5000))
    put("config", "long-exec", "alerts:\n  - name: e\n    metric: used_pct\n    above: 50%%\n"
        "    actions: [exec]\n    exec: \"%s\"\n" % ("x" * 4000))
    put("config", "long-segment", "segment: /%s\n" % ("s" * 1000))
    put("config", "deep-flow", "[" * 200 + "]" * 200 + "\n")
    put("config", "deep-unclosed", "{a: " * 100 + "\n")
    put("config", "deep-block", "".join("  " * i + "k%d:\n" % i for i in range(100)))
    put("config", "many-keys", "alerts:\n  - name: x\n" + "".join("    k%d: 1\n" % i for i in range(3000)))
    put("config", "dup-key-late", "refresh: 1s\n" + "".join("unknown%d: 1\n" % i for i in range(100)) + "refresh: 2s\n")
    put("config", "invalid-utf8", b"alerts:\n  - name: caf\xc3\n    metric: used_pct\n    above: 50%\n")


def theme_seeds():
    for v in BIG:
        put("theme", "color-%d" % v, "name: t\nheader: {fg: %d, bg: %d}\nheatmap: [%d]\n" % (v, v, v))
    put("theme", "long-name", "name: %s\n" % ("t" * 5000))
    put("theme", "long-color", "name: t\nheader: {fg: \"#%s\"}\n" % ("f" * 3000))
    put("theme", "many-stops", "name: t\nheatmap: [%s]\n" % ", ".join(['"#102030"'] * 2000))
    put("theme", "deep", "name: t\nheatmap: " + "[" * 150 + "]" * 150 + "\n")


def segment_seeds():
    base = open(os.path.join("tests", "corpus", "segment", "raw-valid.bin"), "rb").read()
    fields = {"total_size": (16, "Q"), "record_capacity": (40, "I"), "writers_offset": (48, "Q"),
              "records_offset": (64, "Q"), "dropped_records": (80, "Q"), "high_water": (88, "I")}
    for name, (off, fmt) in fields.items():
        for v in BIG:
            if fmt == "I" and v >= 2**32:
                continue
            img = bytearray(base)
            struct.pack_into("<" + fmt, img, 1 + off, v)  # byte 0 is the mode byte
            put("segment", "%s-%d" % (name, v), bytes(img))
    body = open(os.path.join("tests", "corpus", "segment", "body-valid.bin"), "rb").read()
    put("segment", "body-all-ff", body[:1] + b"\xff" * (len(body) - 1))


TTM_SIZE, PROC0, PROC_SIZE, CHIP0 = 8576, 856, 120, 88


def ttm_file(version=4, totals=(0,) * 5, procs=(), chips=()):
    b = bytearray(TTM_SIZE)
    struct.pack_into("<IIQI", b, 0, version, len(procs), 1700000000000, 1)
    struct.pack_into("<QQI", b, 24, 0xB0A4D, 77, 0)
    struct.pack_into("<5Q", b, 48, *totals)
    for c in range(16):
        struct.pack_into("<I", b, CHIP0 + 48 * c, 0xFFFFFFFF)
    for c, (cid, byts) in enumerate(chips):
        struct.pack_into("<II5Q", b, CHIP0 + 48 * c, cid, 0, *byts)
    for i, (pid, byts, name) in enumerate(procs):
        off = PROC0 + PROC_SIZE * i
        struct.pack_into("<I", b, off, pid)
        struct.pack_into("<5Q", b, off + 8, *byts)
        b[off + 56:off + 56 + min(len(name), 64)] = name[:64]
    if version >= 4:
        struct.pack_into("<I", b, 8536, 0x52454459)
    return bytes(b)


def ttmetal_seeds():
    one = (1 << 20, 2 << 20, 32768, 0, 4 << 20)
    for v in (2, 3, 4):
        put("ttmetal", "valid-v%d" % v, ttm_file(v, one, [(100, one, b"model.py"), (101, one, b"other")],
                                                   [(0, one)]))
    for v in BIG:
        put("ttmetal", "total-%d" % v, ttm_file(4, (v,) * 5))
        put("ttmetal", "process-%d" % v, ttm_file(4, one, [(100, (v,) * 5, b"p")]))
        put("ttmetal", "chip-%d" % v, ttm_file(4, one, [], [(0, (v,) * 5)]))
    near = (2**63 - 1,) * 5
    put("ttmetal", "live-sum-overflow", ttm_file(4, one, [(100 + i * 2, near, b"p") for i in range(8)]))
    put("ttmetal", "names-invalid-utf8", ttm_file(4, one, [(100, one, b"caf\xc3"), (102, one, b"\xff\xfe\x1b[2J"),
                                                           (104, one, b"\xe2\x82" * 40)]))
    put("ttmetal", "truncated", ttm_file(4)[:100])
    put("ttmetal", "oversized", ttm_file(4) + b"\0")


def w_declare(dev=0, arch=0, gx=8, gy=8, cfg=(0, 0, 0)):
    return struct.pack("<BBBHH3I", 0, dev, arch, gx, gy, *cfg)


def w_record(dev, ranges, kind, addr, size, tag):
    out = struct.pack("<BBB", 1, dev, len(ranges))
    for r in ranges:
        out += struct.pack("<4B", *r)
    return out + struct.pack("<BII", kind, addr, size) + struct.pack("<B", len(tag)) + tag


def w_interleaved(dev, addr, total, page, tag):
    return struct.pack("<BBIQI", 2, dev, addr, total, page) + struct.pack("<B", len(tag)) + tag


def w_release(index):
    return struct.pack("<BBB", 3, 0, index)


def w_label(text):
    return struct.pack("<BBB", 5, 0, len(text)) + text


def writer_seeds():
    basic = (w_declare() + w_record(0, [(0, 0, 3, 7)], 3, 0x19180, 200000, b"cb") +
             w_interleaved(0, 0x150000, 133120, 2048, b"act") + w_release(0) + w_label(b"writer"))
    put("writer", "basic", basic)
    big = w_declare()
    for v in BIG:
        big += w_interleaved(0, 0x100000, v, 2, b"big") + w_interleaved(0, v & 0xFFFFFFFF, 4096, v & 0xFFFFFFFF, b"p")
        big += w_record(0, [(0, 0, 7, 7)], 1, v & 0xFFFFFFFF, v & 0xFFFFFFFF, b"r")
    put("writer", "big-numbers", big)
    put("writer", "labels", w_declare() + w_label(b"\xcf\x89" * 20) + w_label(b"caf\xc3") +
        w_record(0, [(0, 0, 0, 0)], 3, 0x20000, 64, b"\xff" * 60) + w_label(b"x" * 79))
    fill = w_declare()
    for i in range(70):  # capacity 64: the segment fills up
        fill += w_record(0, [(i % 8, 0, i % 8, 0)], 3, 0x20000 + 64 * i, 64, b"f%d" % i)
    put("writer", "fill", fill + w_release(3) + w_release(0))
    put("writer", "bad-grid", w_declare(0, 1, 0xFFFF, 0xFFFF) + w_declare(1, 3, 0, 0) +
        w_declare(2, 0, 8, 8, (2**32 - 1, 2**32 - 1, 2**32 - 1)) + w_record(2, [(0, 0, 7, 7)], 2, 0, 4096, b"s"))


def event_seeds():
    """Odd-mode segment inputs (fuzz_segment.c) whose one ring holds events:
    an owner, a ranged record and its release, an interleaved record."""
    hdr, writers, devices, stripes, records = 256, 256 * 64, 64 * 64, 64 * 64, 16 * 128
    body = bytearray(writers + devices + stripes + records + 64 + 64 * 64)
    owner = (1 << 32) | 1  # RECORD_OWNER(slot 0, generation 1)
    struct.pack_into("<Q", body, 0, (1 << 32) | (1 << 8) | 2)  # slot 0: pid 1, generation 1, active
    d = writers
    struct.pack_into("<IIQQIIHHIIII", body, d, 2, 0, owner, 0, 0, 2, 8, 8, 1499136, 0, 0x19400, 16)
    ring = writers + devices + stripes + records
    slots = ring + 64

    def head(i, ticks, typ, kind, flags, more, device, index, gen, address, size, tail):
        struct.pack_into("<QQBBBBIIIII", body, slots + 64 * i, i + 1, ticks, typ, kind, flags, more, device,
                         index, gen, address, size)
        body[slots + 64 * i + 40:slots + 64 * i + 40 + len(tail)] = tail

    def ext(i, tag, ranges=b""):
        struct.pack_into("<Q", body, slots + 64 * i, i + 1)
        body[slots + 64 * i + 8:slots + 64 * i + 8 + len(tag)] = tag
        body[slots + 64 * i + 48:slots + 64 * i + 48 + len(ranges)] = ranges

    head(0, 100, 1, 0, 0, 0, 0, 0, 0, 0, 0, struct.pack("<Qii", owner, 1, 1))
    head(1, 200, 2, 3, 0, 1, 0, 5, 1, 0x20000, 4096, struct.pack("<HH4H", 1, 0, 0, 0, 7, 7))
    ext(2, b"cb")
    head(3, 300, 3, 0, 0, 0, 0, 5, 1, 0, 0, b"")
    head(4, 400, 2, 1, 1, 1, 0, 6, 1, 0x30000, 2048, struct.pack("<Q", 131072))
    ext(5, b"interleaved")
    many = struct.pack("<HH8H", 11, 0, 0, 0, 0, 0, 1, 0, 1, 0)  # 11 ranges: 2 here, 2 beside the tag, 7 after
    head(6, 500, 2, 3, 0, 2, 0, 7, 1, 0x40000, 64, many)
    ext(7, b"eleven", struct.pack("<8H", 2, 0, 2, 0, 3, 0, 3, 0))
    ext(8, b"", struct.pack("<28H", *[v for x in range(4, 11) for v in (x % 8, x // 8, x % 8, x // 8)]))
    struct.pack_into("<QQi", body, ring, owner, 9, 1)
    put("segment", "events-valid", b"\x01" + bytes(body))
    lapped = bytearray(body)
    struct.pack_into("<Q", lapped, slots + 64 * 3, 4 + 64)  # a slot the writer wrote again: its stamp is a lap on
    put("segment", "events-lapped", b"\x01" + bytes(lapped))


event_seeds()
config_seeds()
theme_seeds()
segment_seeds()
ttmetal_seeds()
writer_seeds()
