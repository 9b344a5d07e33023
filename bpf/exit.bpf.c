// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * Failed process exits: one record when the last thread of a process exits with a non-zero
 * status or by a signal (tracepoint sched:sched_process_exit, as a BTF tracepoint). Clean
 * exits and kernel threads are filtered here, so they cost user space nothing. When
 * `filter_cgroup` is set before load, only tasks under the cgroup v2 directory user space
 * put in `cgroup_filter` are reported.
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "tapio_bpf.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define TAPIO_PF_KTHREAD 0x00200000 /* include/linux/sched.h */

const volatile __u8 filter_cgroup = 0;

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_filter SEC(".maps");

SEC("tp_btf/sched_process_exit")
int BPF_PROG(tapio_process_exit, struct task_struct *task)
{
	struct tapio_process_exit *record;
	/* Every exit on the host runs this: the filters read the BTF task with plain loads
	 * rather than a helper call each. */
	__u32 exit_code = task->exit_code;

	if (exit_code == 0 || (task->flags & TAPIO_PF_KTHREAD))
		return 0;
	/* do_exit() decrements signal->live before this tracepoint: 0 means the whole
	 * process is gone, not just one of its threads. */
	if (task->signal->live.counter != 0)
		return 0;
	/* The tracepoint runs in the exiting task, so "current" is `task`. */
	if (filter_cgroup && bpf_current_task_under_cgroup(&cgroup_filter, 0) != 1)
		return 0;

	record = tapio_reserve(sizeof(*record));
	if (!record)
		return 0;
	__builtin_memset(record, 0, sizeof(*record));
	record->time_ns = bpf_ktime_get_boot_ns();
	record->pid = BPF_CORE_READ(task, pid);
	record->tgid = BPF_CORE_READ(task, tgid);
	record->ppid = BPF_CORE_READ(task, real_parent, tgid);
	record->exit_code = exit_code;
	record->cgroup_id = tapio_task_cgroup_id(task);
	record->memcg_id = tapio_memcg_id(task);
	BPF_CORE_READ_STR_INTO(&record->comm, task, comm);
	tapio_submit(record);
	return 0;
}
