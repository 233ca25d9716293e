#include "server/audit_service.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/domain/validate.h"
#include "storage/audit.h"
#include "storage/merkle.h"

namespace jijian::server {
namespace {

constexpr char kService[] = "/jijian.v1.AuditService/";
constexpr size_t kMaxObjectIdChars = 128;

std::string Rpc(const char* method) { return std::string(kService) + method; }

// Runs fn inside one read transaction, so that everything it reads (head, events, tree
// nodes) comes from the same WAL snapshot.
absl::Status InSnapshot(storage::Store& store,
                        const std::function<absl::Status(storage::Db&)>& fn) {
  absl::StatusOr<bool> done = store.Read<bool>([&](storage::Db& db) -> absl::StatusOr<bool> {
    if (absl::Status st = db.Exec("BEGIN"); !st.ok()) return st;
    absl::Status st = fn(db);
    (void)db.Exec("COMMIT");  // a read transaction: this only ends the snapshot
    if (!st.ok()) return st;
    return true;
  });
  return done.status();
}

void ToProto(const storage::TreeHead& h, v1::SignedTreeHead* out) {
  out->set_tree_size(h.tree_size);
  out->set_root_hash(h.root);
  out->set_timestamp_unix_micros(h.ts_us);
  out->set_signature(h.signature);
}

void ToProto(const storage::StoredAuditEvent& stored, v1::AuditEvent* out) {
  const storage::AuditEvent& e = stored.columns;
  out->set_seq(e.seq);
  out->set_timestamp_unix_micros(e.ts_us);
  out->set_actor(e.actor);
  out->set_role(e.role);
  out->set_cert_fingerprint_sha256(e.cert_fingerprint);
  out->set_action(e.action);
  out->set_object_type(e.object_type);
  out->set_object_id(e.object_id);
  out->set_state_before(e.state_before);
  out->set_state_after(e.state_after);
  out->set_reason(e.reason);
  out->set_request_id(e.request_id);
  out->set_leaf(stored.leaf);
}

void ToProto(int64_t index, int64_t size, const std::vector<std::string>& hashes,
             v1::InclusionProof* out) {
  out->set_leaf_index(index);
  out->set_tree_size(size);
  for (const std::string& h : hashes) out->add_hashes(h);
}

// The size a request means: 0 is the newest head's; otherwise at most that.
absl::StatusOr<int64_t> ResolveSize(const char* field, int64_t requested,
                                    const storage::TreeHead& newest) {
  if (requested < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", requested, " is negative; use 0 for the newest head"));
  }
  if (requested > newest.tree_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": ", requested, " is beyond the newest signed head (size ", newest.tree_size, ")"));
  }
  return requested == 0 ? newest.tree_size : requested;
}

// The head stored for size, if any (a missing head is not an error here).
absl::StatusOr<std::optional<storage::TreeHead>> HeadOfSize(storage::Db& db, int64_t size,
                                                            const storage::TreeHead& newest) {
  if (size == newest.tree_size) return newest;
  absl::StatusOr<storage::TreeHead> head = storage::TreeHeadAt(db, size);
  if (head.ok()) return *std::move(head);
  if (absl::IsNotFound(head.status())) return std::nullopt;
  return head.status();
}

absl::Status MissingEvent(int64_t seq, int64_t size) {
  return absl::DataLossError(absl::StrCat("audit event ", seq,
                                          " is missing from the log although the signed head of "
                                          "size ",
                                          size, " covers it"));
}

}  // namespace

grpc::Status AuditServiceImpl::GetTreeHead(grpc::ServerContext* ctx,
                                           const v1::GetTreeHeadRequest* req,
                                           v1::GetTreeHeadResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("GetTreeHead"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (req->tree_size() < 0) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("tree_size: ", req->tree_size(), " is negative; use 0 for the newest head")));
  }
  return ToGrpcStatus(InSnapshot(*deps_.store, [&](storage::Db& db) -> absl::Status {
    absl::StatusOr<storage::TreeHead> head = req->tree_size() == 0
                                                 ? storage::LatestTreeHead(db)
                                                 : storage::TreeHeadAt(db, req->tree_size());
    if (!head.ok()) return head.status();
    ToProto(*head, resp->mutable_head());
    return absl::OkStatus();
  }));
}

grpc::Status AuditServiceImpl::GetInclusionProof(grpc::ServerContext* ctx,
                                                 const v1::GetInclusionProofRequest* req,
                                                 v1::GetInclusionProofResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("GetInclusionProof"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (req->seq() < 0) {
    return ToGrpcStatus(
        absl::InvalidArgumentError(absl::StrCat("seq: ", req->seq(), " is negative")));
  }
  return ToGrpcStatus(InSnapshot(*deps_.store, [&](storage::Db& db) -> absl::Status {
    absl::StatusOr<storage::TreeHead> newest = storage::LatestTreeHead(db);
    if (!newest.ok()) return newest.status();
    absl::StatusOr<int64_t> size = ResolveSize("tree_size", req->tree_size(), *newest);
    if (!size.ok()) return size.status();
    if (req->seq() >= *size) {
      return absl::InvalidArgumentError(absl::StrCat("seq: ", req->seq(),
                                                     " is outside the tree of size ", *size,
                                                     " (valid 0..", *size - 1, ")"));
    }
    absl::StatusOr<std::vector<std::string>> proof =
        storage::merkle::InclusionProof(static_cast<uint64_t>(req->seq()),
                                        static_cast<uint64_t>(*size), storage::StoredSubtrees(db));
    if (!proof.ok()) return proof.status();
    absl::StatusOr<std::vector<storage::StoredAuditEvent>> events =
        storage::ReadStoredAuditEvents(db, req->seq(), req->seq());
    if (!events.ok()) return events.status();
    if (events->empty()) return MissingEvent(req->seq(), newest->tree_size);
    ToProto(req->seq(), *size, *proof, resp->mutable_proof());
    ToProto(events->front(), resp->mutable_event());
    absl::StatusOr<std::optional<storage::TreeHead>> head = HeadOfSize(db, *size, *newest);
    if (!head.ok()) return head.status();
    if (head->has_value()) ToProto(**head, resp->mutable_head());
    return absl::OkStatus();
  }));
}

grpc::Status AuditServiceImpl::GetConsistencyProof(grpc::ServerContext* ctx,
                                                   const v1::GetConsistencyProofRequest* req,
                                                   v1::GetConsistencyProofResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("GetConsistencyProof"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (req->from_size() < 1) {
    return ToGrpcStatus(absl::InvalidArgumentError(absl::StrCat(
        "from_size: ", req->from_size(), " is not a tree size this log can prove from (>= 1)")));
  }
  return ToGrpcStatus(InSnapshot(*deps_.store, [&](storage::Db& db) -> absl::Status {
    absl::StatusOr<storage::TreeHead> newest = storage::LatestTreeHead(db);
    if (!newest.ok()) return newest.status();
    absl::StatusOr<int64_t> to = ResolveSize("to_size", req->to_size(), *newest);
    if (!to.ok()) return to.status();
    if (req->from_size() > *to) {
      return absl::InvalidArgumentError(
          absl::StrCat("from_size: ", req->from_size(), " is larger than to_size ", *to));
    }
    absl::StatusOr<std::vector<std::string>> proof =
        storage::merkle::ConsistencyProof(static_cast<uint64_t>(req->from_size()),
                                          static_cast<uint64_t>(*to), storage::StoredSubtrees(db));
    if (!proof.ok()) return proof.status();
    v1::ConsistencyProof* out = resp->mutable_proof();
    out->set_from_size(req->from_size());
    out->set_to_size(*to);
    for (const std::string& h : *proof) out->add_hashes(h);
    absl::StatusOr<std::optional<storage::TreeHead>> from_head =
        HeadOfSize(db, req->from_size(), *newest);
    if (!from_head.ok()) return from_head.status();
    if (from_head->has_value()) ToProto(**from_head, resp->mutable_from_head());
    absl::StatusOr<std::optional<storage::TreeHead>> to_head = HeadOfSize(db, *to, *newest);
    if (!to_head.ok()) return to_head.status();
    if (to_head->has_value()) ToProto(**to_head, resp->mutable_to_head());
    return absl::OkStatus();
  }));
}

grpc::Status AuditServiceImpl::GetEvents(grpc::ServerContext* ctx, const v1::GetEventsRequest* req,
                                         v1::GetEventsResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("GetEvents"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  const int64_t from = req->from_seq();
  const int64_t to = req->to_seq();
  absl::Status st;
  if (from < 0) {
    st = absl::InvalidArgumentError(absl::StrCat("from_seq: ", from, " is negative"));
  } else if (to < from) {
    st = absl::InvalidArgumentError(
        absl::StrCat("to_seq: ", to, " is before from_seq ", from, " (the range is inclusive)"));
  } else if (to - from >= kMaxEventsPerCall) {
    st = absl::InvalidArgumentError(absl::StrCat(
        "to_seq: at most ", kMaxEventsPerCall, " events per call, so at most from_seq + ",
        kMaxEventsPerCall - 1, " = ", from + kMaxEventsPerCall - 1));
  }
  if (!st.ok()) return ToGrpcStatus(st);
  return ToGrpcStatus(InSnapshot(*deps_.store, [&](storage::Db& db) -> absl::Status {
    absl::StatusOr<storage::TreeHead> newest = storage::LatestTreeHead(db);
    if (!newest.ok()) return newest.status();
    if (to >= newest->tree_size) {
      return absl::InvalidArgumentError(
          absl::StrCat("to_seq: ", to, " is beyond the log (signed size ", newest->tree_size,
                       ", last seq ", newest->tree_size - 1, ")"));
    }
    absl::StatusOr<std::vector<storage::StoredAuditEvent>> events =
        storage::ReadStoredAuditEvents(db, from, to);
    if (!events.ok()) return events.status();
    // Rows are returned as stored, gaps included: the client names a gap as a deletion.
    for (const storage::StoredAuditEvent& e : *events) ToProto(e, resp->add_events());
    ToProto(*newest, resp->mutable_head());
    return absl::OkStatus();
  }));
}

absl::Status BuildTimeline(storage::Db& db, const std::string& object_id,
                           v1::TimelineResponse* resp) {
  absl::StatusOr<storage::TreeHead> head = storage::LatestTreeHead(db);
  if (!head.ok()) return head.status();
  absl::StatusOr<std::vector<std::string>> objects =
      storage::LinkedObjects(db, object_id, kMaxTimelineObjects);
  if (!objects.ok()) return objects.status();
  std::vector<storage::StoredAuditEvent> events;
  for (const std::string& id : *objects) {
    absl::StatusOr<std::vector<storage::StoredAuditEvent>> mine =
        storage::ReadStoredAuditEventsOfObject(db, id, kMaxTimelineEvents);
    if (!mine.ok()) return mine.status();
    events.insert(events.end(), mine->begin(), mine->end());
    if (events.size() > kMaxTimelineEvents) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "the timeline of ", object_id, " has more than ", kMaxTimelineEvents, " events"));
    }
  }
  if (events.empty()) {
    return absl::NotFoundError(
        absl::StrCat("object_id: no audit events for ", object_id, " or anything linked to it"));
  }
  std::sort(events.begin(), events.end(),
            [](const storage::StoredAuditEvent& a, const storage::StoredAuditEvent& b) {
              return a.columns.seq < b.columns.seq;
            });
  const storage::merkle::SubtreeFn subtrees = storage::StoredSubtrees(db);
  for (const storage::StoredAuditEvent& e : events) {
    if (e.columns.seq < 0 || e.columns.seq >= head->tree_size) {
      return absl::DataLossError(absl::StrCat("audit event ", e.columns.seq,
                                              " lies outside the newest signed head (size ",
                                              head->tree_size, ")"));
    }
    absl::StatusOr<std::vector<std::string>> proof = storage::merkle::InclusionProof(
        static_cast<uint64_t>(e.columns.seq), static_cast<uint64_t>(head->tree_size), subtrees);
    if (!proof.ok()) return proof.status();
    v1::TimelineEntry* entry = resp->add_entries();
    ToProto(e, entry->mutable_event());
    ToProto(e.columns.seq, head->tree_size, *proof, entry->mutable_proof());
  }
  for (const std::string& id : *objects) resp->add_object_ids(id);
  ToProto(*head, resp->mutable_head());
  return absl::OkStatus();
}

grpc::Status AuditServiceImpl::Timeline(grpc::ServerContext* ctx, const v1::TimelineRequest* req,
                                        v1::TimelineResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("Timeline"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (absl::Status st = domain::CheckText("object_id", req->object_id(), kMaxObjectIdChars, true);
      !st.ok()) {
    return ToGrpcStatus(st);
  }
  return ToGrpcStatus(InSnapshot(*deps_.store, [&](storage::Db& db) -> absl::Status {
    return BuildTimeline(db, req->object_id(), resp);
  }));
}

}  // namespace jijian::server
