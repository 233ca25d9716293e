#include "server/domain/petition_validate.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jijian::server::domain {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const absl::CivilDay kToday(2026, 11, 30);
constexpr char kReporterName[] = "王小明";
constexpr char kReporterId[] = "11010519491231002X";
constexpr char kReporterPhone[] = "+86 (010) 6612-3456";
constexpr char kReporterAddress[] = "北京市西城区某街道1号";
constexpr char kSubjectId[] = "440304198503151231";

// "汉" repeated n times: n characters, 3n bytes.
std::string Han(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += "汉";
  return out;
}

v1::Subject ValidSubject() {
  v1::Subject s;
  s.set_name("李四");
  s.set_id_number(kSubjectId);
  s.set_unit("某县财政局");
  s.set_position("局长");
  s.set_rank("division");
  s.set_party_member(true);
  s.set_top_leader(true);
  return s;
}

v1::RegisterPetitionRequest ValidRealName() {
  v1::RegisterPetitionRequest req;
  req.set_request_id("req-1");
  req.set_channel(v1::CHANNEL_LETTER);
  req.set_category(v1::CATEGORY_ACCUSATION);
  req.set_received_date("2026-11-27");
  req.mutable_reporter()->set_name(kReporterName);
  req.mutable_reporter()->set_id_number(kReporterId);
  req.mutable_reporter()->set_phone(kReporterPhone);
  req.mutable_reporter()->set_address(kReporterAddress);
  *req.add_subjects() = ValidSubject();
  req.add_disciplines(v1::DISCIPLINE_INTEGRITY);
  req.add_disciplines(v1::DISCIPLINE_WORK);
  req.set_summary("反映某局长违规收受礼金");
  req.set_content("2026年10月，某局长在办公室收受礼金。\n详情见附件。\t完");
  return req;
}

v1::RegisterPetitionRequest ValidAnonymous() {
  v1::RegisterPetitionRequest req = ValidRealName();
  req.set_anonymous(true);
  req.clear_reporter();
  return req;
}

// Expects INVALID_ARGUMENT whose message starts with prefix and contains none of secrets.
void ExpectInvalid(const absl::Status& st, const std::string& prefix,
                   const std::vector<std::string>& secrets = {}) {
  ASSERT_FALSE(st.ok()) << "expected an error starting with " << prefix;
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  EXPECT_TRUE(absl::StartsWith(st.message(), prefix))
      << "message \"" << st.message() << "\" does not start with \"" << prefix << "\"";
  for (const std::string& secret : secrets) {
    EXPECT_THAT(std::string(st.message()), Not(HasSubstr(secret))) << "leaks a sensitive value";
  }
}

// --- Object ids -----------------------------------------------------------------------

TEST(ObjectIdTest, FormatPadsYearAndNumber) {
  EXPECT_EQ(FormatObjectId("XF", 2026, 1), "XF-2026-000001");
  EXPECT_EQ(FormatObjectId("XF", 2026, 123456), "XF-2026-123456");
  EXPECT_EQ(FormatObjectId("XS", 2025, 31), "XS-2025-000031");
}

TEST(ObjectIdTest, NumbersPastSixDigitsTakeTheDigitsTheyNeed) {
  EXPECT_EQ(FormatObjectId("XF", 2023, 1000000), "XF-2023-1000000");
  EXPECT_EQ(FormatObjectId("LA", 2023, 12345678), "LA-2023-12345678");
  EXPECT_EQ(FormatObjectId("XS", 2023, 999999999), "XS-2023-999999999");
}

TEST(ObjectIdTest, FormattedIdsPassCheck) {
  for (int64_t n : {1, 42, 999999, 1000000, 1000001, 10000000, 123456789, 999999999}) {
    EXPECT_TRUE(CheckObjectId("id", "XF", FormatObjectId("XF", 2026, n)).ok()) << n;
  }
}

// Past six digits a leading zero would give a second id for one number.
TEST(ObjectIdTest, CheckRefusesTenDigitsAndPaddingPastSix) {
  for (std::string_view bad : {"XF-2026-1000000000", "XF-2026-0000001", "XF-2026-00000001",
                               "XF-2026-012345678", "XF-2026-0999999"}) {
    absl::Status st = CheckObjectId("page_token", "XF", bad);
    ExpectInvalid(st, "page_token: must look like XF-YYYY-NNNNNN (a number of 6 to 9 digits");
  }
}

TEST(ObjectIdTest, CheckRefusesMalformed) {
  for (std::string_view bad :
       {"", "XF-2026-00001", "XF-2026-0000001", "XS-2026-000001", "xf-2026-000001",
        "XF_2026_000001", "XF-2026-00000a", "XF-20a6-000001", "XF2026-0000001", "XF-2026-000001 ",
        "XF--2026-00001"}) {
    absl::Status st = CheckObjectId("duplicate_of", "XF", bad);
    ExpectInvalid(st, "duplicate_of: ");
    EXPECT_THAT(std::string(st.message()), HasSubstr("XF-YYYY-NNNNNN")) << bad;
  }
}

// --- Dates ----------------------------------------------------------------------------

TEST(DateNotInFutureTest, EmptyIsToday) {
  absl::StatusOr<absl::CivilDay> d = DateNotInFuture("received_date", "", kToday);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, kToday);
}

TEST(DateNotInFutureTest, TodayAndPastAreAccepted) {
  absl::StatusOr<absl::CivilDay> d = DateNotInFuture("received_date", "2026-11-30", kToday);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, kToday);
  d = DateNotInFuture("received_date", "2000-01-01", kToday);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, absl::CivilDay(2000, 1, 1));
}

TEST(DateNotInFutureTest, FutureRefused) {
  ExpectInvalid(DateNotInFuture("received_date", "2026-12-01", kToday).status(),
                "received_date: must not be in the future");
}

TEST(DateNotInFutureTest, Before2000Refused) {
  ExpectInvalid(DateNotInFuture("received_date", "1999-12-31", kToday).status(),
                "received_date: must not be before 2000");
}

TEST(DateNotInFutureTest, MalformedRefused) {
  for (std::string_view bad : {"2026-2-1", "2026/11/01", "2026-02-30", "yesterday"}) {
    ExpectInvalid(DateNotInFuture("received_date", bad, kToday).status(),
                  "received_date: ", {std::string(bad)});
  }
}

// --- Registration ---------------------------------------------------------------------

TEST(ValidateRegisterTest, ValidRealNameAndAnonymousPass) {
  EXPECT_TRUE(ValidateRegister(ValidRealName(), kToday).ok())
      << ValidateRegister(ValidRealName(), kToday);
  EXPECT_TRUE(ValidateRegister(ValidAnonymous(), kToday).ok())
      << ValidateRegister(ValidAnonymous(), kToday);
  v1::RegisterPetitionRequest minimal = ValidRealName();
  minimal.clear_received_date();
  minimal.mutable_reporter()->clear_phone();
  minimal.mutable_reporter()->clear_address();
  minimal.clear_disciplines();
  minimal.mutable_subjects(0)->clear_id_number();
  minimal.mutable_subjects(0)->clear_position();
  minimal.mutable_subjects(0)->clear_rank();
  EXPECT_TRUE(ValidateRegister(minimal, kToday).ok()) << ValidateRegister(minimal, kToday);
}

TEST(ValidateRegisterTest, RequestIdRequired) {
  v1::RegisterPetitionRequest req = ValidRealName();
  req.clear_request_id();
  ExpectInvalid(ValidateRegister(req, kToday), "request_id: ");
}

TEST(ValidateRegisterTest, UnknownOrMissingChannel) {
  for (int channel : {0, 7, 99, -3}) {
    v1::RegisterPetitionRequest req = ValidRealName();
    req.set_channel(static_cast<v1::Channel>(channel));
    ExpectInvalid(ValidateRegister(req, kToday), "channel: must be one of");
  }
}

TEST(ValidateRegisterTest, UnknownOrMissingCategory) {
  for (int category : {0, 7, 42}) {
    v1::RegisterPetitionRequest req = ValidRealName();
    req.set_category(static_cast<v1::Category>(category));
    ExpectInvalid(ValidateRegister(req, kToday), "category: must be one of");
  }
}

TEST(ValidateRegisterTest, EveryKnownChannelAndCategoryAccepted) {
  for (int c = v1::Channel_MIN; c <= v1::Channel_MAX; ++c) {
    if (!v1::Channel_IsValid(c) || c == v1::CHANNEL_UNSPECIFIED) continue;
    v1::RegisterPetitionRequest req = ValidRealName();
    req.set_channel(static_cast<v1::Channel>(c));
    EXPECT_TRUE(ValidateRegister(req, kToday).ok()) << c;
  }
  for (int c = v1::Category_MIN; c <= v1::Category_MAX; ++c) {
    if (!v1::Category_IsValid(c) || c == v1::CATEGORY_UNSPECIFIED) continue;
    v1::RegisterPetitionRequest req = ValidRealName();
    req.set_category(static_cast<v1::Category>(c));
    EXPECT_TRUE(ValidateRegister(req, kToday).ok()) << c;
  }
}

TEST(ValidateRegisterTest, ReceivedDateInFutureOrBefore2000) {
  v1::RegisterPetitionRequest req = ValidRealName();
  req.set_received_date("2026-12-01");
  ExpectInvalid(ValidateRegister(req, kToday), "received_date: must not be in the future");
  req.set_received_date("1999-12-31");
  ExpectInvalid(ValidateRegister(req, kToday), "received_date: must not be before 2000");
  req.set_received_date("2026-11-31");
  ExpectInvalid(ValidateRegister(req, kToday), "received_date: ");
}

TEST(ValidateRegisterTest, AnonymousWithAnyReporterFieldRefused) {
  const std::vector<std::string> secrets = {kReporterName, kReporterId, kReporterPhone,
                                            kReporterAddress};
  for (int field = 0; field < 4; ++field) {
    v1::RegisterPetitionRequest req = ValidAnonymous();
    v1::Reporter* r = req.mutable_reporter();
    if (field == 0) r->set_name(kReporterName);
    if (field == 1) r->set_id_number(kReporterId);
    if (field == 2) r->set_phone(kReporterPhone);
    if (field == 3) r->set_address(kReporterAddress);
    ExpectInvalid(ValidateRegister(req, kToday), "reporter: must be empty", secrets);
  }
}

TEST(ValidateRegisterTest, RealNameNeedsReporter) {
  v1::RegisterPetitionRequest req = ValidRealName();
  req.clear_reporter();
  ExpectInvalid(ValidateRegister(req, kToday), "reporter: ");
}

TEST(ValidateRegisterTest, RealNameWithoutIdNumber) {
  v1::RegisterPetitionRequest req = ValidRealName();
  req.mutable_reporter()->clear_id_number();
  ExpectInvalid(ValidateRegister(req, kToday), "reporter.id_number: required",
                {kReporterName, kReporterPhone, kReporterAddress});
}

TEST(ValidateRegisterTest, RealNameWithoutName) {
  v1::RegisterPetitionRequest req = ValidRealName();
  req.mutable_reporter()->clear_name();
  ExpectInvalid(ValidateRegister(req, kToday), "reporter.name: required", {kReporterId});
}

TEST(ValidateRegisterTest, ReporterIdBadCheckDigitNotEchoed) {
  v1::RegisterPetitionRequest req = ValidRealName();
  const std::string bad = "110105194912310021";  // valid but for the check digit (X)
  req.mutable_reporter()->set_id_number(bad);
  absl::Status st = ValidateRegister(req, kToday);
  ExpectInvalid(st, "reporter.id_number: ", {bad, "1101051949", kReporterName});
  EXPECT_THAT(std::string(st.message()), HasSubstr("check digit"));
}

TEST(ValidateRegisterTest, ReporterIdLowerCaseXAccepted) {
  v1::RegisterPetitionRequest req = ValidRealName();
  req.mutable_reporter()->set_id_number("11010519491231002x");
  EXPECT_TRUE(ValidateRegister(req, kToday).ok()) << ValidateRegister(req, kToday);
}

TEST(ValidateRegisterTest, ReporterIdWrongLengthNotEchoed) {
  v1::RegisterPetitionRequest req = ValidRealName();
  req.mutable_reporter()->set_id_number("1101051949123100");
  ExpectInvalid(ValidateRegister(req, kToday), "reporter.id_number: ", {"1101051949123100"});
}

TEST(ValidateRegisterTest, ReporterNameTooLongNotEchoed) {
  v1::RegisterPetitionRequest req = ValidRealName();
  const std::string name = "欧阳" + Han(49);  // 51 characters
  req.mutable_reporter()->set_name(name);
  ExpectInvalid(ValidateRegister(req, kToday), "reporter.name: at most 50 characters",
                {name, kReporterId});
  req.mutable_reporter()->set_name("欧阳" + Han(48));  // 50 characters
  EXPECT_TRUE(ValidateRegister(req, kToday).ok());
}

TEST(ValidateRegisterTest, ReporterNameControlCharacterNotEchoed) {
  v1::RegisterPetitionRequest req = ValidRealName();
  req.mutable_reporter()->set_name("王小\x07明");
  ExpectInvalid(ValidateRegister(req, kToday), "reporter.name: must not contain control",
                {"王小", kReporterId});
}

TEST(ValidateRegisterTest, ReporterPhoneRules) {
  v1::RegisterPetitionRequest req = ValidRealName();
  req.mutable_reporter()->set_phone("138-0000-abcd");
  ExpectInvalid(ValidateRegister(req, kToday), "reporter.phone: only digits",
                {"138-0000-abcd", kReporterName, kReporterId});
  req.mutable_reporter()->set_phone(std::string(31, '1'));
  ExpectInvalid(ValidateRegister(req, kToday), "reporter.phone: at most 30",
                {std::string(31, '1')});
  req.mutable_reporter()->set_phone(std::string(30, '1'));
  EXPECT_TRUE(ValidateRegister(req, kToday).ok());
}

TEST(ValidateRegisterTest, ReporterAddressTooLongOrControl) {
  v1::RegisterPetitionRequest req = ValidRealName();
  req.mutable_reporter()->set_address(Han(201));
  ExpectInvalid(ValidateRegister(req, kToday), "reporter.address: at most 200",
                {Han(201), kReporterName});
  req.mutable_reporter()->set_address(Han(200));
  EXPECT_TRUE(ValidateRegister(req, kToday).ok());
  req.mutable_reporter()->set_address("北京\n西城");
  ExpectInvalid(ValidateRegister(req, kToday), "reporter.address: must not contain control",
                {"北京"});
}

TEST(ValidateRegisterTest, AtLeastOneSubject) {
  v1::RegisterPetitionRequest req = ValidRealName();
  req.clear_subjects();
  ExpectInvalid(ValidateRegister(req, kToday), "subjects: ");
}

TEST(ValidateRegisterTest, AtMostTwentySubjects) {
  v1::RegisterPetitionRequest req = ValidRealName();
  for (int i = 1; i < 20; ++i) *req.add_subjects() = ValidSubject();
  ASSERT_EQ(req.subjects_size(), 20);
  EXPECT_TRUE(ValidateRegister(req, kToday).ok()) << ValidateRegister(req, kToday);
  *req.add_subjects() = ValidSubject();
  ExpectInvalid(ValidateRegister(req, kToday), "subjects: at most 20");
}

TEST(ValidateRegisterTest, SubjectFieldPathNamesTheSubject) {
  // Subjects are numbered from 1, as given on the command line (--subject ... repeated).
  v1::RegisterPetitionRequest req = ValidRealName();
  *req.add_subjects() = ValidSubject();
  req.mutable_subjects(1)->clear_unit();
  EXPECT_EQ(ValidateRegister(req, kToday).message(), "subjects[2].unit: required");

  req = ValidRealName();
  *req.add_subjects() = ValidSubject();
  *req.add_subjects() = ValidSubject();
  req.mutable_subjects(2)->clear_name();
  EXPECT_EQ(ValidateRegister(req, kToday).message(), "subjects[3].name: required");
}

TEST(ValidateRegisterTest, SubjectIdNumberCheckedAndNotEchoed) {
  v1::RegisterPetitionRequest req = ValidRealName();
  const std::string bad = "440304198503151232";
  req.mutable_subjects(0)->set_id_number(bad);
  absl::Status st = ValidateRegister(req, kToday);
  ExpectInvalid(st, "subjects[1].id_number: ", {bad, "李四"});
  EXPECT_THAT(std::string(st.message()), HasSubstr("check digit"));
  // Born after today.
  req.mutable_subjects(0)->set_id_number("32010620261201001X");
  ExpectInvalid(ValidateRegister(req, kToday), "subjects[1].id_number: ", {"32010620261201001X"});
}

TEST(ValidateRegisterTest, SubjectUnknownRank) {
  v1::RegisterPetitionRequest req = ValidRealName();
  req.mutable_subjects(0)->set_rank("ministerial");
  ExpectInvalid(ValidateRegister(req, kToday), "subjects[1].rank: must be one of", {"ministerial"});
}

TEST(ValidateRegisterTest, SubjectLengthsInCharacters) {
  v1::RegisterPetitionRequest req = ValidRealName();
  req.mutable_subjects(0)->set_name(Han(51));
  ExpectInvalid(ValidateRegister(req, kToday), "subjects[1].name: at most 50", {Han(51)});
  req.mutable_subjects(0)->set_name(Han(50));
  EXPECT_TRUE(ValidateRegister(req, kToday).ok());
  req.mutable_subjects(0)->set_unit(Han(101));
  ExpectInvalid(ValidateRegister(req, kToday), "subjects[1].unit: at most 100");
  req.mutable_subjects(0)->set_unit(Han(100));
  req.mutable_subjects(0)->set_position(Han(101));
  ExpectInvalid(ValidateRegister(req, kToday), "subjects[1].position: at most 100");
}

TEST(ValidateRegisterTest, SubjectNameControlCharacterNotEchoed) {
  v1::RegisterPetitionRequest req = ValidRealName();
  req.mutable_subjects(0)->set_name("李\x1B四");
  ExpectInvalid(ValidateRegister(req, kToday), "subjects[1].name: must not contain control",
                {"李"});
}

TEST(ValidateRegisterTest, UnknownDiscipline) {
  for (int d : {0, 7, 100}) {
    v1::RegisterPetitionRequest req = ValidRealName();
    req.add_disciplines(static_cast<v1::Discipline>(d));
    ExpectInvalid(ValidateRegister(req, kToday), "disciplines: must be among");
  }
}

TEST(ValidateRegisterTest, DuplicateDiscipline) {
  v1::RegisterPetitionRequest req = ValidRealName();
  req.add_disciplines(v1::DISCIPLINE_INTEGRITY);  // already listed first
  ExpectInvalid(ValidateRegister(req, kToday), "disciplines: listed twice");
}

TEST(ValidateRegisterTest, AllSixDisciplinesAccepted) {
  v1::RegisterPetitionRequest req = ValidRealName();
  req.clear_disciplines();
  for (int d = 1; d <= 6; ++d) req.add_disciplines(static_cast<v1::Discipline>(d));
  EXPECT_TRUE(ValidateRegister(req, kToday).ok()) << ValidateRegister(req, kToday);
}

TEST(ValidateRegisterTest, SummaryCountsCharactersNotBytes) {
  v1::RegisterPetitionRequest req = ValidRealName();
  req.set_summary(Han(500));  // 1500 bytes
  EXPECT_TRUE(ValidateRegister(req, kToday).ok()) << ValidateRegister(req, kToday);
  req.set_summary(Han(501));
  ExpectInvalid(ValidateRegister(req, kToday), "summary: at most 500 characters", {Han(501)});
  req.set_summary(std::string(501, 'a'));
  ExpectInvalid(ValidateRegister(req, kToday), "summary: at most 500 characters");
}

TEST(ValidateRegisterTest, SummaryRequiredAndSingleLine) {
  v1::RegisterPetitionRequest req = ValidRealName();
  req.clear_summary();
  ExpectInvalid(ValidateRegister(req, kToday), "summary: required");
  req.set_summary("第一行\n第二行");
  ExpectInvalid(ValidateRegister(req, kToday), "summary: must not contain control characters",
                {"第一行"});
  req.set_summary("bad\xFFutf8");
  ExpectInvalid(ValidateRegister(req, kToday), "summary: must be valid UTF-8");
}

TEST(ValidateRegisterTest, ContentCountsCharactersNotBytes) {
  v1::RegisterPetitionRequest req = ValidRealName();
  req.set_content(Han(100000));
  EXPECT_TRUE(ValidateRegister(req, kToday).ok()) << ValidateRegister(req, kToday);
  req.set_content(Han(100001));
  ExpectInvalid(ValidateRegister(req, kToday), "content: at most 100000 characters");
}

TEST(ValidateRegisterTest, ContentRequiredMultilineButNoOtherControls) {
  v1::RegisterPetitionRequest req = ValidRealName();
  req.clear_content();
  ExpectInvalid(ValidateRegister(req, kToday), "content: required");
  req.set_content("第一段\r\n第二段\t结束");
  EXPECT_TRUE(ValidateRegister(req, kToday).ok());
  std::string with_nul = "秘密内容";
  with_nul.push_back('\0');
  with_nul += "后文";
  req.set_content(with_nul);
  ExpectInvalid(ValidateRegister(req, kToday), "content: must not contain control characters",
                {"秘密内容"});
  req.set_content("秘密内容\x7F");
  ExpectInvalid(ValidateRegister(req, kToday), "content: must not contain control characters",
                {"秘密内容"});
  req.set_content("秘密内容\xC0\xAF");
  ExpectInvalid(ValidateRegister(req, kToday), "content: must be valid UTF-8", {"秘密内容"});
}

// --- Decisions ------------------------------------------------------------------------

v1::DecidePetitionRequest ValidDecide(v1::HandlingMode mode) {
  v1::DecidePetitionRequest req;
  req.set_request_id("req-2");
  req.set_id("XF-2026-000010");
  req.set_expected_version(3);
  req.set_mode(mode);
  req.set_reason("经研究，按规定处理。\n附意见。");
  switch (mode) {
    case v1::HANDLING_TRANSFER_DOWN:
    case v1::HANDLING_REFER_OUT:
      req.set_to_body("某县纪委监委");
      break;
    case v1::HANDLING_ASSIGN_DOWN:
      req.set_to_body("某县纪委监委");
      req.set_due_date("2026-12-31");
      break;
    case v1::HANDLING_DUPLICATE:
      req.set_duplicate_of("XF-2026-000003");
      break;
    default:
      break;
  }
  return req;
}

constexpr v1::HandlingMode kAllModes[] = {
    v1::HANDLING_ACCEPT,      v1::HANDLING_ESCALATE,  v1::HANDLING_TRANSFER_DOWN,
    v1::HANDLING_ASSIGN_DOWN, v1::HANDLING_REFER_OUT, v1::HANDLING_ARCHIVE,
    v1::HANDLING_DUPLICATE,
};

TEST(ValidateDecideTest, ValidForEveryMode) {
  for (v1::HandlingMode mode : kAllModes) {
    absl::Status st = ValidateDecide(ValidDecide(mode), kToday);
    EXPECT_TRUE(st.ok()) << v1::HandlingMode_Name(mode) << ": " << st;
  }
}

TEST(ValidateDecideTest, RequestIdIdVersion) {
  v1::DecidePetitionRequest req = ValidDecide(v1::HANDLING_ACCEPT);
  req.clear_request_id();
  ExpectInvalid(ValidateDecide(req, kToday), "request_id: ");
  req = ValidDecide(v1::HANDLING_ACCEPT);
  req.set_id("XS-2026-000010");
  ExpectInvalid(ValidateDecide(req, kToday), "id: must look like XF-YYYY-NNNNNN");
  req = ValidDecide(v1::HANDLING_ACCEPT);
  req.set_expected_version(0);
  ExpectInvalid(ValidateDecide(req, kToday), "expected_version: ");
  req.set_expected_version(-5);
  ExpectInvalid(ValidateDecide(req, kToday), "expected_version: ");
}

TEST(ValidateDecideTest, UnknownMode) {
  for (int mode : {0, 8, 77}) {
    v1::DecidePetitionRequest req = ValidDecide(v1::HANDLING_ACCEPT);
    req.set_mode(static_cast<v1::HandlingMode>(mode));
    ExpectInvalid(ValidateDecide(req, kToday), "mode: must be one of");
  }
}

TEST(ValidateDecideTest, ReasonRequiredBoundedMultiline) {
  v1::DecidePetitionRequest req = ValidDecide(v1::HANDLING_ACCEPT);
  req.clear_reason();
  ExpectInvalid(ValidateDecide(req, kToday), "reason: required");
  req.set_reason(Han(2000));
  EXPECT_TRUE(ValidateDecide(req, kToday).ok());
  req.set_reason(Han(2001));
  ExpectInvalid(ValidateDecide(req, kToday), "reason: at most 2000 characters");
  req.set_reason("理由\x01");
  ExpectInvalid(ValidateDecide(req, kToday), "reason: must not contain control characters");
}

TEST(ValidateDecideTest, ToBodyRequiredForReferTransferAssign) {
  for (v1::HandlingMode mode :
       {v1::HANDLING_REFER_OUT, v1::HANDLING_TRANSFER_DOWN, v1::HANDLING_ASSIGN_DOWN}) {
    v1::DecidePetitionRequest req = ValidDecide(mode);
    req.clear_to_body();
    ExpectInvalid(ValidateDecide(req, kToday), "to_body: required for");
  }
}

TEST(ValidateDecideTest, ToBodyNotAllowedForOtherModes) {
  for (v1::HandlingMode mode :
       {v1::HANDLING_ACCEPT, v1::HANDLING_ESCALATE, v1::HANDLING_ARCHIVE, v1::HANDLING_DUPLICATE}) {
    v1::DecidePetitionRequest req = ValidDecide(mode);
    req.set_to_body("某县纪委监委");
    ExpectInvalid(ValidateDecide(req, kToday), "to_body: only for", {"某县纪委监委"});
  }
}

TEST(ValidateDecideTest, ToBodyBounded) {
  v1::DecidePetitionRequest req = ValidDecide(v1::HANDLING_REFER_OUT);
  req.set_to_body(Han(100));
  EXPECT_TRUE(ValidateDecide(req, kToday).ok());
  req.set_to_body(Han(101));
  ExpectInvalid(ValidateDecide(req, kToday), "to_body: at most 100 characters");
}

TEST(ValidateDecideTest, AssignDownNeedsFutureDueDate) {
  v1::DecidePetitionRequest req = ValidDecide(v1::HANDLING_ASSIGN_DOWN);
  req.clear_due_date();
  ExpectInvalid(ValidateDecide(req, kToday), "due_date: required for assign-down");
  req.set_due_date("2026-11-30");  // today
  ExpectInvalid(ValidateDecide(req, kToday), "due_date: must be after today");
  req.set_due_date("2026-11-01");
  ExpectInvalid(ValidateDecide(req, kToday), "due_date: must be after today");
  req.set_due_date("2026-12-1");
  ExpectInvalid(ValidateDecide(req, kToday), "due_date: ");
  req.set_due_date("2026-12-01");  // tomorrow
  EXPECT_TRUE(ValidateDecide(req, kToday).ok()) << ValidateDecide(req, kToday);
}

TEST(ValidateDecideTest, DueDateOnlyForAssignDown) {
  for (v1::HandlingMode mode : kAllModes) {
    if (mode == v1::HANDLING_ASSIGN_DOWN) continue;
    v1::DecidePetitionRequest req = ValidDecide(mode);
    req.set_due_date("2026-12-31");
    ExpectInvalid(ValidateDecide(req, kToday), "due_date: only for assign-down");
  }
}

TEST(ValidateDecideTest, DuplicateNeedsAnotherPetition) {
  v1::DecidePetitionRequest req = ValidDecide(v1::HANDLING_DUPLICATE);
  req.clear_duplicate_of();
  ExpectInvalid(ValidateDecide(req, kToday), "duplicate_of: must look like XF-YYYY-NNNNNN");
  req.set_duplicate_of("XF-2026-10");
  ExpectInvalid(ValidateDecide(req, kToday), "duplicate_of: must look like XF-YYYY-NNNNNN");
  req.set_duplicate_of(req.id());
  ExpectInvalid(ValidateDecide(req, kToday), "duplicate_of: must be another petition");
}

TEST(ValidateDecideTest, DuplicateOfOnlyForDuplicate) {
  for (v1::HandlingMode mode : kAllModes) {
    if (mode == v1::HANDLING_DUPLICATE) continue;
    v1::DecidePetitionRequest req = ValidDecide(mode);
    req.set_duplicate_of("XF-2026-000003");
    ExpectInvalid(ValidateDecide(req, kToday), "duplicate_of: only for the duplicate mode");
  }
}

// --- Means ----------------------------------------------------------------------------

TEST(CheckMeansTest, KnownMeansAccepted) {
  for (std::string_view means : {"letter", "phone", "in-person", "sms", "online", "receipt"}) {
    EXPECT_TRUE(CheckMeans("means", means).ok()) << means;
  }
}

TEST(CheckMeansTest, UnknownMeansRefused) {
  for (std::string_view means : {"", "Letter", "email", "in person", "carrier-pigeon"}) {
    absl::Status st = CheckMeans("means", means);
    ExpectInvalid(st, "means: must be one of letter, phone, in-person, sms, online, receipt");
  }
  ExpectInvalid(CheckMeans("feedback.means", "fax"), "feedback.means: ", {"fax"});
}

}  // namespace
}  // namespace jijian::server::domain
