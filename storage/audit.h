// The audit log: events, their canonical bytes (the Merkle leaves), appending inside the
// mutation's transaction, and signed tree heads. docs/audit.md specifies every byte.
#ifndef JIJIAN_STORAGE_AUDIT_H_
#define JIJIAN_STORAGE_AUDIT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/db.h"
#include "storage/merkle.h"

namespace jijian::storage {

// One audit event. Never holds sensitive plaintext: object ids, states, enums and the
// staff-written reason only.
struct AuditEvent {
  int64_t seq = 0;    // gap-free, from 0; equals the Merkle leaf index
  int64_t ts_us = 0;  // unix microseconds
  std::string actor;  // user id, or "system"
  std::string role;   // the role the action was authorised under
  std::string cert_fingerprint;
  std::string action;       // e.g. "user.add"
  std::string object_type;  // e.g. "user", "petition"
  std::string object_id;
  std::string state_before;
  std::string state_after;
  std::string reason;
  std::string request_id;
};

inline constexpr uint8_t kAuditEventFormatV1 = 1;

// Canonical bytes of an event, version 1:
// 0x01 || u64be seq || i64be ts_us || for each of actor, role, cert_fingerprint, action,
// object_type, object_id, state_before, state_after, reason, request_id: u32be length || bytes.
std::string CanonicalEventBytes(const AuditEvent& event);

// Parses canonical bytes back into an event (INVALID_ARGUMENT if malformed).
absl::StatusOr<AuditEvent> ParseCanonicalEvent(std::string_view bytes);

// Appends event (whose seq must be the current log size) and its Merkle leaf and completed
// subtree nodes. Must run inside the caller's transaction on the writer connection.
absl::Status AppendAuditEvent(Db& db, const AuditEvent& event);

// The number of events in the log.
absl::StatusOr<int64_t> AuditLogSize(Db& db);

// A Merkle subtree accessor that reads merkle_nodes through db (borrowed; must outlive it).
merkle::SubtreeFn StoredSubtrees(Db& db);

// A tree head and its signature.
struct TreeHead {
  int64_t tree_size = 0;
  std::string root;  // 32 bytes
  int64_t ts_us = 0;
  std::string signature;  // Ed25519, 64 bytes
};

// The exact bytes a tree-head signature covers:
// "jijian/tree-head/v1" (19 bytes) || u64be tree_size || i64be ts_us || root (32 bytes).
std::string TreeHeadSignedBytes(int64_t tree_size, int64_t ts_us, std::string_view root);

// Reads events with from <= seq < to, in order.
absl::StatusOr<std::vector<AuditEvent>> ReadAuditEvents(Db& db, int64_t from, int64_t to);

// The newest stored tree head (NOT_FOUND if none).
absl::StatusOr<TreeHead> LatestTreeHead(Db& db);

// The head stored for exactly tree_size (NOT_FOUND if the log never had a head of that size).
absl::StatusOr<TreeHead> TreeHeadAt(Db& db, int64_t tree_size);

// An event as stored: its fields read from their own columns, and the leaf blob as it is in
// the row. Nothing is parsed or checked, so a damaged row comes back exactly as damaged.
struct StoredAuditEvent {
  AuditEvent columns;
  std::string leaf;
};

// Reads stored events with from <= seq <= to (inclusive), in seq order.
absl::StatusOr<std::vector<StoredAuditEvent>> ReadStoredAuditEvents(Db& db, int64_t from,
                                                                    int64_t to);

// Calls fn on every stored event in seq order, one row in memory at a time; stops at and
// returns the first error fn returns. For whole-log verification.
absl::Status ForEachStoredAuditEvent(
    Db& db, const std::function<absl::Status(const StoredAuditEvent&)>& fn);

// Every stored event about object_id (of any object type), in seq order. RESOURCE_EXHAUSTED
// if there are more than max_events. Costs one index seek per distinct object type plus the
// events themselves.
absl::StatusOr<std::vector<StoredAuditEvent>> ReadStoredAuditEventsOfObject(
    Db& db, std::string_view object_id, size_t max_events);

// object_id and every object reachable from it through object_links in either direction,
// transitively, sorted. RESOURCE_EXHAUSTED if more than max_objects are reachable.
absl::StatusOr<std::vector<std::string>> LinkedObjects(Db& db, std::string_view object_id,
                                                       size_t max_objects);

}  // namespace jijian::storage

#endif  // JIJIAN_STORAGE_AUDIT_H_
