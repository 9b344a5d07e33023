#include "collectors/kubeapi/internal/spec_decoders.h"

namespace tapio::collectors::kubeapi::internal {

using Scope = JsonFields::Scope;

void DecodeMeta(JsonFields& f, ondemand::value value, domain::ObjectMeta& meta) {
  f.ForEachField(value, [&](JsonKey key, ondemand::value v) {
    Scope scope(f, key);
    if (key == "name") {
      meta.name = f.Symbol(v);
    } else if (key == "namespace") {
      meta.namespace_name = f.Symbol(v);
    } else if (key == "uid") {
      meta.uid = f.Symbol(v);
    } else if (key == "resourceVersion") {
      meta.resource_version = f.String(v);
    } else if (key == "generation") {
      meta.generation = f.Int(v);
    } else if (key == "creationTimestamp") {
      meta.created_ns = f.Time(v);
    } else if (key == "deletionTimestamp") {
      meta.deleted_ns = f.Time(v);
    } else if (key == "labels") {
      meta.labels = f.StringMap(v);
    } else if (key == "annotations") {
      // Only the revision is kept; annotations can be megabytes of JSON nobody here needs.
      f.ForEachField(v, [&](JsonKey k, ondemand::value a) {
        Scope s(f, k);
        if (k == "deployment.kubernetes.io/revision") meta.revision = f.Symbol(a);
      });
    } else if (key == "ownerReferences") {
      f.ForEachElement(v, [&](ondemand::value owner) {
        domain::OwnerRef ref;
        f.ForEachField(owner, [&](JsonKey k, ondemand::value o) {
          Scope s(f, k);
          if (k == "kind") {
            ref.kind = f.Symbol(o);
          } else if (k == "name") {
            ref.name = f.Symbol(o);
          } else if (k == "uid") {
            ref.uid = f.Symbol(o);
          } else if (k == "controller") {
            ref.controller = f.Bool(o);
          }
        });
        meta.owners.push_back(ref);
      });
    }
  });
}

void DecodeConditions(JsonFields& f, ondemand::value value,
                      std::vector<domain::Condition>& conditions) {
  f.ForEachElement(value, [&](ondemand::value element) {
    domain::Condition c;
    f.ForEachField(element, [&](JsonKey key, ondemand::value v) {
      Scope scope(f, key);
      if (key == "type") {
        c.type = f.Symbol(v);
      } else if (key == "status") {
        c.status = f.Symbol(v);
      } else if (key == "reason") {
        c.reason = f.Symbol(v);
      } else if (key == "message") {
        c.message = f.Symbol(v);
      } else if (key == "lastTransitionTime") {
        c.last_transition_ns = f.Time(v);
      } else if (key == "lastUpdateTime") {
        c.last_update_ns = f.Time(v);
      }
    });
    conditions.push_back(c);
  });
}

void DecodeNodeSpec(JsonFields& f, ondemand::value value, domain::NodeObject& node) {
  f.ForEachField(value, [&](JsonKey key, ondemand::value v) {
    Scope scope(f, key);
    if (key == "unschedulable") {
      node.unschedulable = f.Bool(v);
    } else if (key == "taints") {
      f.ForEachElement(v, [&](ondemand::value element) {
        domain::Taint taint;
        f.ForEachField(element, [&](JsonKey k, ondemand::value t) {
          Scope s(f, k);
          if (k == "key") {
            taint.key = f.Symbol(t);
          } else if (k == "value") {
            taint.value = f.Symbol(t);
          } else if (k == "effect") {
            taint.effect = f.Symbol(t);
          }
        });
        node.taints.push_back(taint);
      });
    }
  });
}

void DecodeNodeStatus(JsonFields& f, ondemand::value value, domain::NodeObject& node) {
  f.ForEachField(value, [&](JsonKey key, ondemand::value v) {
    Scope scope(f, key);
    if (key == "conditions") {
      DecodeConditions(f, v, node.conditions);
    } else if (key == "capacity" || key == "allocatable") {
      int64_t& target =
          key == "capacity" ? node.memory_capacity_bytes : node.memory_allocatable_bytes;
      f.ForEachField(v, [&](JsonKey resource, ondemand::value q) {
        Scope s(f, resource);
        if (resource == "memory") target = f.Quantity(q, 1);
      });
    }
  });
}

void DecodeWorkloadSpec(JsonFields& f, ondemand::value value, domain::WorkloadObject& w) {
  f.ForEachField(value, [&](JsonKey key, ondemand::value v) {
    Scope scope(f, key);
    if (key == "replicas") {
      w.replicas = static_cast<int32_t>(f.Int(v));
    } else if (key == "backoffLimit") {
      w.backoff_limit = static_cast<int32_t>(f.Int(v));
    } else if (key == "selector") {
      f.ForEachField(v, [&](JsonKey k, ondemand::value labels) {
        Scope s(f, k);
        if (k == "matchLabels") w.selector = f.StringMap(labels);
      });
    }
  });
}

void DecodeWorkloadStatus(JsonFields& f, ondemand::value value, domain::WorkloadObject& w) {
  f.ForEachField(value, [&](JsonKey key, ondemand::value v) {
    Scope scope(f, key);
    auto number = [&] { return static_cast<int32_t>(f.Int(v)); };
    if (key == "readyReplicas" || key == "numberReady") {
      w.ready_replicas = number();
    } else if (key == "availableReplicas" || key == "numberAvailable") {
      w.available_replicas = number();
    } else if (key == "updatedReplicas" || key == "updatedNumberScheduled") {
      w.updated_replicas = number();
    } else if (key == "unavailableReplicas" || key == "numberUnavailable") {
      w.unavailable_replicas = number();
    } else if (key == "desiredNumberScheduled") {
      w.replicas = number();
    } else if (key == "observedGeneration") {
      w.observed_generation = f.Int(v);
    } else if (key == "failed") {
      w.failed = number();
    } else if (key == "succeeded") {
      w.succeeded = number();
    } else if (key == "conditions") {
      DecodeConditions(f, v, w.conditions);
    }
  });
}

void DecodeServiceSpec(JsonFields& f, ondemand::value value, domain::ServiceObject& s) {
  f.ForEachField(value, [&](JsonKey key, ondemand::value v) {
    Scope scope(f, key);
    if (key == "selector") {
      s.selector = f.StringMap(v);
    } else if (key == "type") {
      s.type = f.Symbol(v);
    } else if (key == "clusterIP") {
      s.cluster_ip = f.Symbol(v);
    }
  });
}

void DecodeEndpoints(JsonFields& f, ondemand::value value, domain::EndpointSliceObject& e) {
  f.ForEachElement(value, [&](ondemand::value element) {
    domain::EndpointSliceObject::Endpoint endpoint;
    f.ForEachField(element, [&](JsonKey key, ondemand::value v) {
      Scope scope(f, key);
      if (key == "conditions") {
        f.ForEachField(v, [&](JsonKey k, ondemand::value c) {
          Scope s(f, k);
          if (k == "ready") endpoint.ready = f.Bool(c);
        });
      } else if (key == "targetRef") {
        f.ForEachField(v, [&](JsonKey k, ondemand::value t) {
          Scope s(f, k);
          if (k == "kind") {
            endpoint.target_kind = f.Symbol(t);
          } else if (k == "name") {
            endpoint.target_name = f.Symbol(t);
          } else if (k == "uid") {
            endpoint.target_uid = f.Symbol(t);
          }
        });
      }
    });
    e.endpoints.push_back(endpoint);
  });
}

void DecodeVolumeSpec(JsonFields& f, ondemand::value value, domain::VolumeObject& v) {
  f.ForEachField(value, [&](JsonKey key, ondemand::value x) {
    Scope scope(f, key);
    if (key == "volumeName") {
      v.volume_name = f.Symbol(x);
    } else if (key == "storageClassName") {
      v.storage_class = f.Symbol(x);
    } else if (key == "claimRef") {
      f.ForEachField(x, [&](JsonKey k, ondemand::value c) {
        Scope s(f, k);
        if (k == "namespace") {
          v.claim_namespace = f.Symbol(c);
        } else if (k == "name") {
          v.claim_name = f.Symbol(c);
        }
      });
    }
  });
}

void DecodeVolumeStatus(JsonFields& f, ondemand::value value, domain::VolumeObject& v) {
  f.ForEachField(value, [&](JsonKey key, ondemand::value x) {
    Scope scope(f, key);
    if (key == "phase") v.phase = f.Symbol(x);
  });
}

namespace {

std::vector<std::pair<domain::Symbol, domain::Symbol>> QuantityMap(JsonFields& f,
                                                                   ondemand::value value) {
  std::vector<std::pair<domain::Symbol, domain::Symbol>> out;
  f.ForEachField(value, [&](JsonKey key, ondemand::value v) {
    Scope scope(f, key);
    domain::Symbol resource = f.KeySymbol(key);
    out.emplace_back(resource, f.Symbol(v));
  });
  return out;
}

}  // namespace

void DecodeQuotaSpec(JsonFields& f, ondemand::value value, domain::QuotaObject& q) {
  f.ForEachField(value, [&](JsonKey key, ondemand::value v) {
    Scope scope(f, key);
    if (key == "hard") q.hard = QuantityMap(f, v);
  });
}

void DecodeQuotaStatus(JsonFields& f, ondemand::value value, domain::QuotaObject& q) {
  f.ForEachField(value, [&](JsonKey key, ondemand::value v) {
    Scope scope(f, key);
    if (key == "used") q.used = QuantityMap(f, v);
  });
}

void DecodeEventField(JsonFields& f, JsonKey key, ondemand::value value, domain::EventObject& event,
                      int64_t& series_last_ns, uint32_t& series_count, int64_t& event_time_ns) {
  Scope scope(f, key);
  if (key == "involvedObject" || key == "regarding") {
    f.ForEachField(value, [&](JsonKey k, ondemand::value v) {
      Scope s(f, k);
      if (k == "kind") {
        event.regarding_kind_name = f.Symbol(v);
        event.regarding_kind = domain::KubeKindFromName(domain::Resolve(event.regarding_kind_name));
      } else if (k == "namespace") {
        event.regarding_namespace = f.Symbol(v);
      } else if (k == "name") {
        event.regarding_name = f.Symbol(v);
      } else if (k == "uid") {
        event.regarding_uid = f.Symbol(v);
      } else if (k == "fieldPath") {
        event.field_path = f.Symbol(v);
      }
    });
  } else if (key == "reason") {
    event.reason = f.Symbol(value);
  } else if (key == "message" || key == "note") {
    event.message = f.Symbol(value);
  } else if (key == "type") {
    event.type = f.Symbol(value);
  } else if (key == "count" || key == "deprecatedCount") {
    event.count = static_cast<uint32_t>(f.Int(value));
  } else if (key == "firstTimestamp" || key == "deprecatedFirstTimestamp") {
    event.first_ns = f.Time(value);
  } else if (key == "lastTimestamp" || key == "deprecatedLastTimestamp") {
    event.last_ns = f.Time(value);
  } else if (key == "eventTime") {
    event_time_ns = f.Time(value);
  } else if (key == "series") {
    f.ForEachField(value, [&](JsonKey k, ondemand::value v) {
      Scope s(f, k);
      if (k == "count") {
        series_count = static_cast<uint32_t>(f.Int(v));
      } else if (k == "lastObservedTime") {
        series_last_ns = f.Time(v);
      }
    });
  } else if (key == "source" || key == "deprecatedSource") {
    f.ForEachField(value, [&](JsonKey k, ondemand::value v) {
      Scope s(f, k);
      if (k == "component" && event.component.empty()) {
        event.component = f.Symbol(v);
      } else if (k == "host") {
        event.host = f.Symbol(v);
      }
    });
  } else if (key == "reportingComponent" || key == "reportingController") {
    domain::Symbol component = f.Symbol(value);
    if (!component.empty()) event.component = component;
  }
}

}  // namespace tapio::collectors::kubeapi::internal
