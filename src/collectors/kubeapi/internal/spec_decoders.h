// The per-kind parts of decoding: each reads the fields of one object ("spec", "status", or
// the top level for Events and StorageClasses) into its domain struct.
#ifndef TAPIO_COLLECTORS_KUBEAPI_INTERNAL_SPEC_DECODERS_H_
#define TAPIO_COLLECTORS_KUBEAPI_INTERNAL_SPEC_DECODERS_H_

#include "collectors/kubeapi/internal/json_fields.h"
#include "domain/kube_object.h"

namespace tapio::collectors::kubeapi::internal {

void DecodeMeta(JsonFields& fields, ondemand::value value, domain::ObjectMeta& meta);
void DecodeConditions(JsonFields& fields, ondemand::value value,
                      std::vector<domain::Condition>& conditions);

void DecodePodSpec(JsonFields& fields, ondemand::value value, domain::PodObject& pod);
void DecodePodStatus(JsonFields& fields, ondemand::value value, domain::PodObject& pod);

void DecodeNodeSpec(JsonFields& fields, ondemand::value value, domain::NodeObject& node);
void DecodeNodeStatus(JsonFields& fields, ondemand::value value, domain::NodeObject& node);
void DecodeWorkloadSpec(JsonFields& fields, ondemand::value value, domain::WorkloadObject& w);
void DecodeWorkloadStatus(JsonFields& fields, ondemand::value value, domain::WorkloadObject& w);
void DecodeServiceSpec(JsonFields& fields, ondemand::value value, domain::ServiceObject& s);
void DecodeEndpoints(JsonFields& fields, ondemand::value value, domain::EndpointSliceObject& e);
void DecodeVolumeSpec(JsonFields& fields, ondemand::value value, domain::VolumeObject& v);
void DecodeVolumeStatus(JsonFields& fields, ondemand::value value, domain::VolumeObject& v);
void DecodeQuotaSpec(JsonFields& fields, ondemand::value value, domain::QuotaObject& q);
void DecodeQuotaStatus(JsonFields& fields, ondemand::value value, domain::QuotaObject& q);
domain::LabelSelector DecodeLabelSelector(JsonFields& fields, ondemand::value value);
void DecodeNetworkPolicySpec(JsonFields& fields, ondemand::value value,
                             domain::NetworkPolicyObject& policy);
// One top-level field of a core/v1 or events.k8s.io/v1 Event.
void DecodeEventField(JsonFields& fields, JsonKey key, ondemand::value value,
                      domain::EventObject& event, int64_t& series_last_ns, uint32_t& series_count,
                      int64_t& event_time_ns);

}  // namespace tapio::collectors::kubeapi::internal

#endif  // TAPIO_COLLECTORS_KUBEAPI_INTERNAL_SPEC_DECODERS_H_
