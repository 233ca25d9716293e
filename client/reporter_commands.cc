#include "client/reporter_commands.h"

#include "client/cli_parse.h"
#include "client/output.h"
#include "jijian/v1/petition.grpc.pb.h"

namespace jijian::client {
namespace {

struct ReporterArgs {
  std::string category = "accusation";
  PetitionFlags petition;
  std::string receipt, material_text, material_file;
};

int Submit(Env& env, const ReporterArgs& a) {
  v1::Category category;
  if (!ParseEnumFlag("CATEGORY_", a.category, v1::Category_Parse, &category)) {
    return Report(env, BadFlag("--category", "accusation, complaint, appeal, suggestion"));
  }
  v1::RegisterPetitionRequest fields;
  if (absl::Status st = FillPetition(a.petition, &fields); !st.ok()) return Report(env, st);
  v1::SubmitPetitionRequest req;
  req.set_request_id(NewRequestId());
  req.set_category(category);
  req.set_anonymous(fields.anonymous());
  *req.mutable_reporter() = fields.reporter();
  *req.mutable_subjects() = fields.subjects();
  *req.mutable_disciplines() = fields.disciplines();
  req.set_summary(fields.summary());
  req.set_content(fields.content());
  auto stub = v1::ReporterService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::SubmitPetitionResponse resp;
  grpc::Status st = stub->SubmitPetition(&ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
    return 0;
  }
  *env.out << "submitted " << resp.id() << ", received " << resp.received_date() << "\n"
           << "receipt code: " << resp.receipt_code() << "\n"
           << "keep the receipt code: it is shown only once and is the only way to check the "
              "status, add material or read replies\n";
  return 0;
}

int Status(Env& env, const std::string& receipt) {
  auto stub = v1::ReporterService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::CheckStatusRequest req;
  req.set_receipt_code(receipt);
  v1::CheckStatusResponse resp;
  grpc::Status st = stub->CheckStatus(&ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
    return 0;
  }
  *env.out << "status:   " << resp.status() << "\nreceived: " << resp.received_date() << "\n";
  return 0;
}

int Replies(Env& env, const std::string& receipt) {
  auto stub = v1::ReporterService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::GetRepliesRequest req;
  req.set_receipt_code(receipt);
  v1::GetRepliesResponse resp;
  grpc::Status st = stub->GetReplies(&ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
    return 0;
  }
  if (resp.replies().empty()) *env.out << "no replies yet\n";
  for (const v1::PetitionMessage& m : resp.replies()) {
    *env.out << m.kind() << " (" << m.date() << "): " << m.text() << "\n";
  }
  return 0;
}

int Add(Env& env, const ReporterArgs& a) {
  v1::AddMaterialRequest req;
  req.set_request_id(NewRequestId());
  req.set_receipt_code(a.receipt);
  if (!a.material_file.empty()) {
    absl::StatusOr<std::string> text = ReadTextFile("--file", a.material_file);
    if (!text.ok()) return Report(env, text.status());
    req.set_text(*text);
  } else {
    req.set_text(a.material_text);
  }
  auto stub = v1::ReporterService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::AddMaterialResponse resp;
  grpc::Status st = stub->AddMaterial(&ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
  } else {
    *env.out << "material added; status: " << resp.status() << "\n";
  }
  return 0;
}

}  // namespace

std::shared_ptr<void> AddReporterCommands(CLI::App& app, Env& env, Action& action) {
  auto holder = std::make_shared<ReporterArgs>();
  ReporterArgs* a = holder.get();
  CLI::App* reporter = app.add_subcommand(
      "reporter", "the reporter port: submit a petition, follow it up with the receipt code");
  reporter->require_subcommand(1);
  reporter->add_option("--endpoint", env.endpoint, "the reporter port, HOST:PORT")->required();
  reporter->add_option("--ca", env.ca_file,
                       "PEM file of the CA that signed the portal's certificate (default: the "
                       "public roots gRPC trusts)");
  reporter->callback([&env] { env.reporter_port = true; });

  CLI::App* submit = reporter->add_subcommand("submit", "submit a petition online (网络举报)");
  submit->add_option("--category", a->category,
                     "accusation|complaint|appeal|suggestion (default accusation)");
  AddPetitionFlags(submit, &a->petition);
  submit->callback([&env, &action, a] { action = [&env, a] { return Submit(env, *a); }; });

  CLI::App* status = reporter->add_subcommand("status", "coarse status of a petition");
  status->add_option("--receipt", a->receipt, "the receipt code")->required();
  status->callback([&env, &action, a] { action = [&env, a] { return Status(env, a->receipt); }; });

  CLI::App* replies = reporter->add_subcommand("replies", "the replies meant for the reporter");
  replies->add_option("--receipt", a->receipt, "the receipt code")->required();
  replies->callback(
      [&env, &action, a] { action = [&env, a] { return Replies(env, a->receipt); }; });

  CLI::App* add = reporter->add_subcommand("add", "add supplementary material (补充材料)");
  add->add_option("--receipt", a->receipt, "the receipt code")->required();
  CLI::Option* text = add->add_option("--text", a->material_text, "the material");
  CLI::Option* file = add->add_option("--file", a->material_file, "read the material from FILE");
  text->excludes(file);
  add->callback([&env, &action, a, text, file] {
    action = [&env, a, text, file] {
      if (text->count() == 0 && file->count() == 0) {
        return Report(env, absl::InvalidArgumentError("--text or --file is required"));
      }
      return Add(env, *a);
    };
  });
  return holder;
}

}  // namespace jijian::client
