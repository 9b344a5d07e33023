#include "storage/sqlite/sqlite_store.h"

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "storage/page_token.h"

namespace tapio::storage::sqlite {
namespace {

// Migration N takes the schema from version N-1 to N; never edit one that has shipped.
constexpr const char* kMigrations[] = {
    // 1: events by id with their entity and time for queries, raw records apart, incidents.
    R"sql(
      CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        time_ns INTEGER NOT NULL,
        kind TEXT NOT NULL,
        namespace TEXT NOT NULL,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        body BLOB NOT NULL);
      CREATE INDEX events_by_time ON events (time_ns, id);
      CREATE INDEX events_by_entity ON events (kind, namespace, name, time_ns, id);
      CREATE TABLE raw_records (
        event_id INTEGER PRIMARY KEY,
        time_ns INTEGER NOT NULL,
        bytes BLOB NOT NULL);
      CREATE INDEX raw_records_by_time ON raw_records (time_ns);
      CREATE TABLE incidents (
        id INTEGER PRIMARY KEY,
        open INTEGER NOT NULL,
        body BLOB NOT NULL);
    )sql",
    // 2: the order events arrived in, for replaying them on start; older rows in time order.
    R"sql(
      ALTER TABLE events ADD COLUMN arrival INTEGER;
      UPDATE events SET arrival = (
        SELECT n FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY time_ns, id) AS n FROM events) o
        WHERE o.id = events.id);
      CREATE INDEX events_by_arrival ON events (arrival);
    )sql",
    // 3: the trace id in hex, for correlating by trace; older rows have none.
    R"sql(
      ALTER TABLE events ADD COLUMN trace TEXT NOT NULL DEFAULT '';
      CREATE INDEX events_by_trace ON events (trace, time_ns, id) WHERE trace <> '';
    )sql",
};
static_assert(sizeof kMigrations / sizeof kMigrations[0] == kSchemaVersion);

// Event ids are unsigned 64-bit; SQLite integers are signed: the bits are kept as they are.
int64_t Key(uint64_t id) { return static_cast<int64_t>(id); }

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(Options options) {
  absl::StatusOr<std::unique_ptr<Connection>> db = Connection::Open(options.path);
  if (!db.ok()) return db.status();
  std::unique_ptr<SqliteStore> store(new SqliteStore(*std::move(db)));
  absl::MutexLock lock(&store->mu_);
  for (const char* pragma :
       {"PRAGMA journal_mode=WAL", "PRAGMA busy_timeout=5000", "PRAGMA foreign_keys=ON"}) {
    if (absl::Status s = store->db_->Execute(pragma); !s.ok()) return s;
  }
  if (absl::Status s = store->db_->Execute(options.durable ? "PRAGMA synchronous=FULL"
                                                           : "PRAGMA synchronous=NORMAL");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = store->Migrate(); !s.ok()) return s;
  absl::StatusOr<Statement> last =
      store->db_->Prepare("SELECT COALESCE(MAX(arrival), 0) FROM events");
  if (!last.ok()) return last.status();
  absl::StatusOr<bool> row = last->Step();
  if (!row.ok()) return row.status();
  store->arrival_ = last->Int(0);
  return store;
}

absl::Status SqliteStore::Migrate() {
  if (absl::Status s = db_->Execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER)");
      !s.ok()) {
    return s;
  }
  absl::StatusOr<Statement> read = db_->Prepare("SELECT MAX(version) FROM schema_version");
  if (!read.ok()) return read.status();
  absl::StatusOr<bool> row = read->Step();
  if (!row.ok()) return row.status();
  int64_t version = *row ? read->Int(0) : 0;
  if (version > kSchemaVersion) {
    return absl::FailedPreconditionError(absl::StrCat("the store's schema is at version ", version,
                                                      "; this tapio knows up to ", kSchemaVersion));
  }
  for (int64_t next = version + 1; next <= kSchemaVersion; ++next) {
    std::string step = absl::StrCat("BEGIN IMMEDIATE;", kMigrations[next - 1],
                                    "INSERT INTO schema_version VALUES (", next, "); COMMIT;");
    if (absl::Status s = db_->Execute(step); !s.ok()) {
      db_->Execute("ROLLBACK").IgnoreError();
      return absl::Status(s.code(), absl::StrCat("migrating to version ", next, ": ", s.message()));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<size_t>> SqliteStore::Append(absl::Span<const v1::UnifiedEvent> events) {
  absl::MutexLock lock(&mu_);
  if (absl::Status s = db_->Execute("BEGIN IMMEDIATE"); !s.ok()) return s;
  auto fail = [&](absl::Status s) {
    db_->Execute("ROLLBACK").IgnoreError();
    return s;
  };
  absl::StatusOr<Statement> insert = db_->Prepare(
      "INSERT OR IGNORE INTO events (id, time_ns, kind, namespace, name, type, body, "
      "arrival, trace) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert.ok()) return fail(insert.status());
  absl::StatusOr<Statement> raw =
      db_->Prepare("INSERT OR IGNORE INTO raw_records VALUES (?, ?, ?)");
  if (!raw.ok()) return fail(raw.status());
  std::vector<size_t> added;
  v1::UnifiedEvent body;
  for (size_t i = 0; i < events.size(); ++i) {
    const v1::UnifiedEvent& e = events[i];
    const v1::UnifiedEvent* stored = &e;
    if (!e.raw().empty()) {
      body = e;
      body.clear_raw();
      stored = &body;
    }
    insert->Bind(1, Key(e.id()))
        .Bind(2, static_cast<int64_t>(e.time_unix_nano()))
        .Bind(3, e.entity().kind())
        .Bind(4, e.entity().namespace_())
        .Bind(5, e.entity().name())
        .Bind(6, e.type())
        .BindBlob(7, stored->SerializeAsString())
        .Bind(8, arrival_ + 1)
        .Bind(9, absl::BytesToHexString(e.trace().trace_id()));
    if (absl::Status s = insert->Run(); !s.ok()) return fail(s);
    insert->Reset();
    if (db_->Changes() == 0) continue;
    ++arrival_;
    added.push_back(i);
    if (e.raw().empty()) continue;
    raw->Bind(1, Key(e.id()))
        .Bind(2, static_cast<int64_t>(e.time_unix_nano()))
        .BindBlob(3, e.raw());
    if (absl::Status s = raw->Run(); !s.ok()) return fail(s);
    raw->Reset();
  }
  if (absl::Status s = db_->Execute("COMMIT"); !s.ok()) return fail(s);
  return added;
}

absl::StatusOr<EventPage> SqliteStore::Events(const EventQuery& q) {
  absl::StatusOr<PageToken> after = ParsePageToken(q.page_token);
  if (!after.ok()) return after.status();
  std::string sql = "SELECT body FROM events WHERE (time_ns, id) > (?, ?)";
  if (!q.kind.empty()) absl::StrAppend(&sql, " AND kind = ?3");
  if (!q.namespace_name.empty()) absl::StrAppend(&sql, " AND namespace = ?4");
  if (!q.name.empty()) absl::StrAppend(&sql, " AND name = ?5");
  if (!q.type.empty()) absl::StrAppend(&sql, " AND type = ?6");
  if (!q.trace_id.empty()) absl::StrAppend(&sql, " AND trace = ?10 AND trace <> ''");
  if (q.since_ns != 0) absl::StrAppend(&sql, " AND time_ns >= ?7");
  if (q.until_ns != 0) absl::StrAppend(&sql, " AND time_ns < ?8");
  absl::StrAppend(&sql, " ORDER BY time_ns, id LIMIT ?9");
  absl::MutexLock lock(&mu_);
  absl::StatusOr<Statement> select = db_->Prepare(sql);
  if (!select.ok()) return select.status();
  select->Bind(1, after->time_ns).Bind(2, after->id);
  if (!q.kind.empty()) select->Bind(3, q.kind);
  if (!q.namespace_name.empty()) select->Bind(4, q.namespace_name);
  if (!q.name.empty()) select->Bind(5, q.name);
  if (!q.type.empty()) select->Bind(6, q.type);
  if (!q.trace_id.empty()) select->Bind(10, q.trace_id);
  if (q.since_ns != 0) select->Bind(7, q.since_ns);
  if (q.until_ns != 0) select->Bind(8, q.until_ns);
  select->Bind(9, static_cast<int64_t>(q.limit) + 1);
  EventPage page;
  while (true) {
    absl::StatusOr<bool> row = select->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (page.events.size() == q.limit) {
      const v1::UnifiedEvent& last = page.events.back();
      page.next_page_token =
          MakePageToken({static_cast<int64_t>(last.time_unix_nano()), Key(last.id())});
      break;
    }
    v1::UnifiedEvent& e = page.events.emplace_back();
    if (!e.ParseFromString(std::string(select->Blob(0)))) {
      return absl::DataLossError("an event stored in the database does not parse");
    }
  }
  return page;
}

absl::StatusOr<ArrivalPage> SqliteStore::EventsInArrivalOrder(uint64_t after, size_t limit) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<Statement> select = db_->Prepare(
      "SELECT e.arrival, e.body, r.bytes FROM events e LEFT JOIN raw_records r ON r.event_id = "
      "e.id "
      "WHERE e.arrival > ? ORDER BY e.arrival LIMIT ?");
  if (!select.ok()) return select.status();
  select->Bind(1, static_cast<int64_t>(after)).Bind(2, static_cast<int64_t>(limit) + 1);
  ArrivalPage page;
  page.next = after;
  while (true) {
    absl::StatusOr<bool> row = select->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (page.events.size() == limit) {
      page.last = false;
      break;
    }
    v1::UnifiedEvent& e = page.events.emplace_back();
    if (!e.ParseFromString(std::string(select->Blob(1)))) {
      return absl::DataLossError("an event stored in the database does not parse");
    }
    e.set_raw(std::string(select->Blob(2)));
    page.next = static_cast<uint64_t>(select->Int(0));
  }
  return page;
}

absl::StatusOr<std::string> SqliteStore::RawRecord(uint64_t event_id) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<Statement> select =
      db_->Prepare("SELECT bytes FROM raw_records WHERE event_id = ?");
  if (!select.ok()) return select.status();
  select->Bind(1, Key(event_id));
  absl::StatusOr<bool> row = select->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::NotFoundError(absl::StrCat("no raw record for event ", event_id));
  return std::string(select->Blob(0));
}

absl::StatusOr<uint64_t> SqliteStore::EventCount() {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<Statement> count = db_->Prepare("SELECT COUNT(*) FROM events");
  if (!count.ok()) return count.status();
  absl::StatusOr<bool> row = count->Step();
  if (!row.ok()) return row.status();
  return static_cast<uint64_t>(count->Int(0));
}

absl::Status SqliteStore::PutIncident(const v1::Incident& incident) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<Statement> put = db_->Prepare("INSERT OR REPLACE INTO incidents VALUES (?, ?, ?)");
  if (!put.ok()) return put.status();
  put->Bind(1, static_cast<int64_t>(incident.id()))
      .Bind(2, incident.state() == v1::Incident::STATE_OPEN ? 1 : 0)
      .BindBlob(3, incident.SerializeAsString());
  return put->Run();
}

absl::StatusOr<std::vector<v1::Incident>> SqliteStore::OpenIncidents() {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<Statement> select =
      db_->Prepare("SELECT body FROM incidents WHERE open = 1 ORDER BY id");
  if (!select.ok()) return select.status();
  std::vector<v1::Incident> open;
  while (true) {
    absl::StatusOr<bool> row = select->Step();
    if (!row.ok()) return row.status();
    if (!*row) return open;
    if (!open.emplace_back().ParseFromString(std::string(select->Blob(0)))) {
      return absl::DataLossError("an incident stored in the database does not parse");
    }
  }
}

absl::StatusOr<RetentionResult> SqliteStore::Retain(int64_t before_ns, uint64_t max_raw_bytes) {
  absl::MutexLock lock(&mu_);
  RetentionResult result;
  auto run = [&](absl::string_view sql, int64_t value) -> absl::StatusOr<uint64_t> {
    absl::StatusOr<Statement> s = db_->Prepare(sql);
    if (!s.ok()) return s.status();
    s->Bind(1, value);
    if (absl::Status r = s->Run(); !r.ok()) return r;
    return static_cast<uint64_t>(db_->Changes());
  };
  absl::StatusOr<uint64_t> events = run("DELETE FROM events WHERE time_ns < ?", before_ns);
  if (!events.ok()) return events.status();
  result.events_removed = *events;
  absl::StatusOr<uint64_t> raw = run("DELETE FROM raw_records WHERE time_ns < ?", before_ns);
  if (!raw.ok()) return raw.status();
  result.raw_records_removed = *raw;
  while (true) {
    absl::StatusOr<Statement> size =
        db_->Prepare("SELECT COALESCE(SUM(LENGTH(bytes)), 0) FROM raw_records");
    if (!size.ok()) return size.status();
    absl::StatusOr<bool> row = size->Step();
    if (!row.ok()) return row.status();
    if (static_cast<uint64_t>(size->Int(0)) <= max_raw_bytes) break;
    absl::StatusOr<uint64_t> trimmed =
        run("DELETE FROM raw_records WHERE event_id IN "
            "(SELECT event_id FROM raw_records ORDER BY time_ns LIMIT ?)",
            64);
    if (!trimmed.ok()) return trimmed.status();
    if (*trimmed == 0) break;
    result.raw_records_removed += *trimmed;
  }
  return result;
}

}  // namespace tapio::storage::sqlite
