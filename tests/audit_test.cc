// The audit service over real mutual TLS on loopback: signed heads checked against the
// pinned key, every inclusion and consistency proof verified by the client's own verifier,
// forged proofs and foreign signatures rejected, bad input named, timelines following
// object links, and the `jijian audit` commands.
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <sstream>
#include <tuple>

#include "absl/strings/escaping.h"
#include "client/audit_commands.h"
#include "client/audit_state.h"
#include "client/audit_verify.h"
#include "client/profile.h"
#include "client/proof_verify.h"
#include "jijian/v1/audit.grpc.pb.h"
#include "storage/crypto.h"
#include "tests/test_server.h"

namespace jijian::testing {
namespace {

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    deploy_ = TestDeployment::Start();
    ASSERT_NE(deploy_, nullptr);
    auditor_profile_ = deploy_->AddUser("audit.one", "auditor");
    audit_ = v1::AuditService::NewStub(deploy_->Channel(auditor_profile_));
    key_ = *storage::FromHex(client::LoadProfile(auditor_profile_)->audit_public_key_hex);
  }

  v1::SignedTreeHead Newest() {
    grpc::ClientContext ctx;
    v1::GetTreeHeadResponse resp;
    grpc::Status st = audit_->GetTreeHead(&ctx, v1::GetTreeHeadRequest(), &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.head();
  }

  grpc::Status Prove(int64_t seq, int64_t size, v1::GetInclusionProofResponse* resp) {
    v1::GetInclusionProofRequest req;
    req.set_seq(seq);
    req.set_tree_size(size);
    grpc::ClientContext ctx;
    return audit_->GetInclusionProof(&ctx, req, resp);
  }

  grpc::Status Consistency(int64_t from, int64_t to, v1::GetConsistencyProofResponse* resp) {
    v1::GetConsistencyProofRequest req;
    req.set_from_size(from);
    req.set_to_size(to);
    grpc::ClientContext ctx;
    return audit_->GetConsistencyProof(&ctx, req, resp);
  }

  grpc::Status Events(int64_t from, int64_t to, v1::GetEventsResponse* resp) {
    v1::GetEventsRequest req;
    req.set_from_seq(from);
    req.set_to_seq(to);
    grpc::ClientContext ctx;
    return audit_->GetEvents(&ctx, req, resp);
  }

  grpc::Status Timeline(const std::string& id, v1::TimelineResponse* resp) {
    v1::TimelineRequest req;
    req.set_object_id(id);
    grpc::ClientContext ctx;
    return audit_->Timeline(&ctx, req, resp);
  }

  // Links two objects as the petition code will (object_links, schema v2).
  void Link(const std::string& from, const std::string& to, const std::string& kind) {
    absl::StatusOr<std::string> done = deploy_->server().store().Apply(
        {"system", "system", ""}, "", [&](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
          absl::StatusOr<storage::Stmt> ins = txn.db().Prepare(
              "INSERT INTO object_links(from_id, to_id, kind, created_us) VALUES (?,?,?,?)");
          if (!ins.ok()) return ins.status();
          ins->Bind(from, to, kind, txn.now_us());
          if (absl::Status st = ins->Run(); !st.ok()) return st;
          return std::string();
        });
    ASSERT_TRUE(done.ok()) << done.status();
  }

  std::vector<std::string> Cli(std::vector<std::string> args, int* code, std::string* err) {
    args.insert(args.begin(), {"--profile", auditor_profile_});
    CommandResult r = RunBinary("jijian", args);
    *code = r.exit_code;
    *err = r.err;
    return {r.out};
  }

  std::unique_ptr<TestDeployment> deploy_;
  std::string auditor_profile_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
  std::string key_;
};

TEST_F(AuditTest, HeadIsSignedByThePinnedKeyAndNoOther) {
  v1::SignedTreeHead head = Newest();
  EXPECT_GE(head.tree_size(), 4);  // init's two events, then the auditor's user and cert
  EXPECT_TRUE(client::CheckHead(head, key_).ok());

  absl::StatusOr<storage::Ed25519KeyPair> other = storage::GenerateEd25519();
  ASSERT_TRUE(other.ok());
  absl::Status st = client::CheckHead(head, other->public_key);
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(st.message().find("SIGNATURE"), std::string::npos) << st;

  // A head the other key signed properly is still refused under the pinned key.
  v1::SignedTreeHead forged = head;
  forged.set_signature(
      *storage::Ed25519Sign(other->private_key, client::TreeHeadSignedBytes(head)));
  EXPECT_TRUE(client::CheckEd25519(other->public_key, client::TreeHeadSignedBytes(forged),
                                   forged.signature())
                  .ok());
  EXPECT_EQ(client::CheckHead(forged, key_).code(), absl::StatusCode::kDataLoss);
  // Any changed field breaks the real signature.
  v1::SignedTreeHead bigger = head;
  bigger.set_tree_size(head.tree_size() + 1);
  EXPECT_FALSE(client::CheckHead(bigger, key_).ok());
  v1::SignedTreeHead later = head;
  later.set_timestamp_unix_micros(head.timestamp_unix_micros() + 1);
  EXPECT_FALSE(client::CheckHead(later, key_).ok());
}

TEST_F(AuditTest, EveryInclusionAndConsistencyProofVerifies) {
  for (int i = 0; i < 5; ++i) deploy_->AddUser("user." + std::to_string(i), "registrar");
  const v1::SignedTreeHead head = Newest();
  ASSERT_TRUE(client::CheckHead(head, key_).ok());
  std::vector<v1::SignedTreeHead> heads;
  for (int64_t size = 1; size <= head.tree_size(); ++size) {
    v1::GetTreeHeadRequest req;
    req.set_tree_size(size);
    grpc::ClientContext ctx;
    v1::GetTreeHeadResponse resp;
    if (audit_->GetTreeHead(&ctx, req, &resp).ok()) {
      ASSERT_TRUE(client::CheckHead(resp.head(), key_).ok());
      heads.push_back(resp.head());
    }
  }
  ASSERT_GE(heads.size(), 6u);  // one per commit batch
  for (const v1::SignedTreeHead& h : heads) {
    for (int64_t seq = 0; seq < h.tree_size(); ++seq) {
      v1::GetInclusionProofResponse resp;
      grpc::Status st = Prove(seq, h.tree_size(), &resp);
      ASSERT_TRUE(st.ok()) << st.error_message();
      ASSERT_TRUE(resp.has_head());
      EXPECT_EQ(resp.head().root_hash(), h.root_hash());
      absl::Status ok = client::CheckEventInclusion(resp.event(), resp.proof(), h);
      EXPECT_TRUE(ok.ok()) << "seq " << seq << " size " << h.tree_size() << ": " << ok;
    }
    v1::GetConsistencyProofResponse resp;
    ASSERT_TRUE(Consistency(h.tree_size(), 0, &resp).ok());
    std::vector<std::string> hashes(resp.proof().hashes().begin(), resp.proof().hashes().end());
    EXPECT_TRUE(client::CheckConsistency(h.tree_size(), head.tree_size(), h.root_hash(),
                                         head.root_hash(), hashes)
                    .ok())
        << h.tree_size();
  }
}

TEST_F(AuditTest, ForgedProofsAreRejectedByTheClientVerifier) {
  for (int i = 0; i < 6; ++i) deploy_->AddUser("user." + std::to_string(i), "registrar");
  const v1::SignedTreeHead head = Newest();
  v1::GetInclusionProofResponse good;
  ASSERT_TRUE(Prove(5, 0, &good).ok());
  ASSERT_GE(good.proof().hashes_size(), 2);
  ASSERT_TRUE(client::CheckEventInclusion(good.event(), good.proof(), head).ok());

  auto rejected = [&](const v1::AuditEvent& e, const v1::InclusionProof& p) {
    return !client::CheckEventInclusion(e, p, head).ok();
  };
  v1::InclusionProof shorter = good.proof();
  shorter.mutable_hashes()->RemoveLast();
  EXPECT_TRUE(rejected(good.event(), shorter)) << "wrong length (short)";
  v1::InclusionProof longer = good.proof();
  longer.add_hashes(good.proof().hashes(0));
  EXPECT_TRUE(rejected(good.event(), longer)) << "wrong length (long)";
  v1::InclusionProof swapped = good.proof();
  swapped.mutable_hashes()->SwapElements(0, 1);
  EXPECT_TRUE(rejected(good.event(), swapped)) << "swapped nodes";
  v1::InclusionProof resized = good.proof();
  resized.set_tree_size(head.tree_size() + 1);
  EXPECT_TRUE(rejected(good.event(), resized)) << "wrong size";
  v1::InclusionProof other_leaf = good.proof();
  other_leaf.set_leaf_index(4);
  EXPECT_TRUE(rejected(good.event(), other_leaf)) << "wrong index";
  for (int i = 0; i < good.proof().hashes_size(); ++i) {
    v1::InclusionProof flipped = good.proof();
    (*flipped.mutable_hashes(i))[7] ^= 1;
    EXPECT_TRUE(rejected(good.event(), flipped)) << "changed node " << i;
  }
  v1::AuditEvent edited = good.event();
  edited.set_action("user.remove");
  EXPECT_TRUE(rejected(edited, good.proof())) << "field differs from leaf";
  v1::AuditEvent rewritten = good.event();
  rewritten.mutable_leaf()->back() ^= 1;
  EXPECT_TRUE(rejected(rewritten, good.proof())) << "leaf bytes changed";

  v1::GetConsistencyProofResponse cons;
  ASSERT_TRUE(Consistency(3, 0, &cons).ok());
  v1::GetTreeHeadRequest at3;
  at3.set_tree_size(3);
  std::vector<std::string> hashes(cons.proof().hashes().begin(), cons.proof().hashes().end());
  ASSERT_GE(hashes.size(), 2u);
  const std::string old_root = cons.has_from_head() ? cons.from_head().root_hash() : "";
  if (!old_root.empty()) {
    ASSERT_TRUE(
        client::CheckConsistency(3, head.tree_size(), old_root, head.root_hash(), hashes).ok());
    std::vector<std::string> swapped_c = hashes;
    std::swap(swapped_c[0], swapped_c[1]);
    EXPECT_FALSE(
        client::CheckConsistency(3, head.tree_size(), old_root, head.root_hash(), swapped_c).ok());
    std::vector<std::string> short_c(hashes.begin(), hashes.end() - 1);
    EXPECT_FALSE(
        client::CheckConsistency(3, head.tree_size(), old_root, head.root_hash(), short_c).ok());
    EXPECT_FALSE(
        client::CheckConsistency(3, head.tree_size() + 1, old_root, head.root_hash(), hashes).ok());
  }
}

TEST_F(AuditTest, BadInputIsInvalidArgumentNamingTheField) {
  const int64_t size = Newest().tree_size();
  auto expect = [](const grpc::Status& st, const std::string& field) {
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << field << ": " << st.error_message();
    EXPECT_EQ(st.error_message().rfind(field + ":", 0), 0u) << st.error_message();
  };
  v1::GetInclusionProofResponse p;
  expect(Prove(-1, 0, &p), "seq");
  expect(Prove(size, 0, &p), "seq");
  expect(Prove(3, 2, &p), "seq");
  expect(Prove(0, size + 1, &p), "tree_size");
  expect(Prove(0, -5, &p), "tree_size");
  v1::GetConsistencyProofResponse c;
  expect(Consistency(0, 0, &c), "from_size");
  expect(Consistency(3, 2, &c), "from_size");
  expect(Consistency(1, size + 1, &c), "to_size");
  v1::GetEventsResponse e;
  expect(Events(-1, 0, &e), "from_seq");
  expect(Events(2, 1, &e), "to_seq");
  expect(Events(0, 1000, &e), "to_seq");  // 1001 events
  expect(Events(0, size, &e), "to_seq");  // beyond the log
  EXPECT_TRUE(Events(0, size - 1, &e).ok());
  EXPECT_EQ(e.events_size(), size);
  v1::TimelineResponse t;
  expect(Timeline("", &t), "object_id");
  expect(Timeline(std::string(200, 'x'), &t), "object_id");
  EXPECT_EQ(Timeline("XF-2099-999999", &t).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::GetTreeHeadRequest req;
  req.set_tree_size(size + 100);
  grpc::ClientContext ctx;
  v1::GetTreeHeadResponse h;
  EXPECT_EQ(audit_->GetTreeHead(&ctx, req, &h).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(AuditTest, OnlyAuditorsLeadersAndAdminsMayRead) {
  for (const auto& [user, role, allowed] :
       {std::tuple<std::string, std::string, bool>{"reg.one", "registrar", false},
        {"insp.one", "inspector", false},
        {"lead.one", "leader", true}}) {
    auto stub = v1::AuditService::NewStub(deploy_->Channel(deploy_->AddUser(user, role)));
    grpc::ClientContext ctx;
    v1::GetTreeHeadResponse resp;
    grpc::Status st = stub->GetTreeHead(&ctx, v1::GetTreeHeadRequest(), &resp);
    EXPECT_EQ(st.ok(), allowed) << role << ": " << st.error_message();
    if (!allowed) {
      EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    }
  }
}

TEST_F(AuditTest, EventsAreTheColumnsAndTheirLeafBytesWithoutGaps) {
  const v1::SignedTreeHead head = Newest();
  v1::GetEventsResponse resp;
  ASSERT_TRUE(Events(0, head.tree_size() - 1, &resp).ok());
  client::TreeBuilder tree;
  ASSERT_TRUE(client::CheckEventRun(resp, 0, head.tree_size() - 1, head.tree_size(), tree).ok());
  EXPECT_EQ(tree.Root(), head.root_hash());
  EXPECT_EQ(resp.events(0).action(), "user.add");
  EXPECT_EQ(resp.events(0).object_id(), "admin");
}

TEST_F(AuditTest, TimelineFollowsLinksBothWaysWithProofsAgainstOneHead) {
  deploy_->AddUser("chain.a", "registrar");
  deploy_->AddUser("chain.b", "registrar");
  deploy_->AddUser("chain.c", "registrar");
  deploy_->AddUser("unrelated", "registrar");
  Link("chain.a", "chain.b", "lead");  // petition -> lead
  Link("chain.b", "chain.c", "case");  // lead -> case
  for (const std::string id : {"chain.a", "chain.b", "chain.c"}) {
    v1::TimelineResponse t;
    grpc::Status st = Timeline(id, &t);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(std::vector<std::string>(t.object_ids().begin(), t.object_ids().end()),
              (std::vector<std::string>{"chain.a", "chain.b", "chain.c"}));
    ASSERT_EQ(t.entries_size(), 3);  // user.add of each (their certificates are other objects)
    EXPECT_EQ(t.entries(0).event().object_id(), "chain.a");
    EXPECT_EQ(t.entries(2).event().object_id(), "chain.c");
    absl::Status ok = client::CheckTimeline(t, key_);
    EXPECT_TRUE(ok.ok()) << ok;
    for (const v1::TimelineEntry& e : t.entries()) {
      EXPECT_EQ(e.proof().tree_size(), t.head().tree_size());
    }
    // A server that reorders or drops an entry's proof is caught.
    v1::TimelineResponse reordered = t;
    reordered.mutable_entries()->SwapElements(0, 1);
    EXPECT_FALSE(client::CheckTimeline(reordered, key_).ok());
    v1::TimelineResponse foreign = t;
    foreign.clear_object_ids();
    foreign.add_object_ids(id);
    EXPECT_FALSE(client::CheckTimeline(foreign, key_).ok());
  }
}

TEST_F(AuditTest, JsonPrintsHashesAsHexAndLeavesAsBase64) {
  v1::GetInclusionProofResponse resp;
  ASSERT_TRUE(Prove(1, 0, &resp).ok());
  std::ostringstream out;
  client::PrintAuditJson(out, resp);
  const std::string json = out.str();
  EXPECT_NE(json.find("\"root_hash\": \"" + storage::ToHex(resp.head().root_hash()) + "\""),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"" + storage::ToHex(resp.proof().hashes(0)) + "\""), std::string::npos);
  std::string b64;
  absl::Base64Escape(resp.event().leaf(), &b64);
  EXPECT_NE(json.find("\"leaf\": \"" + b64 + "\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"tree_size\": \"" + std::to_string(resp.head().tree_size()) + "\""),
            std::string::npos);
  // Without bytes fields it is exactly protobuf JSON: it parses back to the same message.
  v1::AuditEvent plain = resp.event();
  plain.clear_leaf();
  std::ostringstream event_json;
  client::PrintAuditJson(event_json, plain);
  v1::AuditEvent parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(event_json.str(), &parsed).ok());
  EXPECT_EQ(parsed.SerializeAsString(), plain.SerializeAsString());
}

TEST_F(AuditTest, CliVerifiesHeadTimelineAndHistoryAndStoresTheState) {
  int code = 0;
  std::string err;
  std::string out = Cli({"audit", "head"}, &code, &err)[0];
  EXPECT_EQ(code, 0) << err;
  EXPECT_NE(out.find("signature valid under the pinned audit key"), std::string::npos) << out;

  out = Cli({"audit", "verify"}, &code, &err)[0];
  ASSERT_EQ(code, 0) << err;
  EXPECT_NE(out.find("no earlier head recorded"), std::string::npos) << out;
  const std::string state_path = client::AuditStatePath(auditor_profile_);
  absl::StatusOr<std::optional<client::AuditState>> state = client::LoadAuditState(state_path);
  ASSERT_TRUE(state.ok() && state->has_value());
  const int64_t first_size = (*state)->head.tree_size();

  deploy_->AddUser("later.one", "registrar");
  out = Cli({"audit", "verify"}, &code, &err)[0];
  ASSERT_EQ(code, 0) << err;
  EXPECT_NE(out.find("consistent with the head of size " + std::to_string(first_size)),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("2 checked one by one"), std::string::npos) << out;  // only the new ones

  out = Cli({"audit", "timeline", "later.one", "--verify"}, &code, &err)[0];
  EXPECT_EQ(code, 0) << err;
  EXPECT_NE(out.find("user.add"), std::string::npos) << out;
  EXPECT_NE(out.find("verified: 1 events"), std::string::npos) << out;

  out = Cli({"--json", "audit", "head"}, &code, &err)[0];
  EXPECT_EQ(code, 0) << err;
  EXPECT_NE(out.find("\"root_hash\": \"" + storage::ToHex(Newest().root_hash()) + "\""),
            std::string::npos)
      << out;

  // A state that claims a bigger log than the server now shows: reported loudly.
  state = client::LoadAuditState(state_path);
  client::AuditState bigger = **state;
  bigger.head.set_tree_size(bigger.head.tree_size() + 10);
  ASSERT_TRUE(client::SaveAuditState(bigger, state_path).ok());
  Cli({"audit", "verify"}, &code, &err);
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find("AUDIT VERIFICATION FAILED: ROLLED-BACK"), std::string::npos) << err;
  // The same size with another root: a rewritten history.
  client::AuditState forked = **state;
  (*forked.head.mutable_root_hash())[0] ^= 1;
  ASSERT_TRUE(client::SaveAuditState(forked, state_path).ok());
  Cli({"audit", "timeline", "later.one", "--verify"}, &code, &err);
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find("HISTORY-REWRITTEN"), std::string::npos) << err;
}

TEST_F(AuditTest, CliBadRangesAreRefusedNamingTheField) {
  int code = 0;
  std::string err;
  Cli({"audit", "events", "--from", "5", "--to", "2"}, &code, &err);
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find("INVALID_ARGUMENT: to_seq"), std::string::npos) << err;
  Cli({"audit", "consistency", "--from", "0"}, &code, &err);
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find("INVALID_ARGUMENT: from_size"), std::string::npos) << err;
  std::string out = Cli({"audit", "prove", "1"}, &code, &err)[0];
  EXPECT_EQ(code, 0) << err;
  EXPECT_NE(out.find("verified: event 1"), std::string::npos) << out;
}

}  // namespace
}  // namespace jijian::testing
