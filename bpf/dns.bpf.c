// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * DNS answers that say a lookup failed (SERVFAIL, NXDOMAIN, REFUSED), counted per receiving
 * cgroup and response code in the `dns_errors` map; user space takes the entries out each
 * interval (no record per answer). A cgroup_skb ingress program on the root cgroup sees each
 * datagram delivered to a socket in any cgroup below it, in any network namespace; it looks
 * only at UDP from port 53 whose DNS header marks a response. Not seen: DNS over TCP, IPv6
 * extension headers, and lookups answered from a cache inside the process.
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "tapio_bpf.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define TAPIO_ETH_P_IP 0x0800
#define TAPIO_ETH_P_IPV6 0x86DD
#define TAPIO_IPPROTO_UDP 17
#define TAPIO_DNS_PORT 53

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct tapio_dns_key);
	__type(value, struct tapio_dns_errors);
} dns_errors SEC(".maps");

/* A UDP header and the first four bytes of the DNS header after it. */
struct udp_dns_head {
	__be16 source;
	__be16 dest;
	__be16 len;
	__be16 check;
	__u8 id[2];
	__u8 flags[2];
};

static __always_inline void count(struct __sk_buff *skb, __u32 rcode)
{
	struct tapio_dns_key key = {};
	struct tapio_dns_errors *value, fresh = {};
	__u64 now = bpf_ktime_get_boot_ns();
	long err;

	key.cgroup_id = bpf_skb_cgroup_id(skb);
	key.rcode = rcode;
	value = bpf_map_lookup_elem(&dns_errors, &key);
	if (value) {
		__sync_fetch_and_add(&value->count, 1);
		value->last_ns = now;
		return;
	}
	fresh.first_ns = now;
	fresh.last_ns = now;
	fresh.count = 1;
	err = bpf_map_update_elem(&dns_errors, &key, &fresh, BPF_NOEXIST);
	if (err == -17 /* EEXIST: another CPU inserted it first */) {
		value = bpf_map_lookup_elem(&dns_errors, &key);
		if (value)
			__sync_fetch_and_add(&value->count, 1);
	} else if (err) {
		tapio_count(TAPIO_COUNTER_DNS_TABLE_FULL);
	}
}

SEC("cgroup_skb/ingress")
int tapio_dns_ingress(struct __sk_buff *skb)
{
	/* The packet starts at its network header; read in place (no helper calls: this runs for
	 * every packet delivered), and only from the part of it that is linear. */
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct udp_dns_head *head;
	__u8 rcode;

	if (skb->protocol == bpf_htons(TAPIO_ETH_P_IP)) {
		struct iphdr *ip = data;

		if ((void *)(ip + 1) > end || ip->protocol != TAPIO_IPPROTO_UDP)
			return 1;
		head = (void *)ip + ip->ihl * 4;
	} else if (skb->protocol == bpf_htons(TAPIO_ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data;

		if ((void *)(ip6 + 1) > end || ip6->nexthdr != TAPIO_IPPROTO_UDP)
			return 1;
		head = (void *)(ip6 + 1);
	} else {
		return 1;
	}
	if ((void *)(head + 1) > end)
		return 1;
	/* From a DNS server, and a response (QR, the top bit of the flags). */
	if (head->source != bpf_htons(TAPIO_DNS_PORT) || !(head->flags[0] & 0x80))
		return 1;
	rcode = head->flags[1] & 0x0f;
	if (rcode == TAPIO_DNS_SERVFAIL || rcode == TAPIO_DNS_NXDOMAIN ||
	    rcode == TAPIO_DNS_REFUSED)
		count(skb, rcode);
	/* Every packet goes through: the program only looks. */
	return 1;
}
