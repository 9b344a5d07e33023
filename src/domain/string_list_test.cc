#include "domain/string_list.h"

#include <string>

#include "gtest/gtest.h"

namespace tapio::domain {
namespace {

TEST(StringListTest, KeepsOrderAndAnyBytes) {
  std::string odd("a=b\n\0c", 6);
  std::string long_item(300, 'z');
  std::vector<absl::string_view> items = {"event-uid-1", odd, "", long_item};
  Symbol list = InternStringList(items);
  EXPECT_EQ(StringListItems(list), items);
  EXPECT_TRUE(InternStringList({}).empty());
  EXPECT_TRUE(StringListItems(Symbol{}).empty());
}

TEST(LabelsTest, EqualMapsInAnyOrderGiveEqualSymbols) {
  Symbol a = InternLabels({{"node", "n1"}, {"app", "web"}});
  Symbol b = InternLabels({{"app", "web"}, {"node", "n1"}});
  EXPECT_EQ(a, b);
  EXPECT_NE(a, InternLabels({{"app", "web"}, {"node", "n2"}}));
  using Pair = std::pair<absl::string_view, absl::string_view>;
  EXPECT_EQ(LabelItems(a), (std::vector<Pair>{{"app", "web"}, {"node", "n1"}}));
  EXPECT_EQ(FindLabel(a, "node"), "n1");
  EXPECT_FALSE(FindLabel(a, "zone").has_value());
}

}  // namespace
}  // namespace tapio::domain
