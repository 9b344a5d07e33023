#include "storage/sqlite/sqlite_store.h"

#include <algorithm>
#include <iterator>
#include <tuple>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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
    // 4: rows keyed by arrival, so that storing appends to the tables' ends; entities by an
    // integer id from a dictionary; raw records keyed by their event's arrival.
    R"sql(
      CREATE TABLE entities (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        namespace TEXT NOT NULL,
        name TEXT NOT NULL,
        UNIQUE (kind, namespace, name));
      INSERT INTO entities (kind, namespace, name)
        SELECT DISTINCT kind, namespace, name FROM events;
      CREATE TABLE events_v4 (
        arrival INTEGER PRIMARY KEY,
        id INTEGER NOT NULL UNIQUE,
        time_ns INTEGER NOT NULL,
        entity INTEGER NOT NULL,
        type TEXT NOT NULL,
        trace TEXT NOT NULL,
        body BLOB NOT NULL);
      INSERT INTO events_v4
        SELECT e.arrival, e.id, e.time_ns, n.id, e.type, e.trace, e.body
        FROM events e JOIN entities n
          ON n.kind = e.kind AND n.namespace = e.namespace AND n.name = e.name
        ORDER BY e.arrival;
      CREATE TABLE raw_records_v4 (
        arrival INTEGER PRIMARY KEY,
        bytes BLOB NOT NULL);
      INSERT INTO raw_records_v4
        SELECT e.arrival, r.bytes FROM raw_records r JOIN events e ON e.id = r.event_id
        ORDER BY e.arrival;
      DROP TABLE raw_records;
      DROP TABLE events;
      ALTER TABLE events_v4 RENAME TO events;
      ALTER TABLE raw_records_v4 RENAME TO raw_records;
      CREATE INDEX events_by_time ON events (time_ns, id);
      CREATE INDEX events_by_entity ON events (entity, time_ns, id);
      CREATE INDEX events_by_trace ON events (trace, time_ns, id) WHERE trace <> '';
    )sql",
    // 5: events by entity in a table of their own, which EntityIndex fills in bulk, in place of
    // an index that every append updated all over.
    R"sql(
      CREATE TABLE entity_events (
        entity INTEGER NOT NULL,
        time_ns INTEGER NOT NULL,
        id INTEGER NOT NULL,
        arrival INTEGER NOT NULL,
        PRIMARY KEY (entity, time_ns, id)) WITHOUT ROWID;
      INSERT INTO entity_events SELECT entity, time_ns, id, arrival FROM events;
      DROP INDEX events_by_entity;
      CREATE TABLE entity_index_through (arrival INTEGER NOT NULL);
      INSERT INTO entity_index_through SELECT COALESCE(MAX(arrival), 0) FROM events;
    )sql",
};
static_assert(sizeof kMigrations / sizeof kMigrations[0] == kSchemaVersion);

// A stored event as a query finds it: where it sorts, and its bytes.
struct Found {
  int64_t time_ns;
  int64_t id;
  std::string body;
};

// Event ids are unsigned 64-bit; SQLite integers are signed: the bits are kept as they are.
int64_t Key(uint64_t id) { return static_cast<int64_t>(id); }

// The page size of a new file (an existing one keeps its own), the pages of the database kept
// in memory (negative: KiB), and how long the write-ahead log grows (in pages) before its pages
// are copied back: larger than SQLite's defaults, so that a stream of appends, whose entity
// index takes rows all over the file, rewrites fewer pages. 16 KiB pages stored a million
// events 1.5 times as fast as 4 KiB ones (sqlite_store_benchmark).
constexpr const char* kPageSizePragma = "PRAGMA page_size=16384";
constexpr const char* kCachePragma = "PRAGMA cache_size=-65536";
constexpr const char* kCheckpointPragma = "PRAGMA wal_autocheckpoint=10000";

constexpr int kEventColumns = 7;

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(Options options) {
  absl::StatusOr<std::unique_ptr<Connection>> db = Connection::Open(options.path);
  if (!db.ok()) return db.status();
  std::unique_ptr<SqliteStore> store(new SqliteStore(*std::move(db)));
  absl::MutexLock lock(&store->mu_);
  Connection& c = *store->db_;
  for (const char* pragma :
       {kPageSizePragma, "PRAGMA journal_mode=WAL", "PRAGMA busy_timeout=5000",
        "PRAGMA foreign_keys=ON",
        options.durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", kCachePragma,
        kCheckpointPragma}) {
    if (absl::Status s = c.Execute(pragma); !s.ok()) return s;
  }
  if (absl::Status s = store->Migrate(); !s.ok()) return s;
  absl::StatusOr<EntityIds> entities = EntityIds::Prepare(c);
  if (!entities.ok()) return entities.status();
  store->entities_.emplace(*std::move(entities));
  absl::StatusOr<EntityIndex> by_entity = EntityIndex::Load(c, options.index_every);
  if (!by_entity.ok()) return by_entity.status();
  store->by_entity_.emplace(*std::move(by_entity));
  absl::StatusOr<Statement> insert_raw = c.Prepare("INSERT INTO raw_records VALUES (?, ?)");
  if (!insert_raw.ok()) return insert_raw.status();
  store->insert_raw_.emplace(*std::move(insert_raw));
  absl::StatusOr<Statement> stored_in =
      c.Prepare("SELECT arrival FROM events WHERE arrival BETWEEN ? AND ? ORDER BY arrival");
  if (!stored_in.ok()) return stored_in.status();
  store->stored_in_.emplace(*std::move(stored_in));
  absl::StatusOr<Statement> last = c.Prepare("SELECT COALESCE(MAX(arrival), 0) FROM events");
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
  int64_t version = 0;
  {
    // Finished before migrating: a table cannot be dropped under a statement still reading.
    absl::StatusOr<Statement> read = db_->Prepare("SELECT MAX(version) FROM schema_version");
    if (!read.ok()) return read.status();
    absl::StatusOr<bool> row = read->Step();
    if (!row.ok()) return row.status();
    if (*row) version = read->Int(0);
  }
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
  PendingAppend mine{events, std::vector<size_t>(), false};
  std::vector<PendingAppend*> group;
  {
    absl::MutexLock lock(&queue_mu_);
    queue_.push_back(&mine);
    auto turn = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu_) { return mine.done || !writing_; };
    queue_mu_.Await(absl::Condition(&turn));
    if (mine.done) return std::move(mine.added);
    writing_ = true;
    group.swap(queue_);
  }
  {
    absl::MutexLock lock(&mu_);
    Write(group);
  }
  absl::MutexLock lock(&queue_mu_);
  writing_ = false;
  for (PendingAppend* p : group) p->done = true;
  return std::move(mine.added);
}

void SqliteStore::Write(absl::Span<PendingAppend* const> group) {
  const int64_t arrival = arrival_;
  const size_t held = by_entity_->Mark();
  absl::Status written = WriteEach(group);
  if (written.ok()) written = by_entity_->WriteWhenDue();
  if (written.ok()) written = db_->Execute("COMMIT");
  if (written.ok()) {
    by_entity_->Committed();
    return;
  }
  db_->Execute("ROLLBACK").IgnoreError();
  arrival_ = arrival;
  by_entity_->RollBack(held);
  entities_->Forget();
  for (PendingAppend* p : group) p->added = written;
}

absl::StatusOr<Statement*> SqliteStore::InsertOf(size_t rows) {
  if (auto known = inserts_.find(rows); known != inserts_.end()) return &known->second;
  std::string sql =
      "INSERT OR IGNORE INTO events (arrival, id, time_ns, entity, type, trace, body) VALUES ";
  for (size_t r = 0; r < rows; ++r) absl::StrAppend(&sql, r == 0 ? "" : ",", "(?,?,?,?,?,?,?)");
  absl::StatusOr<Statement> insert = db_->Prepare(sql);
  if (!insert.ok()) return insert.status();
  return &inserts_.emplace(rows, *std::move(insert)).first->second;
}

absl::Status SqliteStore::WriteEach(absl::Span<PendingAppend* const> group) {
  if (absl::Status s = db_->Execute("BEGIN IMMEDIATE"); !s.ok()) return s;
  for (PendingAppend* p : group) {
    std::vector<size_t> added;
    for (size_t begin = 0; begin < p->events.size(); begin += kRowsPerInsert) {
      const size_t rows = std::min(kRowsPerInsert, p->events.size() - begin);
      absl::StatusOr<Statement*> insert = InsertOf(rows);
      if (!insert.ok()) return insert.status();
      // Each row takes the next arrival; one whose id is stored already leaves its unused.
      const int64_t first = arrival_ + 1;
      for (size_t r = 0; r < rows; ++r) {
        const v1::UnifiedEvent& e = p->events[begin + r];
        absl::StatusOr<int64_t> entity = entities_->IdOf(e.entity());
        if (!entity.ok()) return entity.status();
        entity_of_[r] = *entity;
        std::string& body = bodies_[r];
        if (e.raw().empty()) {
          e.SerializeToString(&body);
        } else {
          without_raw_ = e;
          without_raw_.clear_raw();
          without_raw_.SerializeToString(&body);
        }
        std::string& trace = traces_[r];
        trace.clear();
        if (!e.trace().trace_id().empty()) trace = absl::BytesToHexString(e.trace().trace_id());
        const int at = static_cast<int>(r) * kEventColumns;
        (*insert)
            ->Bind(at + 1, first + static_cast<int64_t>(r))
            .Bind(at + 2, Key(e.id()))
            .Bind(at + 3, static_cast<int64_t>(e.time_unix_nano()))
            .Bind(at + 4, *entity)
            .BindTextUntilReset(at + 5, e.type())
            .BindTextUntilReset(at + 6, trace)
            .BindBlobUntilReset(at + 7, body);
      }
      arrival_ += static_cast<int64_t>(rows);
      absl::Status inserted = (*insert)->Run();
      (*insert)->Reset();
      if (!inserted.ok()) return inserted;
      stored_.clear();
      if (db_->Changes() == static_cast<int64_t>(rows)) {
        for (size_t r = 0; r < rows; ++r) stored_.push_back(first + static_cast<int64_t>(r));
      } else {
        // Some ids were stored already: the arrivals taken tell which rows are new.
        stored_in_->Bind(1, first).Bind(2, arrival_);
        while (true) {
          absl::StatusOr<bool> row = stored_in_->Step();
          if (!row.ok()) {
            stored_in_->Reset();
            return row.status();
          }
          if (!*row) break;
          stored_.push_back(stored_in_->Int(0));
        }
        stored_in_->Reset();
      }
      for (int64_t arrival : stored_) {
        const size_t i = begin + static_cast<size_t>(arrival - first);
        added.push_back(i);
        by_entity_->Add({entity_of_[i - begin], static_cast<int64_t>(p->events[i].time_unix_nano()),
                         Key(p->events[i].id()), arrival});
        if (p->events[i].raw().empty()) continue;
        insert_raw_->Bind(1, arrival).BindBlob(2, p->events[i].raw());
        absl::Status s = insert_raw_->Run();
        insert_raw_->Reset();
        if (!s.ok()) return s;
      }
    }
    p->added = std::move(added);
  }
  return absl::OkStatus();
}

absl::StatusOr<EventPage> SqliteStore::Events(const EventQuery& q) {
  absl::StatusOr<PageToken> after = ParsePageToken(q.page_token);
  if (!after.ok()) return after.status();
  // What the event itself must be, in every part of the query.
  std::string also;
  if (!q.type.empty()) absl::StrAppend(&also, " AND e.type = ?6");
  if (!q.trace_id.empty()) absl::StrAppend(&also, " AND e.trace = ?10 AND e.trace <> ''");
  if (q.since_ns != 0) absl::StrAppend(&also, " AND e.time_ns >= ?7");
  if (q.until_ns != 0) absl::StrAppend(&also, " AND e.time_ns < ?8");
  std::vector<const char*> match;
  if (!q.kind.empty()) match.push_back("kind = ?3");
  if (!q.namespace_name.empty()) match.push_back("namespace = ?4");
  if (!q.name.empty()) match.push_back("name = ?5");
  const std::string entities =
      absl::StrCat("SELECT id FROM entities WHERE ", absl::StrJoin(match, " AND "));
  const int64_t limit = static_cast<int64_t>(q.limit) + 1;
  absl::MutexLock lock(&mu_);
  auto bind = [&](Statement& s) {
    s.Bind(1, after->time_ns).Bind(2, after->id).Bind(9, limit);
    if (!q.kind.empty()) s.Bind(3, q.kind);
    if (!q.namespace_name.empty()) s.Bind(4, q.namespace_name);
    if (!q.name.empty()) s.Bind(5, q.name);
    if (!q.type.empty()) s.Bind(6, q.type);
    if (q.since_ns != 0) s.Bind(7, q.since_ns);
    if (q.until_ns != 0) s.Bind(8, q.until_ns);
    if (!q.trace_id.empty()) s.Bind(10, q.trace_id);
  };
  // Rows of (time, id, body) in that order.
  auto read = [&](const std::string& sql, std::vector<Found>* into,
                  absl::string_view arrivals = "") -> absl::Status {
    absl::StatusOr<Statement> select = db_->Prepare(sql);
    if (!select.ok()) return select.status();
    bind(*select);
    if (!arrivals.empty()) select->Bind(11, arrivals);
    while (true) {
      absl::StatusOr<bool> row = select->Step();
      if (!row.ok()) return row.status();
      if (!*row) return absl::OkStatus();
      into->push_back({select->Int(0), select->Int(1), std::string(select->Blob(2))});
    }
  };
  std::vector<Found> found;
  if (match.empty()) {
    absl::Status s = read(absl::StrCat("SELECT e.time_ns, e.id, e.body FROM events e WHERE "
                                       "(e.time_ns, e.id) > (?1, ?2)",
                                       also, " ORDER BY e.time_ns, e.id LIMIT ?9"),
                          &found);
    if (!s.ok()) return s;
  } else {
    absl::Status s =
        read(absl::StrCat("SELECT e.time_ns, e.id, e.body FROM entity_events x JOIN events e ON "
                          "e.arrival = x.arrival WHERE x.entity ",
                          match.size() == 3 ? "= (" : "IN (", entities,
                          ") AND (x.time_ns, x.id) > (?1, ?2)", also,
                          " ORDER BY x.time_ns, x.id LIMIT ?9"),
             &found);
    if (!s.ok()) return s;
    // The newest events are not in entity_events yet: the index holds their arrivals.
    absl::flat_hash_set<int64_t> ids;
    {
      absl::StatusOr<Statement> select = db_->Prepare(entities);
      if (!select.ok()) return select.status();
      if (!q.kind.empty()) select->Bind(3, q.kind);
      if (!q.namespace_name.empty()) select->Bind(4, q.namespace_name);
      if (!q.name.empty()) select->Bind(5, q.name);
      while (true) {
        absl::StatusOr<bool> row = select->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        ids.insert(select->Int(0));
      }
    }
    std::vector<int64_t> arrivals = by_entity_->HeldArrivals(ids, *after, q.since_ns, q.until_ns);
    std::vector<Found> held;
    if (!arrivals.empty()) {
      s = read(absl::StrCat("SELECT e.time_ns, e.id, e.body FROM events e WHERE e.arrival IN "
                            "(SELECT value FROM json_each(?11))",
                            also, " ORDER BY e.time_ns, e.id LIMIT ?9"),
               &held, absl::StrCat("[", absl::StrJoin(arrivals, ","), "]"));
      if (!s.ok()) return s;
    }
    if (!held.empty()) {
      std::vector<Found> both;
      both.reserve(found.size() + held.size());
      std::merge(std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()),
                 std::make_move_iterator(held.begin()), std::make_move_iterator(held.end()),
                 std::back_inserter(both), [](const Found& a, const Found& b) {
                   return std::tie(a.time_ns, a.id) < std::tie(b.time_ns, b.id);
                 });
      found = std::move(both);
    }
  }
  EventPage page;
  for (Found& f : found) {
    if (page.events.size() == q.limit) {
      const v1::UnifiedEvent& last = page.events.back();
      page.next_page_token =
          MakePageToken({static_cast<int64_t>(last.time_unix_nano()), Key(last.id())});
      break;
    }
    if (!page.events.emplace_back().ParseFromString(f.body)) {
      return absl::DataLossError("an event stored in the database does not parse");
    }
  }
  return page;
}

absl::StatusOr<ArrivalPage> SqliteStore::EventsInArrivalOrder(uint64_t after, size_t limit) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<Statement> select = db_->Prepare(
      "SELECT e.arrival, e.body, r.bytes FROM events e LEFT JOIN raw_records r "
      "ON r.arrival = e.arrival WHERE e.arrival > ? ORDER BY e.arrival LIMIT ?");
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
  absl::StatusOr<Statement> select = db_->Prepare(
      "SELECT r.bytes FROM events e JOIN raw_records r ON r.arrival = e.arrival WHERE e.id = ?");
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
  absl::StatusOr<uint64_t> raw =
      run("DELETE FROM raw_records WHERE arrival IN (SELECT arrival FROM events WHERE time_ns < ?)",
          before_ns);
  if (!raw.ok()) return raw.status();
  result.raw_records_removed = *raw;
  absl::StatusOr<uint64_t> events = run("DELETE FROM events WHERE time_ns < ?", before_ns);
  if (!events.ok()) return events.status();
  result.events_removed = *events;
  if (*events > 0) {
    absl::StatusOr<uint64_t> indexed =
        run("DELETE FROM entity_events WHERE time_ns < ?", before_ns);
    if (!indexed.ok()) return indexed.status();
    by_entity_->DropBefore(before_ns);
    entities_->Forget();
    absl::StatusOr<uint64_t> entities =
        run("DELETE FROM entities WHERE id NOT IN (SELECT entity FROM entity_events) AND id NOT "
            "IN (SELECT entity FROM events WHERE arrival > ?)",
            by_entity_->through());
    if (!entities.ok()) return entities.status();
  }
  // The total once, then the earliest stored records until what stays fits: one pass each.
  absl::StatusOr<Statement> size =
      db_->Prepare("SELECT COALESCE(SUM(LENGTH(bytes)), 0) FROM raw_records");
  if (!size.ok()) return size.status();
  absl::StatusOr<bool> summed = size->Step();
  if (!summed.ok()) return summed.status();
  uint64_t excess = static_cast<uint64_t>(size->Int(0));
  if (excess <= max_raw_bytes) return result;
  excess -= max_raw_bytes;
  absl::StatusOr<Statement> oldest =
      db_->Prepare("SELECT arrival, LENGTH(bytes) FROM raw_records ORDER BY arrival");
  if (!oldest.ok()) return oldest.status();
  int64_t cut = 0;
  uint64_t freed = 0;
  while (freed < excess) {
    absl::StatusOr<bool> row = oldest->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    cut = oldest->Int(0);
    freed += static_cast<uint64_t>(oldest->Int(1));
  }
  oldest->Reset();
  absl::StatusOr<uint64_t> trimmed = run("DELETE FROM raw_records WHERE arrival <= ?", cut);
  if (!trimmed.ok()) return trimmed.status();
  result.raw_records_removed += *trimmed;
  return result;
}

}  // namespace tapio::storage::sqlite
