// Fuzz target: the canonical audit event bytes (docs/audit.md), which the server writes
// (storage/audit.cc) and an auditor's client parses on its own (client/audit_verify.cc).
// The first input byte picks the direction:
//   even  the rest is leaf bytes: both parsers must agree on whether they are well formed
//         and on every field, and a well-formed leaf re-encodes to exactly the same bytes
//         (one event, one encoding), and an event built from it matches its leaf;
//   odd   the rest gives an event's fields: encoding then parsing gives them back, and
//         changing any one field makes CheckEventMatchesLeaf name the change.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "client/audit_verify.h"
#include "jijian/v1/audit.pb.h"
#include "storage/audit.h"
#include "tests/fuzz/fuzz_input.h"

namespace jijian::fuzz {
namespace {

v1::AuditEvent ToProto(const storage::AuditEvent& e, const std::string& leaf) {
  v1::AuditEvent p;
  p.set_seq(e.seq);
  p.set_timestamp_unix_micros(e.ts_us);
  p.set_actor(e.actor);
  p.set_role(e.role);
  p.set_cert_fingerprint_sha256(e.cert_fingerprint);
  p.set_action(e.action);
  p.set_object_type(e.object_type);
  p.set_object_id(e.object_id);
  p.set_state_before(e.state_before);
  p.set_state_after(e.state_after);
  p.set_reason(e.reason);
  p.set_request_id(e.request_id);
  p.set_leaf(leaf);
  return p;
}

bool SameFields(const storage::AuditEvent& a, const client::LeafFields& b) {
  return static_cast<uint64_t>(a.seq) == b.seq && a.ts_us == b.ts_us && a.actor == b.actor &&
         a.role == b.role && a.cert_fingerprint == b.cert_fingerprint && a.action == b.action &&
         a.object_type == b.object_type && a.object_id == b.object_id &&
         a.state_before == b.state_before && a.state_after == b.state_after &&
         a.reason == b.reason && a.request_id == b.request_id;
}

void FuzzLeafBytes(std::string_view bytes) {
  absl::StatusOr<storage::AuditEvent> server = storage::ParseCanonicalEvent(bytes);
  absl::StatusOr<client::LeafFields> client = client::ParseLeaf(bytes);
  Require(server.ok() == client.ok(), "server and client parsers disagree on well-formedness");
  if (!server.ok()) return;
  Require(SameFields(*server, *client), "server and client parsers read different fields");
  const std::string again = storage::CanonicalEventBytes(*server);
  Require(again == bytes, "a well-formed leaf does not re-encode to the same bytes");
  Require(client::CheckEventMatchesLeaf(ToProto(*server, again)).ok(),
          "an event built from its own leaf does not match it");
}

void FuzzEventFields(FuzzInput& in) {
  storage::AuditEvent e;
  e.seq = static_cast<int64_t>(in.U64());
  e.ts_us = static_cast<int64_t>(in.U64());
  for (std::string* s : {&e.actor, &e.role, &e.cert_fingerprint, &e.action, &e.object_type,
                         &e.object_id, &e.state_before, &e.state_after, &e.reason}) {
    *s = in.Bytes();
  }
  e.request_id = std::string(in.Rest());
  const std::string leaf = storage::CanonicalEventBytes(e);

  absl::StatusOr<storage::AuditEvent> server = storage::ParseCanonicalEvent(leaf);
  Require(server.ok(), "the server cannot parse its own encoding");
  absl::StatusOr<client::LeafFields> client = client::ParseLeaf(leaf);
  Require(client.ok() && SameFields(e, *client), "the client does not read back the fields");
  Require(storage::CanonicalEventBytes(*server) == leaf, "encode-parse-encode changed the bytes");

  v1::AuditEvent event = ToProto(e, leaf);
  Require(client::CheckEventMatchesLeaf(event).ok(), "an event does not match its own leaf");
  // An edit to any one field is caught.
  v1::AuditEvent edited = event;
  edited.set_reason(event.reason() + "x");
  Require(!client::CheckEventMatchesLeaf(edited).ok(), "an edited reason went unnoticed");
  edited = event;
  edited.set_timestamp_unix_micros(event.timestamp_unix_micros() ^ 1);
  Require(!client::CheckEventMatchesLeaf(edited).ok(), "an edited timestamp went unnoticed");
  edited = event;
  edited.set_seq(event.seq() ^ 1);
  Require(!client::CheckEventMatchesLeaf(edited).ok(), "a moved event went unnoticed");
  // A leaf one byte shorter or longer is malformed.
  Require(!storage::ParseCanonicalEvent(std::string_view(leaf).substr(0, leaf.size() - 1)).ok(),
          "a truncated leaf parsed");
  Require(!client::ParseLeaf(leaf + '\0').ok(), "a leaf with trailing bytes parsed");
}

}  // namespace
}  // namespace jijian::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  jijian::fuzz::FuzzInput in(data, size);
  if ((in.Byte() & 1) == 0) {
    jijian::fuzz::FuzzLeafBytes(in.Rest());
  } else {
    jijian::fuzz::FuzzEventFields(in);
  }
  return 0;
}
