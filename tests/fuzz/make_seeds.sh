#!/usr/bin/env bash
# Writes the seed inputs of tests/fuzz/corpus/<target>/seed-* (docs/testing.md). Seeds are
# small, readable starting points; crash reproducers the fuzzer found are kept beside them
# as crash-<what>. Run from anywhere; needs protoc and python3.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
proto_dir="$here/../../proto"
corpus="$here/corpus"
mkdir -p "$corpus/request_validation" "$corpus/audit_event" "$corpus/proof_verify"

# mode byte (hex) then a message in protobuf text format, encoded to wire bytes.
# The message is defined in jijian/v1/<file>.proto (petition unless a fourth argument says).
encode() {
  local out=$1 mode=$2 type=$3 file=${4:-petition}
  { printf "\\x$mode"; protoc -I "$proto_dir" --encode="jijian.v1.$type" \
      "$proto_dir/jijian/v1/$file.proto"; } > "$out"
}

rv="$corpus/request_validation"
encode "$rv/seed-register-real-name" 00 RegisterPetitionRequest <<'PB'
request_id: "req-2026-0001" channel: CHANNEL_LETTER category: CATEGORY_ACCUSATION
received_date: "2026-02-10"
reporter { name: "张三" id_number: "11010519491231002X" phone: "+86 (10) 1234-5678" address: "北京市" }
subjects { name: "李四" unit: "某县财政局" position: "局长" rank: "section" id_number: "11010519491231002X" party_member: true }
disciplines: DISCIPLINE_INTEGRITY disciplines: DISCIPLINE_WORK
summary: "反映李四收受礼金" content: "第一段\n第二段\t完"
PB
encode "$rv/seed-register-anonymous" 00 RegisterPetitionRequest <<'PB'
request_id: "0123456789abcdef0123456789abcdef" channel: CHANNEL_ONLINE category: CATEGORY_COMPLAINT
anonymous: true subjects { name: "王五" unit: "某镇政府" } summary: "s" content: "c"
PB
encode "$rv/seed-decide-assign-down" 01 DecidePetitionRequest <<'PB'
request_id: "r1" id: "XF-2026-000001" expected_version: 2 mode: HANDLING_ASSIGN_DOWN
reason: "属下级管辖" to_body: "某县纪委" due_date: "2026-12-31"
PB
encode "$rv/seed-decide-duplicate" 01 DecidePetitionRequest <<'PB'
request_id: "r2" id: "XF-2026-000002" expected_version: 1 mode: HANDLING_DUPLICATE
reason: "重复件" duplicate_of: "XF-2026-000001"
PB
encode "$rv/seed-lead-from-petition" 04 RegisterLeadRequest lead <<'PB'
request_id: "lead-1" petition_id: "XF-2026-000001"
PB
encode "$rv/seed-lead-audit" 04 RegisterLeadRequest lead <<'PB'
request_id: "lead-2" source: LEAD_SOURCE_AUDIT summary: "审计发现的问题"
subjects { name: "李四" unit: "某县财政局" rank: "section" id_number: "11010519491231002X" }
PB
encode "$rv/seed-disposition-probation" 05 RecordDispositionRequest disposition <<'PB'
request_id: "d-1" object_id: "LA-2026-000001" subject_index: 1
measures: "party-probation" measures: "gov-demotion" probation_months: 12
disciplines: DISCIPLINE_INTEGRITY disciplines: DISCIPLINE_WORK
decided_date: "2026-11-20" reason: "违反廉洁纪律"
PB
encode "$rv/seed-disposition-talk-by-id" 05 RecordDispositionRequest disposition <<'PB'
request_id: "d-2" object_id: "XS-2026-000001" subject_id_number: "11010519491231002X"
measures: "reminder-talk" disciplines: DISCIPLINE_WORK decided_date: "2026-11-01" reason: "谈话提醒"
PB
encode "$rv/seed-file-case" 06 FileCaseRequest case <<'PB'
request_id: "c-1" lead_id: "XS-2026-000001" reason: "初核后立案"
PB

python3 - "$corpus" <<'PY'
import hashlib, struct, sys, os
corpus = sys.argv[1]
def write(target, name, data):
    with open(os.path.join(corpus, target, name), "wb") as f:
        f.write(data)

# request_validation, mode 2: a length limit byte, then one string for every check.
for name, text in [("object-id", "XF-2026-000001"), ("date", "2026-02-10"),
                   ("id-number", "11010519491231002x"), ("roles", "registrar,leader"),
                   ("rank", "section"), ("receipt", "abcde-fghjk-mnpqr-stuvw"),
                   ("text", "李四\u0085\U0001F600"), ("means", "in-person"),
                   ("user", "li.si")]:
    write("request_validation", "seed-string-" + name, b"\x02\x20" + text.encode())
# mode 3: case filed, probation months, measure codes.
write("request_validation", "seed-measures-probation",
      b"\x03\x01\x18party-probation,gov-demotion")
write("request_validation", "seed-measures-talk", b"\x03\x00\x00reminder-talk")

# audit_event: mode 0 is leaf bytes as docs/audit.md defines them; mode 1 field values.
def leaf(seq, ts, fields):
    out = b"\x01" + struct.pack(">Qq", seq, ts)
    for f in fields:
        b = f.encode()
        out += struct.pack(">I", len(b)) + b
    return out
fields = ["li.si", "registrar", "ab" * 32, "petition.register", "petition",
          "XF-2026-000001", "", "REGISTERED", "属本级管辖", "req-1"]
write("audit_event", "seed-leaf", b"\x00" + leaf(7, 1764460800000000, fields))
write("audit_event", "seed-leaf-empty-fields", b"\x00" + leaf(0, 0, [""] * 10))
fz = struct.pack(">Qq", 3, -1) + b"".join(bytes([len(f.encode())]) + f.encode() for f in fields[:9])
write("audit_event", "seed-fields", b"\x01" + fz + fields[9].encode())

# proof_verify: mode byte, then the mode's choices (see proof_verify_fuzz.cc).
pv = lambda name, data: write("proof_verify", name, data)
h = hashlib.sha256(b"x").digest()
pv("seed-raw", b"\x00" + struct.pack(">QQ", 5, 8) + b"\x20" + h + b"\x20" + h + b"\x03" + h * 3)
pv("seed-inclusion-genuine", b"\x01\x24\x0d\x00\x00\x00")
pv("seed-inclusion-bitflip", b"\x01\x24\x0d\x01\x00\x02\x11\x00\x00")
pv("seed-consistency-genuine", b"\x02\x24\x0b\x00\x00")
pv("seed-consistency-swap", b"\x02\x24\x0b\x01\x04\x00\x01\x05")
pv("seed-head", b"\x03\x00" + b"\x08\x25\x12\x20" + h + b"\x18\x01\x22\x40" + h + h)
pv("seed-timeline-genuine", b"\x04\x01\x03\x02\x00\x00\x05\x00\x00\x00\x09\x00\x00")
pv("seed-timeline-edited", b"\x04\x00\x02\x03\x00\x01\x11\x00\x05\x01\x03XF-")
PY
ls -l "$corpus"/*
