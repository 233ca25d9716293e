#include "client/audit_commands.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "client/audit_state.h"
#include "client/audit_verify.h"
#include "client/output.h"
#include "client/proof_verify.h"
#include "jijian/v1/audit.grpc.pb.h"

namespace jijian::client {
namespace {

namespace pb = google::protobuf;

// GetEvents returns at most this many events per call (the server's bound).
constexpr int64_t kEventsPerPage = 1000;

std::string Hex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// "2026-03-01T08:15:30.123456Z".
std::string FormatMicros(int64_t us) {
  time_t secs = static_cast<time_t>(us / 1000000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(us % 1000000));
  return buf;
}

// Reports a failed verification loudly; exit code 1.
int Loud(Env& env, const absl::Status& st) {
  *env.err << "jijian: AUDIT VERIFICATION FAILED: " << st.message() << "\n";
  return 1;
}

absl::StatusOr<std::string> PinnedKey(const Env& env) {
  std::string key;
  const std::string& hex = env.profile.audit_public_key_hex;
  if (hex.size() != 64) {
    return absl::InvalidArgumentError("profile: audit_public_key must be 64 hex digits");
  }
  for (size_t i = 0; i < hex.size(); i += 2) {
    unsigned int byte = 0;
    if (std::sscanf(hex.substr(i, 2).c_str(), "%2x", &byte) != 1) {
      return absl::InvalidArgumentError("profile: audit_public_key is not hex");
    }
    key.push_back(static_cast<char>(byte));
  }
  return key;
}

// JSON string escaping (RFC 8259); UTF-8 passes through.
void JsonString(std::ostream& out, std::string_view s) {
  out << '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out << "\\\"";
        break;
      case '\\':
        out << "\\\\";
        break;
      case '\n':
        out << "\\n";
        break;
      case '\r':
        out << "\\r";
        break;
      case '\t':
        out << "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out << buf;
        } else {
          out << static_cast<char>(c);
        }
    }
  }
  out << '"';
}

void JsonMessage(std::ostream& out, const pb::Message& m, int indent);

void JsonValue(std::ostream& out, const pb::Message& m, const pb::FieldDescriptor* f, int index,
               int indent) {
  const pb::Reflection* r = m.GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_INT64:
      out << '"' << (rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f)) << '"';
      break;
    case pb::FieldDescriptor::CPPTYPE_UINT64:
      out << '"' << (rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f)) << '"';
      break;
    case pb::FieldDescriptor::CPPTYPE_INT32:
      out << (rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f));
      break;
    case pb::FieldDescriptor::CPPTYPE_UINT32:
      out << (rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f));
      break;
    case pb::FieldDescriptor::CPPTYPE_BOOL:
      out << ((rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f)) ? "true" : "false");
      break;
    case pb::FieldDescriptor::CPPTYPE_DOUBLE:
      out << (rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f));
      break;
    case pb::FieldDescriptor::CPPTYPE_FLOAT:
      out << (rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f));
      break;
    case pb::FieldDescriptor::CPPTYPE_ENUM:
      JsonString(out, (rep ? r->GetRepeatedEnum(m, f, index) : r->GetEnum(m, f))->name());
      break;
    case pb::FieldDescriptor::CPPTYPE_STRING: {
      const std::string v = rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
      if (f->type() != pb::FieldDescriptor::TYPE_BYTES) {
        JsonString(out, v);
      } else if (f->name() == "leaf") {
        std::string b64;
        absl::Base64Escape(v, &b64);
        JsonString(out, b64);
      } else {
        JsonString(out, Hex(v));
      }
      break;
    }
    case pb::FieldDescriptor::CPPTYPE_MESSAGE:
      JsonMessage(out, rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f), indent);
      break;
  }
}

void JsonMessage(std::ostream& out, const pb::Message& m, int indent) {
  const pb::Descriptor* d = m.GetDescriptor();
  const pb::Reflection* r = m.GetReflection();
  const std::string pad(indent + 2, ' ');
  bool first = true;
  out << "{";
  for (int i = 0; i < d->field_count(); ++i) {
    const pb::FieldDescriptor* f = d->field(i);
    if (f->is_repeated() ? r->FieldSize(m, f) == 0 : !r->HasField(m, f)) continue;
    out << (first ? "\n" : ",\n") << pad;
    first = false;
    JsonString(out, f->name());
    out << ": ";
    if (!f->is_repeated()) {
      JsonValue(out, m, f, 0, indent + 2);
      continue;
    }
    out << "[";
    for (int k = 0; k < r->FieldSize(m, f); ++k) {
      out << (k == 0 ? "\n" : ",\n") << pad << "  ";
      JsonValue(out, m, f, k, indent + 4);
    }
    out << "\n" << pad << "]";
  }
  out << (first ? "}" : "\n" + std::string(indent, ' ') + "}");
}

void PrintHead(Env& env, const v1::SignedTreeHead& h) {
  *env.out << "tree_size:  " << h.tree_size() << "\n"
           << "root_hash:  " << Hex(h.root_hash()) << "\n"
           << "timestamp:  " << FormatMicros(h.timestamp_unix_micros()) << " ("
           << h.timestamp_unix_micros() << ")\n"
           << "signature:  " << Hex(h.signature()) << "\n";
}

std::string Change(const v1::AuditEvent& e) {
  if (e.state_before().empty() && e.state_after().empty()) return "-";
  return (e.state_before().empty() ? "(new)" : e.state_before()) + " -> " + e.state_after();
}

std::vector<std::string> EventRow(const v1::AuditEvent& e) {
  return {std::to_string(e.seq()),
          FormatMicros(e.timestamp_unix_micros()),
          e.actor(),
          e.role(),
          e.action(),
          e.object_type() + " " + e.object_id(),
          Change(e),
          e.reason().empty() ? "-" : e.reason()};
}

const std::vector<std::string> kEventHeader = {"SEQ",    "WHEN (UTC)", "WHO",   "ROLE",
                                               "ACTION", "OBJECT",     "STATE", "REASON"};

// Checks newest against the last head this client verified (the state file): never
// smaller, the same root at the same size, and a verified consistency proof otherwise.
// Sets *note to a sentence for the output.
absl::Status CheckAgainstLastSeen(v1::AuditService::Stub& stub, const v1::SignedTreeHead& newest,
                                  const std::optional<AuditState>& state, std::string* note) {
  if (!state.has_value()) {
    *note = "no earlier head recorded for this profile";
    return absl::OkStatus();
  }
  const v1::SignedTreeHead& old = state->head;
  if (newest.tree_size() < old.tree_size()) {
    return absl::DataLossError(absl::StrCat(
        "ROLLED-BACK: the server's newest head has size ", newest.tree_size(),
        ", smaller than the head of size ", old.tree_size(), " this client verified (signed ",
        FormatMicros(old.timestamp_unix_micros()), "): the log was truncated or rolled back"));
  }
  if (newest.tree_size() == old.tree_size()) {
    if (newest.root_hash() != old.root_hash()) {
      return absl::DataLossError(absl::StrCat(
          "HISTORY-REWRITTEN: two different signed roots for tree size ", old.tree_size(), ": ",
          Hex(old.root_hash()), " (seen before) and ", Hex(newest.root_hash()), " (now)"));
    }
    *note = absl::StrCat("same tree as the head of size ", old.tree_size(), " seen before");
    return absl::OkStatus();
  }
  if (old.tree_size() == 0) {
    *note = "the earlier head was empty";
    return absl::OkStatus();
  }
  v1::GetConsistencyProofRequest req;
  req.set_from_size(old.tree_size());
  req.set_to_size(newest.tree_size());
  v1::GetConsistencyProofResponse resp;
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  grpc::Status st = stub.GetConsistencyProof(&ctx, req, &resp);
  if (!st.ok()) {
    return absl::UnavailableError(absl::StrCat("consistency proof from size ", old.tree_size(),
                                               " to ", newest.tree_size(),
                                               " unavailable: ", st.error_message()));
  }
  if (resp.proof().from_size() != old.tree_size() || resp.proof().to_size() != newest.tree_size()) {
    return absl::DataLossError("PROOF: the consistency proof is for other sizes than requested");
  }
  std::vector<std::string> hashes(resp.proof().hashes().begin(), resp.proof().hashes().end());
  absl::Status ok = CheckConsistency(static_cast<uint64_t>(old.tree_size()),
                                     static_cast<uint64_t>(newest.tree_size()), old.root_hash(),
                                     newest.root_hash(), hashes);
  if (!ok.ok()) {
    return absl::DataLossError(absl::StrCat("HISTORY-REWRITTEN: the log of size ",
                                            newest.tree_size(), " does not extend the log of size ",
                                            old.tree_size(),
                                            " this client verified: ", ok.message()));
  }
  *note = absl::StrCat("consistent with the head of size ", old.tree_size(),
                       " this client verified before (", hashes.size(), "-hash proof)");
  return absl::OkStatus();
}

absl::StatusOr<std::optional<AuditState>> LoadState(const Env& env) {
  return LoadAuditState(AuditStatePath(env.profile.path));
}

int Head(Env& env) {
  absl::StatusOr<std::string> key = PinnedKey(env);
  if (!key.ok()) return Report(env, key.status());
  auto stub = v1::AuditService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::GetTreeHeadResponse resp;
  grpc::Status st = stub->GetTreeHead(&ctx, v1::GetTreeHeadRequest(), &resp);
  if (!st.ok()) return Report(env, st);
  if (absl::Status c = CheckHead(resp.head(), *key); !c.ok()) return Loud(env, c);
  absl::StatusOr<std::optional<AuditState>> state = LoadState(env);
  if (!state.ok()) return Report(env, state.status());
  std::string note;
  if (absl::Status c = CheckAgainstLastSeen(*stub, resp.head(), *state, &note); !c.ok()) {
    return Loud(env, c);
  }
  if (env.json) {
    PrintAuditJson(*env.out, resp);
    return 0;
  }
  PrintHead(env, resp.head());
  *env.out << "checked:    signature valid under the pinned audit key "
           << env.profile.audit_public_key_hex << "; " << note << "\n";
  return 0;
}

struct RangeArgs {
  int64_t from = -1;
  int64_t to = -1;
};

int Events(Env& env, const RangeArgs& a) {
  v1::GetEventsRequest req;
  req.set_from_seq(a.from);
  req.set_to_seq(a.to);
  auto stub = v1::AuditService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::GetEventsResponse resp;
  grpc::Status st = stub->GetEvents(&ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintAuditJson(*env.out, resp);
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const v1::AuditEvent& e : resp.events()) {
      std::vector<std::string> row = EventRow(e);
      std::string b64;
      absl::Base64Escape(e.leaf(), &b64);
      row.push_back(b64);
      rows.push_back(std::move(row));
    }
    std::vector<std::string> header = kEventHeader;
    header.push_back("LEAF (base64)");
    PrintTable(*env.out, header, rows);
  }
  // The fields shown must be the ones the leaf bytes commit to.
  for (const v1::AuditEvent& e : resp.events()) {
    if (absl::Status c = CheckEventMatchesLeaf(e); !c.ok()) return Loud(env, c);
  }
  return 0;
}

struct ProveArgs {
  int64_t seq = -1;
  int64_t size = 0;
};

int Prove(Env& env, const ProveArgs& a) {
  absl::StatusOr<std::string> key = PinnedKey(env);
  if (!key.ok()) return Report(env, key.status());
  v1::GetInclusionProofRequest req;
  req.set_seq(a.seq);
  req.set_tree_size(a.size);
  auto stub = v1::AuditService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::GetInclusionProofResponse resp;
  grpc::Status st = stub->GetInclusionProof(&ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  std::string verdict =
      "not verified: no signed head of this size is stored (heads are signed "
      "once per commit batch; omit --size to use the newest)";
  if (resp.has_head()) {
    if (absl::Status c = CheckHead(resp.head(), *key); !c.ok()) return Loud(env, c);
    if (absl::Status c = CheckEventInclusion(resp.event(), resp.proof(), resp.head()); !c.ok()) {
      return Loud(env, c);
    }
    verdict = absl::StrCat("verified: event ", resp.event().seq(),
                           " is in the tree of the signed head of size ", resp.head().tree_size(),
                           " (signature checked with the pinned key)");
  }
  if (env.json) {
    PrintAuditJson(*env.out, resp);
    return 0;
  }
  *env.out << "leaf_index: " << resp.proof().leaf_index() << "\n"
           << "tree_size:  " << resp.proof().tree_size() << "\n"
           << "leaf_hash:  " << Hex(AuditLeafHash(resp.event().leaf())) << "\n"
           << "path:       " << resp.proof().hashes_size() << " hashes, leaf side first\n";
  for (const std::string& h : resp.proof().hashes()) *env.out << "  " << Hex(h) << "\n";
  if (resp.has_head()) *env.out << "root_hash:  " << Hex(resp.head().root_hash()) << "\n";
  *env.out << verdict << "\n";
  return 0;
}

int Consistency(Env& env, const RangeArgs& a) {
  absl::StatusOr<std::string> key = PinnedKey(env);
  if (!key.ok()) return Report(env, key.status());
  v1::GetConsistencyProofRequest req;
  req.set_from_size(a.from);
  req.set_to_size(a.to);
  auto stub = v1::AuditService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::GetConsistencyProofResponse resp;
  grpc::Status st = stub->GetConsistencyProof(&ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  std::string verdict = "not verified: no signed head is stored for both sizes";
  if (resp.has_from_head() && resp.has_to_head()) {
    for (const v1::SignedTreeHead* h : {&resp.from_head(), &resp.to_head()}) {
      if (absl::Status c = CheckHead(*h, *key); !c.ok()) return Loud(env, c);
    }
    std::vector<std::string> hashes(resp.proof().hashes().begin(), resp.proof().hashes().end());
    absl::Status c =
        CheckConsistency(static_cast<uint64_t>(resp.from_head().tree_size()),
                         static_cast<uint64_t>(resp.to_head().tree_size()),
                         resp.from_head().root_hash(), resp.to_head().root_hash(), hashes);
    if (!c.ok()) {
      return Loud(
          env, absl::DataLossError(absl::StrCat("HISTORY-REWRITTEN: ", std::string(c.message()))));
    }
    verdict = absl::StrCat("verified: the signed tree of size ", resp.to_head().tree_size(),
                           " extends the signed tree of size ", resp.from_head().tree_size());
  }
  if (env.json) {
    PrintAuditJson(*env.out, resp);
    return 0;
  }
  *env.out << "from_size:  " << resp.proof().from_size() << "\n"
           << "to_size:    " << resp.proof().to_size() << "\n"
           << "proof:      " << resp.proof().hashes_size() << " hashes\n";
  for (const std::string& h : resp.proof().hashes()) *env.out << "  " << Hex(h) << "\n";
  *env.out << verdict << "\n";
  return 0;
}

struct TimelineArgs {
  std::string id;
  bool verify = false;
};

int Timeline(Env& env, const TimelineArgs& a) {
  v1::TimelineRequest req;
  req.set_object_id(a.id);
  auto stub = v1::AuditService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::TimelineResponse resp;
  grpc::Status st = stub->Timeline(&ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  std::string verdict = "not verified (add --verify to check every inclusion proof)";
  if (a.verify) {
    absl::StatusOr<std::string> key = PinnedKey(env);
    if (!key.ok()) return Report(env, key.status());
    if (absl::Status c = CheckTimeline(resp, *key); !c.ok()) return Loud(env, c);
    absl::StatusOr<std::optional<AuditState>> state = LoadState(env);
    if (!state.ok()) return Report(env, state.status());
    std::string note;
    if (absl::Status c = CheckAgainstLastSeen(*stub, resp.head(), *state, &note); !c.ok()) {
      return Loud(env, c);
    }
    verdict =
        absl::StrCat("verified: ", resp.entries_size(),
                     " events, each with its inclusion proof, against the signed head of "
                     "size ",
                     resp.head().tree_size(), " (root ", Hex(resp.head().root_hash()).substr(0, 16),
                     "..., signature checked with the pinned key); ", note);
  }
  if (env.json) {
    PrintAuditJson(*env.out, resp);
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const v1::TimelineEntry& e : resp.entries()) rows.push_back(EventRow(e.event()));
  std::string objects;
  for (const std::string& id : resp.object_ids()) objects += (objects.empty() ? "" : ", ") + id;
  *env.out << "timeline of " << a.id << " (objects: " << objects << ")\n";
  PrintTable(*env.out, kEventHeader, rows);
  *env.out << verdict << "\n";
  return 0;
}

int Verify(Env& env, bool full) {
  absl::StatusOr<std::string> key = PinnedKey(env);
  if (!key.ok()) return Report(env, key.status());
  auto stub = v1::AuditService::NewStub(env.channel);
  v1::GetTreeHeadResponse newest;
  {
    grpc::ClientContext ctx;
    SetDeadline(ctx);
    grpc::Status st = stub->GetTreeHead(&ctx, v1::GetTreeHeadRequest(), &newest);
    if (!st.ok()) return Report(env, st);
  }
  const v1::SignedTreeHead& head = newest.head();
  if (absl::Status c = CheckHead(head, *key); !c.ok()) return Loud(env, c);
  const std::string state_path = AuditStatePath(env.profile.path);
  absl::StatusOr<std::optional<AuditState>> state = LoadAuditState(state_path);
  if (!state.ok()) return Report(env, state.status());
  std::string note;
  if (absl::Status c = CheckAgainstLastSeen(*stub, head, *state, &note); !c.ok()) {
    return Loud(env, c);
  }

  // Every event not yet checked one by one: all of them with --full or on the first run,
  // otherwise those added since the last verified head, resuming its saved subtrees.
  TreeBuilder tree;
  if (!full && state->has_value() && !(*state)->frontier.empty()) {
    absl::StatusOr<TreeBuilder> resumed =
        TreeBuilder::Resume(static_cast<uint64_t>((*state)->head.tree_size()), (*state)->frontier);
    if (resumed.ok()) tree = *std::move(resumed);
  }
  const uint64_t size = static_cast<uint64_t>(head.tree_size());
  const uint64_t first_checked = tree.size();
  for (uint64_t from = tree.size(); from < size; from += kEventsPerPage) {
    const uint64_t to = std::min<uint64_t>(from + kEventsPerPage - 1, size - 1);
    v1::GetEventsRequest req;
    req.set_from_seq(static_cast<int64_t>(from));
    req.set_to_seq(static_cast<int64_t>(to));
    v1::GetEventsResponse page;
    grpc::ClientContext ctx;
    SetDeadline(ctx);
    grpc::Status st = stub->GetEvents(&ctx, req, &page);
    if (!st.ok()) return Report(env, st);
    if (absl::Status c = CheckEventRun(page, from, to, size, tree); !c.ok()) return Loud(env, c);
  }
  if (tree.Root() != head.root_hash()) {
    return Loud(
        env, absl::DataLossError(absl::StrCat("EDITED: the root recomputed from the ", size,
                                              " events the server returned is ", Hex(tree.Root()),
                                              ", but the signed head says ", Hex(head.root_hash()),
                                              ": events were altered after they were signed")));
  }
  if (absl::Status s = SaveAuditState({head, tree.frontier()}, state_path); !s.ok()) {
    return Report(env, s);
  }
  if (env.json) {
    PrintAuditJson(*env.out, newest);
    return 0;
  }
  *env.out << "audit log verified\n";
  PrintHead(env, head);
  *env.out << "signature:  valid under the pinned audit key\n"
           << "history:    " << note << "\n"
           << "events:     " << (size - first_checked) << " checked one by one";
  if (size > first_checked) *env.out << " (seq " << first_checked << ".." << size - 1 << ")";
  *env.out << "; the root recomputed from all " << size << " leaves matches the signed root\n"
           << "state:      " << state_path << "\n";
  return 0;
}

// Arguments of the audit commands; they must outlive parsing, so they live here.
struct AuditArgs {
  RangeArgs events;
  ProveArgs prove;
  RangeArgs consistency;
  TimelineArgs timeline;
  bool full = false;
};

}  // namespace

void PrintAuditJson(std::ostream& out, const google::protobuf::Message& message) {
  JsonMessage(out, message, 0);
  out << "\n";
}

std::shared_ptr<void> AddAuditCommands(CLI::App& app, Env& env, Action& action) {
  auto holder = std::make_shared<AuditArgs>();
  AuditArgs* a = holder.get();
  CLI::App* audit = app.add_subcommand(
      "audit", "the tamper-evident audit log: heads, events, proofs, timelines, verification");
  audit->require_subcommand(1);

  audit->add_subcommand("head", "print the newest signed tree head and check its signature")
      ->callback([&env, &action] { action = [&env] { return Head(env); }; });

  CLI::App* events =
      audit->add_subcommand("events", "print events with their canonical leaf bytes");
  events->add_option("--from", a->events.from, "first seq")->required();
  events->add_option("--to", a->events.to, "last seq (inclusive; at most from + 999)")->required();
  events->callback([&env, &action, a] { action = [&env, a] { return Events(env, a->events); }; });

  CLI::App* prove = audit->add_subcommand("prove", "inclusion proof of one event");
  prove->add_option("seq", a->prove.seq, "the event's seq (leaf index)")->required();
  prove->add_option("--size", a->prove.size, "tree size (default: the newest head's)");
  prove->callback([&env, &action, a] { action = [&env, a] { return Prove(env, a->prove); }; });

  CLI::App* consistency = audit->add_subcommand("consistency", "consistency proof between sizes");
  consistency->add_option("--from", a->consistency.from, "older tree size (>= 1)")->required();
  consistency->add_option("--to", a->consistency.to, "newer tree size (default: the newest)");
  a->consistency.to = 0;
  consistency->callback(
      [&env, &action, a] { action = [&env, a] { return Consistency(env, a->consistency); }; });

  CLI::App* timeline = audit->add_subcommand(
      "timeline", "every event of a petition, lead or case and the objects linked to it");
  timeline->add_option("id", a->timeline.id, "object id")->required();
  timeline->add_flag("--verify", a->timeline.verify,
                     "check the head's signature and every inclusion proof");
  timeline->callback(
      [&env, &action, a] { action = [&env, a] { return Timeline(env, a->timeline); }; });

  CLI::App* verify = audit->add_subcommand(
      "verify",
      "check the newest head against the last one this client saw (consistency proof), check "
      "the events added since one by one, and remember the newest");
  verify->add_flag("--full", a->full, "re-check every event from seq 0, not only the new ones");
  verify->callback([&env, &action, a] { action = [&env, a] { return Verify(env, a->full); }; });
  return holder;
}

}  // namespace jijian::client
