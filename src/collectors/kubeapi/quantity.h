// Kubernetes resource quantities ("256Mi", "1.5G", "200m", "1e3") as integers.
#ifndef TAPIO_COLLECTORS_KUBEAPI_QUANTITY_H_
#define TAPIO_COLLECTORS_KUBEAPI_QUANTITY_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tapio::collectors::kubeapi {

// Returns the quantity times `scale`, rounded up as Kubernetes rounds (scale 1 gives bytes or
// whole units, 1000 gives millicores). Fails with InvalidArgument for text that is not a
// quantity, and OutOfRange when the result does not fit in int64.
absl::StatusOr<int64_t> ParseQuantity(absl::string_view text, int64_t scale);

}  // namespace tapio::collectors::kubeapi

#endif  // TAPIO_COLLECTORS_KUBEAPI_QUANTITY_H_
