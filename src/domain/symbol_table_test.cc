#include "domain/symbol_table.h"

#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace tapio::domain {
namespace {

TEST(SymbolTableTest, InternsEachStringOnce) {
  SymbolTable table;
  Symbol a = table.Intern("OOMKilled");
  EXPECT_EQ(table.Intern("OOMKilled"), a);
  EXPECT_NE(table.Intern("Evicted"), a);
  EXPECT_EQ(table.Resolve(a), "OOMKilled");
  EXPECT_EQ(table.size(), 2u);
  EXPECT_EQ(table.text_bytes(), 9u + 7u);
  EXPECT_EQ(*table.Find("Evicted"), table.Intern("Evicted"));
  EXPECT_FALSE(table.Find("NodeNotReady").has_value());
}

TEST(SymbolTableTest, EmptyStringIsTheEmptySymbol) {
  SymbolTable table;
  EXPECT_TRUE(table.Intern("").empty());
  EXPECT_EQ(table.Resolve(Symbol{}), "");
  EXPECT_EQ(table.size(), 0u);
}

TEST(SymbolTableTest, KeepsBinaryAndLargeStrings) {
  SymbolTable table;
  std::string binary("a\0b\xff", 4);
  std::string large(3 << 20, 'x');
  Symbol b = table.Intern(binary);
  Symbol l = table.Intern(large);
  EXPECT_EQ(table.Resolve(b), binary);
  EXPECT_EQ(table.Resolve(l), large);
}

TEST(SymbolTableTest, ConcurrentInterningAgreesAndResolves) {
  SymbolTable table;
  constexpr int kThreads = 4;
  constexpr int kStrings = 20000;
  std::vector<std::vector<Symbol>> seen(kThreads, std::vector<Symbol>(kStrings));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kStrings; ++i) {
        int n = (i * 7919 + t * 104729) % kStrings;
        seen[t][n] = table.Intern("reason-" + std::to_string(n));
        EXPECT_EQ(table.Resolve(seen[t][n]), "reason-" + std::to_string(n));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(table.size(), static_cast<size_t>(kStrings));
  for (int t = 1; t < kThreads; ++t) EXPECT_EQ(seen[t], seen[0]);
}

// Intern answers repeated strings from a small cache of its thread: more strings than it holds,
// of every length around its limit, from several threads, must still get the global table's
// symbols.
TEST(SymbolTableTest, InternAgreesWithTheGlobalTableWhateverItsThreadCached) {
  constexpr int kThreads = 3;
  constexpr int kStrings = 6000;
  auto text = [](int n) {
    return std::string(static_cast<size_t>(50 + n % 15), static_cast<char>('a' + n % 26)) +
           std::to_string(n);
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < kStrings; ++i) {
          int n = (i * 7919 + t * 104729) % kStrings;
          Symbol symbol = Intern(text(n));
          EXPECT_EQ(symbol, SymbolTable::Global().Intern(text(n))) << n;
          EXPECT_EQ(Resolve(symbol), text(n));
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(Intern(""), Symbol{});
}

}  // namespace
}  // namespace tapio::domain
