// The last stored version of each Kubernetes object, gathered while a restarting server replays
// its store, so that its own watch, listing everything again, stores and reports only what
// changed while the server was down. Objects deleted in the store are left out.
#ifndef TAPIO_SERVER_KNOWN_OBJECTS_H_
#define TAPIO_SERVER_KNOWN_OBJECTS_H_

#include <vector>

#include "absl/container/flat_hash_map.h"
#include "collectors/kubeapi/object_decoder.h"
#include "domain/kube_object.h"
#include "domain/symbol_table.h"
#include "tapio/v1/event.pb.h"

namespace tapio::server {

class KnownObjects {
 public:
  // Takes every stored event in the order stored; only object changes count. One that does not
  // decode is left out (the analysis reports it).
  void Add(const tapio::v1::UnifiedEvent& event);
  // The newest version of each object not deleted, without its JSON.
  std::vector<domain::ObjectChange> Take();

 private:
  collectors::kubeapi::ObjectDecoder decoder_;
  // By uid.
  absl::flat_hash_map<domain::Symbol, domain::ObjectChange> newest_;
};

}  // namespace tapio::server

#endif  // TAPIO_SERVER_KNOWN_OBJECTS_H_
