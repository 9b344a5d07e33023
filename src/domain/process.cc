#include "domain/process.h"

#include "absl/synchronization/mutex.h"

namespace tapio::domain {

void ConfigureProcess() { absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore); }

}  // namespace tapio::domain
