// Propagation of absl::Status and absl::StatusOr<T>, the one error convention in Tapio.
#ifndef TAPIO_DOMAIN_STATUS_MACROS_H_
#define TAPIO_DOMAIN_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define TAPIO_STATUS_CONCAT_INNER_(a, b) a##b
#define TAPIO_STATUS_CONCAT_(a, b) TAPIO_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` (an absl::Status) is not OK.
#define TAPIO_RETURN_IF_ERROR(expr)                                 \
  do {                                                              \
    if (absl::Status tapio_status_ = (expr); !tapio_status_.ok()) { \
      return tapio_status_;                                         \
    }                                                               \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status, otherwise moves the
// value into `lhs`, which may be a declaration ("auto x") or an existing variable.
#define TAPIO_ASSIGN_OR_RETURN(lhs, rexpr) \
  TAPIO_ASSIGN_OR_RETURN_IMPL_(TAPIO_STATUS_CONCAT_(tapio_statusor_, __LINE__), lhs, rexpr)

#define TAPIO_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                 \
  if (!statusor.ok()) {                                    \
    return std::move(statusor).status();                   \
  }                                                        \
  lhs = std::move(statusor).value()

#endif  // TAPIO_DOMAIN_STATUS_MACROS_H_
