// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * TCP trouble: refused connections (a reset answering our SYN), resets received and sent on
 * connections, and retransmissions counted per flow in the `retransmits` map (user space
 * takes the entries out each interval; no record per packet). All hooks are BTF tracepoints
 * (tcp:tcp_receive_reset, tcp:tcp_send_reset, tcp:tcp_retransmit_skb,
 * sock:inet_sock_set_state). Resets and retransmissions mostly run in softirq, where
 * "current" is whoever was interrupted, so the owning process is the one remembered at
 * connect(); otherwise it is "current" only where the hook is known to run in the owner's
 * system call (an active reset of a socket already closed: close() with SO_LINGER 0 or with
 * unread data).
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "tapio_bpf.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define TAPIO_AF_INET 2
#define TAPIO_AF_INET6 10

struct owner {
	__u64 cgroup_id;
	__u32 pid;
	__u32 tgid;
	char comm[TAPIO_COMM_LEN];
};

/*
 * Socket cookie -> the process that connected it (accept() has no tracepoint, and this kernel
 * family may lack fexit). An entry goes in at SYN_SENT and out when the socket reaches CLOSE,
 * so it lasts exactly as long as the connection; when more connections are open than the
 * table holds, the newest name no process (counted), never a wrong one: cookies are never
 * reused.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TAPIO_TCP_OWNERS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct owner);
} owners SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct tapio_tcp_flow);
	__type(value, struct tapio_tcp_retransmits);
} retransmits SEC(".maps");

/*
 * The hooks' socket is a BTF pointer, so its fields are read with plain loads (a fault reads
 * as 0) rather than a bpf_probe_read_kernel() call each: these run on every connect.
 */
static __always_inline int is_tcp(const struct sock *sk)
{
	return sk->sk_protocol == IPPROTO_TCP;
}

static __always_inline void read_flow(const struct sock *sk, struct tapio_tcp_flow *flow)
{
	__u16 family = sk->__sk_common.skc_family;

	__builtin_memset(flow, 0, sizeof(*flow));
	flow->family = family;
	if (family == TAPIO_AF_INET) {
		__be32 saddr = sk->__sk_common.skc_rcv_saddr;
		__be32 daddr = sk->__sk_common.skc_daddr;

		__builtin_memcpy(flow->saddr, &saddr, sizeof(saddr));
		__builtin_memcpy(flow->daddr, &daddr, sizeof(daddr));
	} else if (family == TAPIO_AF_INET6) {
		struct in6_addr saddr = sk->__sk_common.skc_v6_rcv_saddr;
		struct in6_addr daddr = sk->__sk_common.skc_v6_daddr;

		__builtin_memcpy(flow->saddr, &saddr, sizeof(saddr));
		__builtin_memcpy(flow->daddr, &daddr, sizeof(daddr));
	}
	flow->sport = sk->__sk_common.skc_num;
	/* A socket moved to CLOSE has given its port back (skc_num 0) before an active reset
	 * goes out; inet_sport still names it (beyond struct sock, so read the slow way). */
	if (!flow->sport)
		flow->sport = bpf_ntohs(BPF_CORE_READ((const struct inet_sock *)sk, inet_sport));
	flow->dport = bpf_ntohs(sk->__sk_common.skc_dport);
	flow->netns = sk->__sk_common.skc_net.net->ns.inum;
}

/* The cgroup of the process that made the socket (a listener's, for an accepted one). */
static __always_inline __u64 sock_cgroup_id(const struct sock *sk)
{
	struct cgroup *cgrp;

	if (!bpf_core_field_exists(sk->sk_cgrp_data))
		return 0;
	cgrp = sk->sk_cgrp_data.cgroup;
	return cgrp ? cgrp->kn->id : 0;
}

static __always_inline void current_owner(struct owner *owner)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	owner->pid = (__u32)pid_tgid;
	owner->tgid = pid_tgid >> 32;
	owner->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(owner->comm, sizeof(owner->comm));
}

static __always_inline void remember_owner(__u64 cookie)
{
	struct owner owner;

	current_owner(&owner);
	if (bpf_map_update_elem(&owners, &cookie, &owner, BPF_ANY))
		tapio_count(TAPIO_COUNTER_OWNER_TABLE_FULL);
}

/* The socket's owner into `*out`; returns 0 when it is not known. `in_owner_call`: the hook
 * runs in the owner's system call, so "current" is the owner. */
static __always_inline int find_owner(const struct sock *sk, struct owner *out, int in_owner_call)
{
	__u64 cookie = bpf_get_socket_cookie((void *)sk);
	struct owner *owner = bpf_map_lookup_elem(&owners, &cookie);

	if (owner) {
		__builtin_memcpy(out, owner, sizeof(*out));
		return 1;
	}
	if (in_owner_call) {
		current_owner(out);
		return 1;
	}
	return 0;
}

static __always_inline void emit(const struct sock *sk, __u8 kind, int in_owner_call)
{
	struct tapio_tcp_event *record;
	struct owner owner = {};
	int known;

	record = tapio_reserve(sizeof(*record));
	if (!record)
		return;
	__builtin_memset(record, 0, sizeof(*record));
	record->time_ns = bpf_ktime_get_boot_ns();
	record->kind = kind;
	record->state = sk->__sk_common.skc_state;
	read_flow(sk, &record->flow);
	record->cgroup_id = sock_cgroup_id(sk);
	known = find_owner(sk, &owner, in_owner_call);
	if (known) {
		record->pid = owner.pid;
		record->tgid = owner.tgid;
		__builtin_memcpy(record->comm, owner.comm, sizeof(record->comm));
		if (!record->cgroup_id)
			record->cgroup_id = owner.cgroup_id;
	}
	tapio_submit(record);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tapio_tcp_set_state, const struct sock *sk, const int oldstate, const int newstate)
{
	__u64 cookie;

	/* connect() moves the socket to SYN_SENT in the caller's context; CLOSE is the end of
	 * every connection. Every other change of every socket's state leaves at the first test. */
	if ((newstate != TCP_SYN_SENT && newstate != TCP_CLOSE) || !sk || !is_tcp(sk))
		return 0;
	cookie = bpf_get_socket_cookie((void *)sk);
	if (newstate == TCP_SYN_SENT)
		remember_owner(cookie);
	else
		bpf_map_delete_elem(&owners, &cookie);
	return 0;
}

SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(tapio_tcp_receive_reset, struct sock *sk)
{
	if (!sk)
		return 0;
	if (sk->__sk_common.skc_state == TCP_SYN_SENT)
		emit(sk, TAPIO_TCP_REFUSED, 0);
	else
		emit(sk, TAPIO_TCP_RESET_RECEIVED, 0);
	return 0;
}

SEC("tp_btf/tcp_send_reset")
int BPF_PROG(tapio_tcp_send_reset, const struct sock *sk, const struct sk_buff *skb)
{
	__u8 state;

	/* No socket: the answer to a segment for a closed port, which the other side sees as
	 * refused. Listeners, request and time-wait sockets are not connections (and the latter
	 * two are not full sockets). */
	if (!sk)
		return 0;
	state = sk->__sk_common.skc_state;
	if (state == TCP_LISTEN || state == TCP_NEW_SYN_RECV || state == TCP_TIME_WAIT)
		return 0;
	/* No segment answered and already CLOSE: tcp_disconnect() or tcp_close() sending an
	 * active reset from the owner's close(); timers send theirs before CLOSE. */
	emit(sk, TAPIO_TCP_RESET_SENT, !skb && state == TCP_CLOSE);
	return 0;
}

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(tapio_tcp_retransmit, const struct sock *sk)
{
	struct tapio_tcp_retransmits *value, fresh = {};
	struct tapio_tcp_flow flow;
	struct owner owner = {};
	__u64 now = bpf_ktime_get_boot_ns();
	long err;

	if (!sk)
		return 0;
	read_flow(sk, &flow);
	value = bpf_map_lookup_elem(&retransmits, &flow);
	if (value) {
		__sync_fetch_and_add(&value->count, 1);
		value->last_ns = now;
		value->state = sk->__sk_common.skc_state;
		return 0;
	}
	fresh.first_ns = now;
	fresh.last_ns = now;
	fresh.count = 1;
	fresh.state = sk->__sk_common.skc_state;
	fresh.cgroup_id = sock_cgroup_id(sk);
	if (find_owner(sk, &owner, 0)) {
		fresh.pid = owner.pid;
		fresh.tgid = owner.tgid;
		__builtin_memcpy(fresh.comm, owner.comm, sizeof(fresh.comm));
		if (!fresh.cgroup_id)
			fresh.cgroup_id = owner.cgroup_id;
	}
	err = bpf_map_update_elem(&retransmits, &flow, &fresh, BPF_NOEXIST);
	if (err == -17 /* EEXIST: another CPU inserted it first */) {
		value = bpf_map_lookup_elem(&retransmits, &flow);
		if (value)
			__sync_fetch_and_add(&value->count, 1);
	} else if (err) {
		tapio_count(TAPIO_COUNTER_FLOW_TABLE_FULL);
	}
	return 0;
}
