// Rows of petitions, their subjects, messages and deadlines, the person blind index and
// the gap-free id counters. Plain records: sealed columns hold bytes the caller sealed with
// the keyring; this layer never sees plaintext identity or content. Writing a petition, a
// subject or a deadline keeps the statistics counters (storage/stats.h) in the same transaction.
#ifndef JIJIAN_STORAGE_PETITIONS_H_
#define JIJIAN_STORAGE_PETITIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/db.h"
#include "storage/store.h"

namespace jijian::storage {

struct PetitionRow {
  std::string id;
  int64_t version = 1;
  std::string state;
  std::string channel;
  std::string category;
  std::string received_date;
  bool anonymous = false;
  std::string disciplines;  // comma-separated
  std::string reporter;     // sealed, empty when anonymous
  std::string summary;      // sealed
  std::string content;      // sealed
  std::string receipt_digest;
  std::string decision_mode;
  std::string decision_reason;  // sealed
  std::string decision_to;
  std::string decision_due;
  std::string decided_by;
  std::string decided_date;
  std::string duplicate_of;
  int64_t duplicate_count = 0;
  std::string closed_date;
  std::string conclusion;  // sealed
  std::string registered_by;
  int64_t created_us = 0;
  int64_t updated_us = 0;
};

struct SubjectRow {
  std::string petition_id;
  int64_t idx = 0;
  std::string sealed;  // the whole subject record, sealed (identity)
  std::string unit;
  std::string rank;
  std::string flags;
};

struct MessageRow {
  std::string petition_id;
  int64_t seq = 0;
  std::string kind;
  std::string date;
  std::string means;
  std::string body;  // sealed
  std::string author;
  int64_t created_us = 0;
};

struct DeadlineRow {
  std::string object_id;
  std::string name;
  std::string due_date;
  bool provisional = false;
  std::string met_date;
};

// Takes the next number of kind in year (1, 2, ...), gap-free: numbers are only consumed
// by committed transactions. RESOURCE_EXHAUSTED past kIdNumberSpan - 1 (storage/schema.h).
absl::StatusOr<int64_t> NextIdNumber(WriteTxn& txn, const std::string& kind, int64_t year);

absl::Status InsertPetition(WriteTxn& txn, const PetitionRow& row);
// Writes every column of row, sets version = row.version + 1 (the caller checked it).
absl::Status UpdatePetition(WriteTxn& txn, PetitionRow& row);
// NOT_FOUND naming the id.
absl::StatusOr<PetitionRow> GetPetition(Db& db, const std::string& id);
absl::StatusOr<std::optional<PetitionRow>> FindPetitionByReceipt(
    Db& db, const std::vector<std::string>& digests);

struct PetitionFilter {
  std::string state, channel, category, received_from, received_to, subject_unit;
  bool overdue = false;
  std::string today;  // for overdue
  std::string after_id;
  int limit = 50;
};
// The petitions that match filter after after_id (the last id of the previous page), in id
// order (year, then number), at most limit.
absl::StatusOr<std::vector<PetitionRow>> ListPetitions(Db& db, const PetitionFilter& filter);

// Subject rows live in petition_subjects or lead_subjects (table, a constant of the caller).
inline constexpr char kPetitionSubjects[] = "petition_subjects";
inline constexpr char kLeadSubjects[] = "lead_subjects";
absl::Status InsertSubject(WriteTxn& txn, const SubjectRow& row,
                           std::string_view table = kPetitionSubjects);
absl::StatusOr<std::vector<SubjectRow>> GetSubjects(Db& db, const std::string& petition_id,
                                                    std::string_view table = kPetitionSubjects);

absl::Status AddPersonIndex(WriteTxn& txn, const std::string& digest, const std::string& object_id);
// Objects indexed under any of digests, excluding exclude_id, in id order.
absl::StatusOr<std::vector<std::string>> FindByPersonIndex(Db& db,
                                                           const std::vector<std::string>& digests,
                                                           const std::string& exclude_id);

// Message rows live in petition_messages or lead_notes (table, a constant of the caller).
inline constexpr char kPetitionMessages[] = "petition_messages";
inline constexpr char kLeadNotes[] = "lead_notes";
// The seq the next message of an object gets (1, 2, ...).
absl::StatusOr<int64_t> NextMessageSeq(Db& db, const std::string& petition_id,
                                       std::string_view table = kPetitionMessages);
// Number of messages of one kind ("material", ...) of a petition.
absl::StatusOr<int64_t> CountMessages(Db& db, const std::string& petition_id,
                                      std::string_view kind,
                                      std::string_view table = kPetitionMessages);
// Appends a message with row.seq from NextMessageSeq.
absl::Status AddMessage(WriteTxn& txn, const MessageRow& row,
                        std::string_view table = kPetitionMessages);
// Removes an open deadline that no longer applies (e.g. no acceptance notice for a duplicate).
absl::Status DropDeadline(WriteTxn& txn, const std::string& object_id, const std::string& name);
absl::StatusOr<std::vector<MessageRow>> GetMessages(Db& db, const std::string& petition_id,
                                                    std::string_view table = kPetitionMessages);

absl::Status SetDeadline(WriteTxn& txn, const DeadlineRow& row);
// Marks an open deadline met on date; does nothing if absent or already met.
absl::Status MeetDeadline(WriteTxn& txn, const std::string& object_id, const std::string& name,
                          const std::string& date);
absl::StatusOr<std::vector<DeadlineRow>> GetDeadlines(Db& db, const std::string& object_id);

// Records a link (petition -> lead, duplicate -> original, ...).
absl::Status AddObjectLink(WriteTxn& txn, const std::string& from_id, const std::string& to_id,
                           const std::string& kind);

// Objects linked from from_id with kind (e.g. the lead a petition became).
absl::StatusOr<std::vector<std::string>> ListLinkedTo(Db& db, const std::string& from_id,
                                                      const std::string& kind);

}  // namespace jijian::storage

#endif  // JIJIAN_STORAGE_PETITIONS_H_
