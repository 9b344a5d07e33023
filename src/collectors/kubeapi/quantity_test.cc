#include "collectors/kubeapi/quantity.h"

#include "gtest/gtest.h"

namespace tapio::collectors::kubeapi {
namespace {

TEST(ParseQuantityTest, ReadsTheSuffixesKubernetesPrints) {
  EXPECT_EQ(*ParseQuantity("256Mi", 1), 268435456);
  EXPECT_EQ(*ParseQuantity("8146056Ki", 1), int64_t{8146056} * 1024);
  EXPECT_EQ(*ParseQuantity("1.5G", 1), 1500000000);
  EXPECT_EQ(*ParseQuantity("200m", 1000), 200);
  EXPECT_EQ(*ParseQuantity("2", 1000), 2000);
  EXPECT_EQ(*ParseQuantity("0.1", 1000), 100);
  EXPECT_EQ(*ParseQuantity("1e3", 1), 1000);
  EXPECT_EQ(*ParseQuantity("100k", 1), 100000);
}

TEST(ParseQuantityTest, RejectsWhatIsNotAQuantity) {
  EXPECT_FALSE(ParseQuantity("", 1).ok());
  EXPECT_FALSE(ParseQuantity("Mi", 1).ok());
  EXPECT_FALSE(ParseQuantity("12Q", 1).ok());
  EXPECT_FALSE(ParseQuantity("1.2.3", 1).ok());
  EXPECT_EQ(ParseQuantity("9999999Ei", 1).status().code(), absl::StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace tapio::collectors::kubeapi
