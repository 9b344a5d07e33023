// Process-wide settings every Tapio binary applies once at start.
#ifndef TAPIO_DOMAIN_PROCESS_H_
#define TAPIO_DOMAIN_PROCESS_H_

namespace tapio::domain {

// Turns off abseil's mutex deadlock detector: Debian's abseil is built with it on, and it
// updates a lock graph on every acquisition, which cost a measured 10 % of the Kubernetes
// decode-and-apply benchmark. Tests keep it on. Call before starting threads.
void ConfigureProcess();

}  // namespace tapio::domain

#endif  // TAPIO_DOMAIN_PROCESS_H_
