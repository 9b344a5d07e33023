#include "storage/postgres/postgres_store.h"

#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "storage/page_token.h"

namespace tapio::storage::postgres {
namespace {

// Migration N takes the schema from version N-1 to N; never edit one that has shipped.
constexpr const char* kMigrations[] = {
    R"sql(
      CREATE TABLE events (
        id BIGINT PRIMARY KEY,
        time_ns BIGINT NOT NULL,
        kind TEXT NOT NULL,
        namespace TEXT NOT NULL,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        body BYTEA NOT NULL);
      CREATE INDEX events_by_time ON events (time_ns, id);
      CREATE INDEX events_by_entity ON events (kind, namespace, name, time_ns, id);
      CREATE TABLE raw_records (
        event_id BIGINT PRIMARY KEY,
        time_ns BIGINT NOT NULL,
        bytes BYTEA NOT NULL);
      CREATE INDEX raw_records_by_time ON raw_records (time_ns);
      CREATE TABLE incidents (
        id BIGINT PRIMARY KEY,
        open BOOLEAN NOT NULL,
        body BYTEA NOT NULL);
    )sql",
    // 2: the order events arrived in, for replaying them on start. Servers sharing the store
    // draw from one sequence.
    R"sql(
      ALTER TABLE events ADD COLUMN arrival BIGSERIAL;
      CREATE INDEX events_by_arrival ON events (arrival);
    )sql",
    // 3: the trace id in hex, for correlating by trace; older rows have none.
    R"sql(
      ALTER TABLE events ADD COLUMN trace TEXT NOT NULL DEFAULT '';
      CREATE INDEX events_by_trace ON events (trace, time_ns, id) WHERE trace <> '';
    )sql",
};
static_assert(sizeof kMigrations / sizeof kMigrations[0] == kSchemaVersion);

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// Parameters as libpq takes them: text, or binary for bytea.
class Params {
 public:
  Params& Text(std::string value) {
    values_.push_back(std::move(value));
    formats_.push_back(0);
    return *this;
  }
  Params& Int(int64_t value) { return Text(absl::StrCat(value)); }
  Params& Bytes(std::string value) {
    values_.push_back(std::move(value));
    formats_.push_back(1);
    return *this;
  }
  int size() const { return static_cast<int>(values_.size()); }
  std::vector<const char*> pointers() const {
    std::vector<const char*> p;
    for (const std::string& v : values_) p.push_back(v.data());
    return p;
  }
  std::vector<int> lengths() const {
    std::vector<int> l;
    for (const std::string& v : values_) l.push_back(static_cast<int>(v.size()));
    return l;
  }
  const int* formats() const { return formats_.data(); }

 private:
  std::vector<std::string> values_;
  std::vector<int> formats_;
};

bool Ok(const Result& r) {
  ExecStatusType s = PQresultStatus(r.get());
  return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

absl::Status Failure(PGconn* conn, absl::string_view doing) {
  return absl::InternalError(absl::StrCat("postgres: ", doing, ": ", PQerrorMessage(conn)));
}

// Runs `sql` with `params`; results come back in binary so that bytea and bigint read as is.
Result Run(PGconn* conn, const std::string& sql, const Params& params) {
  std::vector<const char*> values = params.pointers();
  std::vector<int> lengths = params.lengths();
  return Result(PQexecParams(conn, sql.c_str(), params.size(), nullptr, values.data(),
                             lengths.data(), params.formats(), /*resultFormat=*/1));
}

Result RunPrepared(PGconn* conn, const char* name, const Params& params) {
  std::vector<const char*> values = params.pointers();
  std::vector<int> lengths = params.lengths();
  return Result(PQexecPrepared(conn, name, params.size(), values.data(), lengths.data(),
                               params.formats(), /*resultFormat=*/1));
}

int64_t BigInt(const PGresult* r, int row, int column) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(PQgetvalue(r, row, column));
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | bytes[i];
  return static_cast<int64_t>(value);
}

std::string Bytes(const PGresult* r, int row, int column) {
  return std::string(PQgetvalue(r, row, column), static_cast<size_t>(PQgetlength(r, row, column)));
}

int64_t Key(uint64_t id) { return static_cast<int64_t>(id); }

uint64_t Affected(const Result& r) {
  const char* n = PQcmdTuples(r.get());
  return n == nullptr || *n == '\0' ? 0 : std::stoull(n);
}

}  // namespace

absl::StatusOr<std::unique_ptr<PostgresStore>> PostgresStore::Open(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = PQerrorMessage(conn);
    PQfinish(conn);
    return absl::UnavailableError(absl::StrCat("postgres: ", why));
  }
  std::unique_ptr<PostgresStore> store(new PostgresStore(conn));
  absl::MutexLock lock(&store->mu_);
  Result quiet(PQexec(conn, "SET client_min_messages = warning"));
  if (absl::Status s = store->Migrate(); !s.ok()) return s;
  if (absl::Status s = store->Prepare(); !s.ok()) return s;
  return store;
}

PostgresStore::~PostgresStore() {
  absl::MutexLock lock(&mu_);
  PQfinish(conn_);
}

absl::Status PostgresStore::Migrate() {
  Result create(PQexec(conn_, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER)"));
  if (!Ok(create)) return Failure(conn_, "creating the version table");
  Result version(PQexec(conn_, "SELECT COALESCE(MAX(version), 0) FROM schema_version"));
  if (!Ok(version)) return Failure(conn_, "reading the schema version");
  int64_t current = std::stoll(PQgetvalue(version.get(), 0, 0));
  if (current > kSchemaVersion) {
    return absl::FailedPreconditionError(absl::StrCat("the store's schema is at version ", current,
                                                      "; this tapio knows up to ", kSchemaVersion));
  }
  for (int64_t next = current + 1; next <= kSchemaVersion; ++next) {
    std::string step = absl::StrCat("BEGIN;", kMigrations[next - 1],
                                    "INSERT INTO schema_version VALUES (", next, "); COMMIT;");
    Result r(PQexec(conn_, step.c_str()));
    if (!Ok(r)) {
      absl::Status s = Failure(conn_, absl::StrCat("migrating to version ", next));
      Result rollback(PQexec(conn_, "ROLLBACK"));
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status PostgresStore::Prepare() {
  struct Named {
    const char* name;
    const char* sql;
  };
  for (const Named& n : {
           Named{"insert_event",
                 "INSERT INTO events (id, time_ns, kind, namespace, name, type, body, trace) "
                 "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING"},
           Named{"insert_raw",
                 "INSERT INTO raw_records VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"},
       }) {
    Result r(PQprepare(conn_, n.name, n.sql, 0, nullptr));
    if (!Ok(r)) return Failure(conn_, absl::StrCat("preparing ", n.name));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<size_t>> PostgresStore::Append(
    absl::Span<const v1::UnifiedEvent> events) {
  absl::MutexLock lock(&mu_);
  Result begin(PQexec(conn_, "BEGIN"));
  if (!Ok(begin)) return Failure(conn_, "beginning a transaction");
  auto fail = [&](absl::string_view doing) {
    absl::Status s = Failure(conn_, doing);
    Result rollback(PQexec(conn_, "ROLLBACK"));
    return s;
  };
  std::vector<size_t> added;
  v1::UnifiedEvent body;
  for (size_t i = 0; i < events.size(); ++i) {
    const v1::UnifiedEvent& e = events[i];
    body = e;
    body.clear_raw();
    Params p;
    p.Int(Key(e.id()))
        .Int(static_cast<int64_t>(e.time_unix_nano()))
        .Text(e.entity().kind())
        .Text(e.entity().namespace_())
        .Text(e.entity().name())
        .Text(e.type())
        .Bytes(body.SerializeAsString())
        .Text(absl::BytesToHexString(e.trace().trace_id()));
    Result r = RunPrepared(conn_, "insert_event", p);
    if (!Ok(r)) return fail("storing an event");
    if (Affected(r) == 0) continue;
    added.push_back(i);
    if (e.raw().empty()) continue;
    Params raw;
    raw.Int(Key(e.id())).Int(static_cast<int64_t>(e.time_unix_nano())).Bytes(e.raw());
    if (!Ok(RunPrepared(conn_, "insert_raw", raw))) return fail("storing a raw record");
  }
  Result commit(PQexec(conn_, "COMMIT"));
  if (!Ok(commit)) return fail("committing");
  return added;
}

absl::StatusOr<EventPage> PostgresStore::Events(const EventQuery& q) {
  absl::StatusOr<PageToken> after = ParsePageToken(q.page_token);
  if (!after.ok()) return after.status();
  Params p;
  p.Int(after->time_ns).Int(after->id);
  std::string sql = "SELECT body FROM events WHERE (time_ns, id) > ($1, $2)";
  auto add = [&](absl::string_view clause, const std::string& value) {
    p.Text(value);
    absl::StrAppend(&sql, " AND ", clause, " $", p.size());
  };
  if (!q.kind.empty()) add("kind =", q.kind);
  if (!q.namespace_name.empty()) add("namespace =", q.namespace_name);
  if (!q.name.empty()) add("name =", q.name);
  if (!q.type.empty()) add("type =", q.type);
  if (!q.trace_id.empty()) {
    add("trace =", q.trace_id);
    absl::StrAppend(&sql, " AND trace <> ''");
  }
  if (q.since_ns != 0) add("time_ns >=", absl::StrCat(q.since_ns));
  if (q.until_ns != 0) add("time_ns <", absl::StrCat(q.until_ns));
  p.Int(static_cast<int64_t>(q.limit) + 1);
  absl::StrAppend(&sql, " ORDER BY time_ns, id LIMIT $", p.size());
  absl::MutexLock lock(&mu_);
  Result r = Run(conn_, sql, p);
  if (!Ok(r)) return Failure(conn_, "querying events");
  EventPage page;
  int rows = PQntuples(r.get());
  for (int i = 0; i < rows; ++i) {
    if (page.events.size() == q.limit) {
      const v1::UnifiedEvent& last = page.events.back();
      page.next_page_token =
          MakePageToken({static_cast<int64_t>(last.time_unix_nano()), Key(last.id())});
      break;
    }
    if (!page.events.emplace_back().ParseFromString(Bytes(r.get(), i, 0))) {
      return absl::DataLossError("an event stored in the database does not parse");
    }
  }
  return page;
}

absl::StatusOr<ArrivalPage> PostgresStore::EventsInArrivalOrder(uint64_t after, size_t limit) {
  absl::MutexLock lock(&mu_);
  Params p;
  p.Int(static_cast<int64_t>(after)).Int(static_cast<int64_t>(limit) + 1);
  Result r = Run(conn_,
                 "SELECT e.arrival, e.body, r.bytes FROM events e LEFT JOIN raw_records r ON "
                 "r.event_id = e.id WHERE e.arrival > $1 ORDER BY e.arrival LIMIT $2",
                 p);
  if (!Ok(r)) return Failure(conn_, "reading events in arrival order");
  ArrivalPage page;
  page.next = after;
  int rows = PQntuples(r.get());
  for (int i = 0; i < rows; ++i) {
    if (page.events.size() == limit) {
      page.last = false;
      break;
    }
    v1::UnifiedEvent& e = page.events.emplace_back();
    if (!e.ParseFromString(Bytes(r.get(), i, 1))) {
      return absl::DataLossError("an event stored in the database does not parse");
    }
    if (!PQgetisnull(r.get(), i, 2)) e.set_raw(Bytes(r.get(), i, 2));
    page.next = static_cast<uint64_t>(BigInt(r.get(), i, 0));
  }
  return page;
}

absl::StatusOr<std::string> PostgresStore::RawRecord(uint64_t event_id) {
  absl::MutexLock lock(&mu_);
  Params p;
  p.Int(Key(event_id));
  Result r = Run(conn_, "SELECT bytes FROM raw_records WHERE event_id = $1", p);
  if (!Ok(r)) return Failure(conn_, "reading a raw record");
  if (PQntuples(r.get()) == 0) {
    return absl::NotFoundError(absl::StrCat("no raw record for event ", event_id));
  }
  return Bytes(r.get(), 0, 0);
}

absl::StatusOr<uint64_t> PostgresStore::EventCount() {
  absl::MutexLock lock(&mu_);
  Result r = Run(conn_, "SELECT COUNT(*) FROM events", Params());
  if (!Ok(r)) return Failure(conn_, "counting events");
  return static_cast<uint64_t>(BigInt(r.get(), 0, 0));
}

absl::Status PostgresStore::PutIncident(const v1::Incident& incident) {
  absl::MutexLock lock(&mu_);
  Params p;
  p.Int(static_cast<int64_t>(incident.id()))
      .Text(incident.state() == v1::Incident::STATE_OPEN ? "true" : "false")
      .Bytes(incident.SerializeAsString());
  Result r = Run(conn_,
                 "INSERT INTO incidents VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET "
                 "open = EXCLUDED.open, body = EXCLUDED.body",
                 p);
  if (!Ok(r)) return Failure(conn_, "storing an incident");
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::Incident>> PostgresStore::OpenIncidents() {
  absl::MutexLock lock(&mu_);
  Result r = Run(conn_, "SELECT body FROM incidents WHERE open ORDER BY id", Params());
  if (!Ok(r)) return Failure(conn_, "reading incidents");
  std::vector<v1::Incident> open(static_cast<size_t>(PQntuples(r.get())));
  for (size_t i = 0; i < open.size(); ++i) {
    if (!open[i].ParseFromString(Bytes(r.get(), static_cast<int>(i), 0))) {
      return absl::DataLossError("an incident stored in the database does not parse");
    }
  }
  return open;
}

absl::StatusOr<RetentionResult> PostgresStore::Retain(int64_t before_ns, uint64_t max_raw_bytes) {
  absl::MutexLock lock(&mu_);
  RetentionResult result;
  Params before;
  before.Int(before_ns);
  Result events = Run(conn_, "DELETE FROM events WHERE time_ns < $1", before);
  if (!Ok(events)) return Failure(conn_, "removing old events");
  result.events_removed = Affected(events);
  Result raw = Run(conn_, "DELETE FROM raw_records WHERE time_ns < $1", before);
  if (!Ok(raw)) return Failure(conn_, "removing old raw records");
  result.raw_records_removed = Affected(raw);
  // The oldest raw records beyond the size, in one statement: keep the newest that fit.
  Params size;
  size.Int(static_cast<int64_t>(max_raw_bytes));
  Result trimmed = Run(conn_,
                       "DELETE FROM raw_records WHERE event_id IN (SELECT event_id FROM (SELECT "
                       "event_id, SUM(LENGTH(bytes)) OVER (ORDER BY time_ns DESC, event_id DESC) "
                       "AS kept FROM raw_records) newest WHERE kept > $1)",
                       size);
  if (!Ok(trimmed)) return Failure(conn_, "trimming raw records to size");
  result.raw_records_removed += Affected(trimmed);
  return result;
}

}  // namespace tapio::storage::postgres
