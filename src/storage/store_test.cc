// One suite of Store behaviour, run against every backend: what a caller relies on whichever
// store is configured.
#include "storage/store.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <numeric>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/postgres/postgres_store.h"
#include "storage/postgres/testing/postgres_server.h"
#include "storage/sqlite/sqlite_store.h"
#include "tests/support/ci.h"

namespace tapio::storage {
namespace {

using ::testing::ElementsAre;

struct Backend {
  std::string name;
  // OK when the backend can run here; otherwise why not.
  std::function<absl::Status()> available;
  // A fresh place for a store, and a store opened there (again, to see what survives).
  std::function<std::string()> fresh;
  std::function<absl::StatusOr<std::unique_ptr<Store>>(const std::string&)> open;
};

// `index_every`: see SqliteStore::Options. Small, every test crosses the moments events join
// the entity index; large, none does.
Backend Sqlite(absl::string_view name, size_t index_every) {
  return {std::string(name), [] { return absl::OkStatus(); },
          [] {
            static int n = 0;
            std::string dir = absl::StrCat(::testing::TempDir(), "tapio-store-", getpid());
            std::filesystem::create_directories(dir);
            // A process that had this pid before may have left its stores here.
            std::string path = absl::StrCat(dir, "/", ++n, ".db");
            for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
            return path;
          },
          [index_every](const std::string& path) -> absl::StatusOr<std::unique_ptr<Store>> {
            absl::StatusOr<std::unique_ptr<sqlite::SqliteStore>> s =
                sqlite::SqliteStore::Open({path, /*durable=*/false, index_every});
            if (!s.ok()) return s.status();
            return std::unique_ptr<Store>(*std::move(s));
          }};
}

// One real PostgreSQL server for every test of this process, started on first use and
// stopped when the process exits.
const absl::StatusOr<std::unique_ptr<postgres::testing::PostgresServer>>& Server() {
  static const absl::StatusOr<std::unique_ptr<postgres::testing::PostgresServer>> server =
      postgres::testing::PostgresServer::Start();
  return server;
}

Backend Postgres() {
  return {"postgres", [] { return Server().status(); },
          [] {
            static int n = 0;
            std::string name = absl::StrCat("store_test_", ++n);
            absl::Status created = (*Server())->CreateDatabase(name);
            EXPECT_TRUE(created.ok()) << created;
            return name;
          },
          [](const std::string& database) -> absl::StatusOr<std::unique_ptr<Store>> {
            absl::StatusOr<std::unique_ptr<postgres::PostgresStore>> s =
                postgres::PostgresStore::Open((*Server())->ConnInfo(database));
            if (!s.ok()) return s.status();
            return std::unique_ptr<Store>(*std::move(s));
          }};
}

v1::UnifiedEvent Event(uint64_t id, int64_t time_ns, absl::string_view name,
                       absl::string_view type = "k8s.container_terminated") {
  v1::UnifiedEvent e;
  e.set_id(id);
  e.set_time_unix_nano(static_cast<uint64_t>(time_ns));
  e.set_type(std::string(type));
  e.mutable_entity()->set_kind("Pod");
  e.mutable_entity()->set_namespace_("shop");
  e.mutable_entity()->set_name(std::string(name));
  return e;
}

std::vector<uint64_t> Ids(const std::vector<v1::UnifiedEvent>& events) {
  std::vector<uint64_t> ids;
  for (const v1::UnifiedEvent& e : events) ids.push_back(e.id());
  return ids;
}

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (absl::Status available = GetParam().available(); !available.ok()) {
      if (::tapio::testing::InCi())
        GTEST_FAIL() << "CI=true but " << GetParam().name << " cannot run: " << available;
      GTEST_SKIP() << GetParam().name << " cannot run here: " << available;
    }
    location_ = GetParam().fresh();
    absl::StatusOr<std::unique_ptr<Store>> s = GetParam().open(location_);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
  }

  std::string location_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreTest, EventsComeBackInTheOrderStoredWithTheirRawRecords) {
  v1::UnifiedEvent with_raw = Event(3, 100, "a");
  with_raw.set_raw(R"({"kind":"Pod","metadata":{"name":"a"}})");
  std::vector<v1::UnifiedEvent> first = {Event(5, 300, "a"), with_raw};
  ASSERT_TRUE(store_->Append(first).ok());
  std::vector<v1::UnifiedEvent> second = {Event(3, 100, "a"), Event(9, 200, "a")};
  ASSERT_TRUE(store_->Append(second).ok());

  absl::StatusOr<ArrivalPage> page = store_->EventsInArrivalOrder(0, 2);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(Ids(page->events), (std::vector<uint64_t>{5, 3})) << "arrival, not time, order";
  EXPECT_EQ(page->events[1].raw(), with_raw.raw());
  EXPECT_TRUE(page->events[0].raw().empty());
  EXPECT_FALSE(page->last);
  absl::StatusOr<ArrivalPage> rest = store_->EventsInArrivalOrder(page->next, 2);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(Ids(rest->events), (std::vector<uint64_t>{9})) << "the re-sent event is not twice";
  EXPECT_TRUE(rest->last);
  absl::StatusOr<ArrivalPage> none = store_->EventsInArrivalOrder(rest->next, 2);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->events.empty());
}

TEST_P(StoreTest, EventsAreFoundByTheirTrace) {
  std::vector<v1::UnifiedEvent> events = {Event(1, 300, "a"), Event(2, 100, "b"),
                                          Event(3, 200, "c")};
  const std::string trace =
      std::string("\x4b\xf9\x2f\x35\x77\xb3\x4d\xa6\xa3\xce\x92\x9d\x0e\x0e\x47\x36", 16);
  events[0].mutable_trace()->set_trace_id(trace);
  events[1].mutable_trace()->set_trace_id(trace);
  events[2].mutable_trace()->set_trace_id(std::string(16, '\x01'));
  ASSERT_TRUE(store_->Append(events).ok());
  EventQuery q;
  q.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  EXPECT_EQ(Ids(store_->Events(q)->events), (std::vector<uint64_t>{2, 1}));
  q.trace_id = "00000000000000000000000000000000";
  EXPECT_TRUE(store_->Events(q)->events.empty());
}

TEST_P(StoreTest, AnEventIsStoredOnceHoweverOftenItIsSent) {
  std::vector<v1::UnifiedEvent> first = {Event(1, 100, "a"), Event(2, 200, "a")};
  EXPECT_EQ(store_->Append(first)->size(), 2u);
  std::vector<v1::UnifiedEvent> again = {Event(2, 200, "a"), Event(3, 300, "a")};
  EXPECT_EQ(*store_->Append(again), std::vector<size_t>{1}) << "only the second was new";
  std::vector<v1::UnifiedEvent> twice = {Event(9, 500, "a"), Event(8, 450, "a"),
                                         Event(9, 500, "a")};
  EXPECT_EQ(*store_->Append(twice), (std::vector<size_t>{0, 1})) << "the first of two alike is new";
  EXPECT_EQ(*store_->EventCount(), 5u);
  std::vector<v1::UnifiedEvent> top_bit = {Event(~uint64_t{0}, 400, "a")};
  EXPECT_EQ(store_->Append(top_bit)->size(), 1u) << "ids use all 64 bits";
  EXPECT_EQ(Ids(store_->Events({})->events), (std::vector<uint64_t>{1, 2, 3, ~uint64_t{0}, 8, 9}));
}

TEST_P(StoreTest, AgentsSendingTheSameEventsAtOnceStoreEachOnceAndEachIsToldWhatWasNew) {
  constexpr int kAgents = 4;
  constexpr uint64_t kBatches = 20;
  constexpr uint64_t kBatch = 100;
  // Agent a sends ids from a * kBatch * kBatches / 2 on: each id is sent by two agents.
  std::vector<std::vector<uint64_t>> claimed(kAgents);
  std::vector<std::thread> agents;
  for (int a = 0; a < kAgents; ++a) {
    agents.emplace_back([&, a] {
      const uint64_t first = static_cast<uint64_t>(a) * kBatch * kBatches / 2;
      for (uint64_t b = 0; b < kBatches; ++b) {
        std::vector<v1::UnifiedEvent> batch;
        for (uint64_t i = 0; i < kBatch; ++i) {
          uint64_t id = (first + b * kBatch + i) % (kAgents * kBatch * kBatches / 2) + 1;
          batch.push_back(Event(id, static_cast<int64_t>(id), absl::StrCat("pod-", id % 7)));
        }
        absl::StatusOr<std::vector<size_t>> added = store_->Append(batch);
        ASSERT_TRUE(added.ok()) << added.status();
        for (size_t i : *added) claimed[static_cast<size_t>(a)].push_back(batch[i].id());
      }
    });
  }
  for (std::thread& t : agents) t.join();
  std::vector<uint64_t> all;
  for (const auto& ids : claimed) all.insert(all.end(), ids.begin(), ids.end());
  std::sort(all.begin(), all.end());
  std::vector<uint64_t> expected(kAgents * kBatch * kBatches / 2);
  std::iota(expected.begin(), expected.end(), 1);
  EXPECT_EQ(all, expected) << "every id is new to exactly one agent";
  EXPECT_EQ(*store_->EventCount(), expected.size());
  EventQuery q;
  q.name = "pod-3";
  q.limit = 10000;
  EXPECT_EQ(store_->Events(q)->events.size(), expected.size() / 7 + (expected.size() % 7 >= 3));
}

TEST_P(StoreTest, QueriesFilterByEntityTypeAndTimeAndPageInTimeOrder) {
  std::vector<v1::UnifiedEvent> events;
  for (uint64_t i = 1; i <= 250; ++i) {
    events.push_back(Event(i, static_cast<int64_t>(1000 - i), i % 2 == 0 ? "even" : "odd",
                           i % 5 == 0 ? "k8s.pod_evicted" : "k8s.container_terminated"));
  }
  ASSERT_EQ(store_->Append(events)->size(), 250u);

  EventQuery query;
  query.kind = "Pod";
  query.namespace_name = "shop";
  query.name = "even";
  query.limit = 50;
  std::vector<uint64_t> seen;
  int pages = 0;
  do {
    absl::StatusOr<EventPage> page = store_->Events(query);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const v1::UnifiedEvent& e : page->events) {
      EXPECT_EQ(e.entity().name(), "even");
      if (!seen.empty()) {
        EXPECT_LT(e.id(), seen.back()) << "later ids are earlier in time";
      }
      seen.push_back(e.id());
    }
    query.page_token = page->next_page_token;
    ++pages;
  } while (!query.page_token.empty());
  EXPECT_EQ(seen.size(), 125u);
  EXPECT_EQ(pages, 3);

  EventQuery evicted;
  evicted.type = "k8s.pod_evicted";
  evicted.since_ns = 1000 - 20;
  evicted.until_ns = 1000 - 5;
  EXPECT_EQ(Ids(store_->Events(evicted)->events), (std::vector<uint64_t>{20, 15, 10}));
}

TEST_P(StoreTest, EventsOfAnEntityAreFoundInTimeOrderAfterReopening) {
  std::vector<v1::UnifiedEvent> events;
  for (uint64_t i = 1; i <= 100; ++i) {
    events.push_back(Event(i, static_cast<int64_t>((i * 37) % 101), absl::StrCat("pod-", i % 3)));
  }
  for (size_t begin = 0; begin < events.size(); begin += 9) {
    std::vector<v1::UnifiedEvent> batch(
        events.begin() + static_cast<std::ptrdiff_t>(begin),
        events.begin() + static_cast<std::ptrdiff_t>(std::min(begin + 9, events.size())));
    ASSERT_TRUE(store_->Append(batch).ok());
  }
  std::vector<v1::UnifiedEvent> of_pod_1;
  for (const v1::UnifiedEvent& e : events) {
    if (e.entity().name() == "pod-1") of_pod_1.push_back(e);
  }
  std::sort(of_pod_1.begin(), of_pod_1.end(),
            [](const auto& a, const auto& b) { return a.time_unix_nano() < b.time_unix_nano(); });
  EventQuery query;
  query.kind = "Pod";
  query.namespace_name = "shop";
  query.name = "pod-1";
  query.limit = 10;
  auto all_pages = [&](Store& store) {
    std::vector<uint64_t> seen;
    EventQuery q = query;
    do {
      absl::StatusOr<EventPage> page = store.Events(q);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      for (const v1::UnifiedEvent& e : page->events) seen.push_back(e.id());
      q.page_token = page->next_page_token;
    } while (!q.page_token.empty());
    return seen;
  };
  EXPECT_EQ(all_pages(*store_), Ids(of_pod_1));
  store_.reset();
  absl::StatusOr<std::unique_ptr<Store>> again = GetParam().open(location_);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(all_pages(**again), Ids(of_pod_1));
  std::vector<v1::UnifiedEvent> later = {Event(1000, 5000, "pod-1")};
  ASSERT_TRUE((*again)->Append(later).ok());
  of_pod_1.push_back(later[0]);
  EXPECT_EQ(all_pages(**again), Ids(of_pod_1)) << "appending after reopening";
}

TEST_P(StoreTest, APageTokenFromElsewhereIsRefused) {
  EventQuery query;
  query.page_token = "not-a-token";
  absl::StatusOr<EventPage> page = store_->Events(query);
  EXPECT_EQ(page.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreTest, RawRecordsAreKeptApartFromTheirEvents) {
  v1::UnifiedEvent e = Event(7, 100, "a");
  e.set_raw("<3>Memory cgroup out of memory: Killed process 1234 (java)");
  std::vector<v1::UnifiedEvent> events = {e};
  ASSERT_EQ(store_->Append(events)->size(), 1u);
  EXPECT_TRUE(store_->Events({})->events.at(0).raw().empty());
  EXPECT_EQ(*store_->RawRecord(7), e.raw());
  EXPECT_EQ(store_->RawRecord(8).status().code(), absl::StatusCode::kNotFound);
}

TEST_P(StoreTest, OpenIncidentsAreThereAfterReopening) {
  v1::Incident open;
  open.set_id(1);
  open.set_state(v1::Incident::STATE_OPEN);
  open.mutable_cause()->set_category("node-memory-pressure");
  v1::Incident resolved;
  resolved.set_id(2);
  resolved.set_state(v1::Incident::STATE_RESOLVED);
  ASSERT_TRUE(store_->PutIncident(open).ok());
  ASSERT_TRUE(store_->PutIncident(resolved).ok());
  open.set_matches(3);
  ASSERT_TRUE(store_->PutIncident(open).ok()) << "an update replaces";
  store_.reset();

  absl::StatusOr<std::unique_ptr<Store>> again = GetParam().open(location_);
  ASSERT_TRUE(again.ok()) << again.status();
  absl::StatusOr<std::vector<v1::Incident>> incidents = (*again)->OpenIncidents();
  ASSERT_TRUE(incidents.ok()) << incidents.status();
  ASSERT_EQ(incidents->size(), 1u);
  EXPECT_EQ((*incidents)[0].id(), 1u);
  EXPECT_EQ((*incidents)[0].matches(), 3u);
  EXPECT_EQ((*incidents)[0].cause().category(), "node-memory-pressure");
}

TEST_P(StoreTest, RetentionRemovesOldEventsThenTheOldestRawRecordsBeyondTheSize) {
  std::vector<v1::UnifiedEvent> events;
  for (uint64_t i = 1; i <= 200; ++i) {
    v1::UnifiedEvent e = Event(i, static_cast<int64_t>(i), "a");
    e.set_raw(std::string(100, 'x'));
    events.push_back(e);
  }
  ASSERT_EQ(store_->Append(events)->size(), 200u);
  absl::StatusOr<RetentionResult> result = store_->Retain(/*before_ns=*/51, /*max_raw_bytes=*/5000);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->events_removed, 50u);
  EXPECT_EQ(*store_->EventCount(), 150u);
  EXPECT_EQ(store_->RawRecord(50).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_->RawRecord(200).ok()) << "the newest raw records stay";
  EXPECT_EQ(store_->RawRecord(51).status().code(), absl::StatusCode::kNotFound)
      << "the oldest raw records go first beyond the size";
  EventQuery of_a;
  of_a.name = "a";
  of_a.limit = 1000;
  std::vector<uint64_t> kept = Ids(store_->Events(of_a)->events);
  ASSERT_EQ(kept.size(), 150u) << "what retention removed is not found by entity either";
  EXPECT_EQ(kept.front(), 51u);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest,
                         ::testing::Values(Sqlite("sqlite", 65536),
                                           Sqlite("sqlite_indexing_every_7", 7), Postgres()),
                         [](const ::testing::TestParamInfo<Backend>& backend) {
                           return backend.param.name;
                         });

}  // namespace
}  // namespace tapio::storage
