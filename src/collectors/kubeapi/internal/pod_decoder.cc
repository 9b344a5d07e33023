#include "collectors/kubeapi/internal/spec_decoders.h"

namespace tapio::collectors::kubeapi::internal {
namespace {

using domain::ConfigRef;
using Scope = JsonFields::Scope;

void DecodeConfigRef(JsonFields& f, ondemand::value value, ConfigRef::Kind kind,
                     absl::string_view name_field, std::vector<ConfigRef>& out) {
  ConfigRef ref;
  ref.kind = kind;
  f.ForEachField(value, [&](JsonKey key, ondemand::value v) {
    Scope scope(f, key);
    if (key == name_field) {
      ref.name = f.Symbol(v);
    } else if (key == "key") {
      ref.key = f.Symbol(v);
    } else if (key == "optional") {
      ref.optional = f.Bool(v);
    }
  });
  if (!ref.name.empty()) out.push_back(ref);
}

void DecodeResources(JsonFields& f, ondemand::value value, domain::ContainerSpec& c) {
  f.ForEachField(value, [&](JsonKey key, ondemand::value v) {
    Scope scope(f, key);
    bool limits = key == "limits";
    if (!limits && key != "requests") return;
    f.ForEachField(v, [&](JsonKey resource, ondemand::value q) {
      Scope inner(f, resource);
      if (resource == "memory") {
        (limits ? c.memory_limit_bytes : c.memory_request_bytes) = f.Quantity(q, 1);
      } else if (resource == "cpu") {
        (limits ? c.cpu_limit_millis : c.cpu_request_millis) = f.Quantity(q, 1000);
      }
    });
  });
}

void DecodeContainer(JsonFields& f, ondemand::value value, bool init,
                     std::vector<domain::ContainerSpec>& out) {
  domain::ContainerSpec c;
  c.init = init;
  f.ForEachField(value, [&](JsonKey key, ondemand::value v) {
    Scope scope(f, key);
    if (key == "name") {
      c.name = f.Symbol(v);
    } else if (key == "image") {
      c.image = f.Symbol(v);
    } else if (key == "resources") {
      DecodeResources(f, v, c);
    } else if (key == "livenessProbe") {
      c.has_liveness_probe = true;
    } else if (key == "readinessProbe") {
      c.has_readiness_probe = true;
    } else if (key == "env") {
      f.ForEachElement(v, [&](ondemand::value env) {
        f.ForEachField(env, [&](JsonKey env_key, ondemand::value from) {
          if (env_key != "valueFrom") return;
          Scope s(f, env_key);
          f.ForEachField(from, [&](JsonKey source, ondemand::value ref) {
            Scope s2(f, source);
            if (source == "configMapKeyRef") {
              DecodeConfigRef(f, ref, ConfigRef::Kind::kConfigMap, "name", c.config_refs);
            } else if (source == "secretKeyRef") {
              DecodeConfigRef(f, ref, ConfigRef::Kind::kSecret, "name", c.config_refs);
            }
          });
        });
      });
    } else if (key == "envFrom") {
      f.ForEachElement(v, [&](ondemand::value from) {
        f.ForEachField(from, [&](JsonKey source, ondemand::value ref) {
          Scope s(f, source);
          if (source == "configMapRef") {
            DecodeConfigRef(f, ref, ConfigRef::Kind::kConfigMap, "name", c.config_refs);
          } else if (source == "secretRef") {
            DecodeConfigRef(f, ref, ConfigRef::Kind::kSecret, "name", c.config_refs);
          }
        });
      });
    }
  });
  out.push_back(std::move(c));
}

void DecodeVolume(JsonFields& f, ondemand::value value, domain::PodObject& pod) {
  f.ForEachField(value, [&](JsonKey key, ondemand::value v) {
    Scope scope(f, key);
    if (key == "persistentVolumeClaim") {
      f.ForEachField(v, [&](JsonKey k, ondemand::value claim) {
        Scope s(f, k);
        if (k == "claimName") pod.pvc_names.push_back(f.Symbol(claim));
      });
    } else if (key == "configMap") {
      DecodeConfigRef(f, v, ConfigRef::Kind::kConfigMap, "name", pod.volume_config_refs);
    } else if (key == "secret") {
      DecodeConfigRef(f, v, ConfigRef::Kind::kSecret, "secretName", pod.volume_config_refs);
    } else if (key == "projected") {
      f.ForEachField(v, [&](JsonKey k, ondemand::value sources) {
        if (k != "sources") return;
        Scope s(f, k);
        f.ForEachElement(sources, [&](ondemand::value source) {
          f.ForEachField(source, [&](JsonKey kind, ondemand::value ref) {
            Scope s2(f, kind);
            if (kind == "configMap") {
              DecodeConfigRef(f, ref, ConfigRef::Kind::kConfigMap, "name", pod.volume_config_refs);
            } else if (kind == "secret") {
              DecodeConfigRef(f, ref, ConfigRef::Kind::kSecret, "name", pod.volume_config_refs);
            }
          });
        });
      });
    }
  });
}

void DecodeState(JsonFields& f, ondemand::value value, domain::ContainerState& state) {
  using Phase = domain::ContainerState::Phase;
  f.ForEachField(value, [&](JsonKey key, ondemand::value v) {
    Scope scope(f, key);
    if (key == "waiting") {
      state.phase = Phase::kWaiting;
    } else if (key == "running") {
      state.phase = Phase::kRunning;
    } else if (key == "terminated") {
      state.phase = Phase::kTerminated;
    } else {
      return;
    }
    f.ForEachField(v, [&](JsonKey k, ondemand::value x) {
      Scope s(f, k);
      if (k == "reason") {
        state.reason = f.Symbol(x);
      } else if (k == "message") {
        state.message = f.Symbol(x);
      } else if (k == "exitCode") {
        state.exit_code = static_cast<int32_t>(f.Int(x));
      } else if (k == "signal") {
        state.signal = static_cast<int32_t>(f.Int(x));
      } else if (k == "startedAt") {
        state.started_ns = f.Time(x);
      } else if (k == "finishedAt") {
        state.finished_ns = f.Time(x);
      } else if (k == "containerID") {
        state.container_id = f.ContainerId(x);
      }
    });
  });
}

void DecodeContainerStatus(JsonFields& f, ondemand::value value, bool init,
                           std::vector<domain::ContainerStatus>& out) {
  domain::ContainerStatus status;
  status.init = init;
  f.ForEachField(value, [&](JsonKey key, ondemand::value v) {
    Scope scope(f, key);
    if (key == "name") {
      status.name = f.Symbol(v);
    } else if (key == "ready") {
      status.ready = f.Bool(v);
    } else if (key == "restartCount") {
      status.restart_count = static_cast<uint32_t>(f.Int(v));
    } else if (key == "image") {
      status.image = f.Symbol(v);
    } else if (key == "containerID") {
      status.container_id = f.ContainerId(v);
    } else if (key == "state") {
      DecodeState(f, v, status.state);
    } else if (key == "lastState") {
      DecodeState(f, v, status.last_state);
    }
  });
  out.push_back(status);
}

}  // namespace

void DecodePodSpec(JsonFields& f, ondemand::value value, domain::PodObject& pod) {
  f.ForEachField(value, [&](JsonKey key, ondemand::value v) {
    Scope scope(f, key);
    if (key == "nodeName") {
      pod.node_name = f.Symbol(v);
    } else if (key == "containers" || key == "initContainers") {
      bool init = key == "initContainers";
      f.ForEachElement(v, [&](ondemand::value c) { DecodeContainer(f, c, init, pod.containers); });
    } else if (key == "volumes") {
      f.ForEachElement(v, [&](ondemand::value volume) { DecodeVolume(f, volume, pod); });
    }
  });
}

void DecodePodStatus(JsonFields& f, ondemand::value value, domain::PodObject& pod) {
  f.ForEachField(value, [&](JsonKey key, ondemand::value v) {
    Scope scope(f, key);
    if (key == "phase") {
      pod.phase = f.Symbol(v);
    } else if (key == "reason") {
      pod.reason = f.Symbol(v);
    } else if (key == "message") {
      pod.message = f.Symbol(v);
    } else if (key == "qosClass") {
      pod.qos_class = f.Symbol(v);
    } else if (key == "podIP") {
      pod.pod_ip = f.Symbol(v);
    } else if (key == "startTime") {
      pod.start_ns = f.Time(v);
    } else if (key == "conditions") {
      DecodeConditions(f, v, pod.conditions);
    } else if (key == "containerStatuses" || key == "initContainerStatuses") {
      bool init = key == "initContainerStatuses";
      f.ForEachElement(v,
                       [&](ondemand::value s) { DecodeContainerStatus(f, s, init, pod.statuses); });
    }
  });
}

}  // namespace tapio::collectors::kubeapi::internal
