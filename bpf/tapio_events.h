/* SPDX-License-Identifier: (MIT OR GPL-2.0) */
/*
 * The records Tapio's kernel programs hand to user space through their BPF ring buffers, and
 * the maps user space reads beside them. Shared by bpf/ *.bpf.c (with vmlinux.h) and
 * src/collectors/ebpf (with <linux/types.h>): fixed-width fields only, no pointers, no bool,
 * every struct padded explicitly so both compilers lay it out the same.
 *
 * Times are CLOCK_BOOTTIME nanoseconds (bpf_ktime_get_boot_ns). Cgroup ids are kernfs node
 * ids, which are the inode numbers of the cgroup directories: `cgroup_id` is in the default
 * (v2) hierarchy, `memcg_id` in the hierarchy that holds the memory controller (the same one
 * on a pure v2 host, the v1 "memory" mount on a hybrid one).
 */
#ifndef TAPIO_BPF_TAPIO_EVENTS_H_
#define TAPIO_BPF_TAPIO_EVENTS_H_

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define TAPIO_COMM_LEN 16

/* Index into each program's per-CPU `counters` array. */
#define TAPIO_COUNTER_RINGBUF_DROPS 0	 /* bpf_ringbuf_reserve failed: a record was lost */
#define TAPIO_COUNTER_FLOW_TABLE_FULL 1	 /* tcp.bpf.c: a retransmitting flow found no slot */
#define TAPIO_COUNTER_DNS_TABLE_FULL 2	 /* dns.bpf.c: a failed answer found no slot */
#define TAPIO_COUNTER_OWNER_TABLE_FULL 3 /* tcp.bpf.c: a connect found the owner table full */
#define TAPIO_COUNTER_COUNT 4

/* tcp.bpf.c: open connections whose connecting process is remembered. */
#define TAPIO_TCP_OWNERS 65536

/* oom.bpf.c: one record per task the OOM killer chose (tracepoint oom:mark_victim). */
struct tapio_oom_kill {
	__u64 time_ns;
	__u64 cgroup_id;
	__u64 memcg_id;
	/* The victim's mm, in pages (pgtables in bytes), read as the tracepoint reads them. */
	__u64 total_vm_pages;
	__u64 anon_rss_pages;
	__u64 file_rss_pages;
	__u64 shmem_rss_pages;
	__u64 pgtables_bytes;
	/* The victim's memory cgroup: usage and limit (memory.max), in pages. */
	__u64 memcg_usage_pages;
	__u64 memcg_limit_pages;
	__u32 pid;
	__u32 tgid;
	__u32 uid;
	__s32 oom_score_adj;
	/* The task whose allocation invoked the OOM killer. */
	__u32 trigger_pid;
	__u32 pad;
	char comm[TAPIO_COMM_LEN];
};

/* exit.bpf.c: the last thread of a process exited with a non-zero status or by a signal. */
struct tapio_process_exit {
	__u64 time_ns;
	__u64 cgroup_id;
	__u64 memcg_id;
	__u32 pid;
	__u32 tgid;
	__u32 ppid;
	/* task->exit_code as wait(2) reports it: signal in bits 0-6, core dump in bit 7,
	 * exit status in bits 8-15. Never 0. */
	__u32 exit_code;
	char comm[TAPIO_COMM_LEN];
};

#define TAPIO_TCP_REFUSED 1	   /* a reset answered our SYN (state SYN_SENT) */
#define TAPIO_TCP_RESET_RECEIVED 2 /* a reset arrived on a synchronized connection */
#define TAPIO_TCP_RESET_SENT 3	   /* this host reset a connection it had */

/* A TCP connection, addresses in network byte order, ports in host order. Addresses use the
 * first 4 bytes for AF_INET, all 16 for AF_INET6. */
struct tapio_tcp_flow {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;
	__u16 dport;
	__u16 family;
	__u16 pad;
	__u32 netns;
	__u32 pad2;
};

/* tcp.bpf.c ring buffer: one refused connection or one reset. The owner (pid, comm) is the
 * process that connected or accepted the socket, when the program saw it do so. */
struct tapio_tcp_event {
	__u64 time_ns;
	__u64 cgroup_id;
	struct tapio_tcp_flow flow;
	__u32 pid;
	__u32 tgid;
	__u8 kind;  /* TAPIO_TCP_* */
	__u8 state; /* the socket's TCP state when it happened (linux/tcp_states.h) */
	__u8 pad[6];
	char comm[TAPIO_COMM_LEN];
};

/* tcp.bpf.c `retransmits` hash map value, keyed by struct tapio_tcp_flow: the retransmissions
 * a flow made since user space last took its entry out. */
struct tapio_tcp_retransmits {
	__u64 first_ns;
	__u64 last_ns;
	__u64 cgroup_id;
	__u32 count;
	__u32 pid;
	__u32 tgid;
	__u8 state;
	__u8 pad[3];
	char comm[TAPIO_COMM_LEN];
};

/* DNS response codes dns.bpf.c counts (RFC 1035 section 4.1.1). */
#define TAPIO_DNS_SERVFAIL 2
#define TAPIO_DNS_NXDOMAIN 3
#define TAPIO_DNS_REFUSED 5

/* dns.bpf.c `dns_errors` hash map key: the cgroup of the socket a failed answer reached, and
 * the answer's response code. */
struct tapio_dns_key {
	__u64 cgroup_id;
	__u32 rcode;
	__u32 pad;
};

/* dns.bpf.c `dns_errors` value: the answers with that code since user space last took the
 * entry out. */
struct tapio_dns_errors {
	__u64 first_ns;
	__u64 last_ns;
	__u32 count;
	__u32 pad;
};

#endif /* TAPIO_BPF_TAPIO_EVENTS_H_ */
