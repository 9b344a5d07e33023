// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * BENCHMARK ONLY, never loaded by the agent: writes refused-connection records of the real
 * layout (struct tapio_tcp_event, as tcp.bpf.c sends them) into a ring buffer and counters
 * map of the real size and kind (tapio_bpf.h), as fast as the kernel can, so that a benchmark
 * can measure the rate user space drains and decodes them without drops. connect() cannot
 * produce records anywhere near that fast. Run from user space with BPF_PROG_TEST_RUN; each
 * run writes `count` records of struct tapio_load_generator_args.
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "tapio_bpf.h"
#include "load_generator.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define TAPIO_AF_INET 2
#define TAPIO_TCP_SYN_SENT 2

struct loop_state {
	__u64 cgroup_id;
	__u64 pid_tgid;
	__u32 written;
	__u16 dport;
	__u16 pad;
	char comm[TAPIO_COMM_LEN];
};

static long write_one(__u32 index, void *data)
{
	struct loop_state *loop = data;
	struct tapio_tcp_event *record;
	const __u8 loopback[4] = {127, 0, 0, 1};

	record = tapio_reserve(sizeof(*record));
	if (!record)
		return 0;
	__builtin_memset(record, 0, sizeof(*record));
	record->time_ns = bpf_ktime_get_boot_ns();
	record->cgroup_id = loop->cgroup_id;
	record->kind = TAPIO_TCP_REFUSED;
	record->state = TAPIO_TCP_SYN_SENT;
	record->flow.family = TAPIO_AF_INET;
	__builtin_memcpy(record->flow.saddr, loopback, sizeof(loopback));
	__builtin_memcpy(record->flow.daddr, loopback, sizeof(loopback));
	record->flow.sport = 32768 + (index & 0x7fff);
	record->flow.dport = loop->dport;
	record->pid = (__u32)loop->pid_tgid;
	record->tgid = loop->pid_tgid >> 32;
	__builtin_memcpy(record->comm, loop->comm, sizeof(record->comm));
	bpf_ringbuf_submit(record, 0);
	loop->written++;
	return 0;
}

SEC("syscall")
int tapio_load_generator(struct tapio_load_generator_args *args)
{
	struct loop_state loop = {};

	loop.cgroup_id = bpf_get_current_cgroup_id();
	loop.pid_tgid = bpf_get_current_pid_tgid();
	loop.dport = args->dport;
	bpf_get_current_comm(loop.comm, sizeof(loop.comm));
	bpf_loop(args->count, write_one, &loop, 0);
	args->written = loop.written;
	return 0;
}
