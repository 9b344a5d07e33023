// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * OOM kills: one record per task the OOM killer marks as its victim (tracepoint
 * oom:mark_victim, attached as a BTF tracepoint so that no tracefs mount is needed), with
 * the victim's memory figures and its memory cgroup's usage and limit.
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "tapio_bpf.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* MM_* come from an anonymous enum CO-RE cannot relocate; they have been stable since the
 * counters were introduced. The counters are per-CPU batched; .count is what get_mm_counter()
 * returns, the value the tracepoint's own format reports. */
static __always_inline __u64 mm_counter(struct mm_struct *mm, int member)
{
	s64 count = 0;

	if (member < 0 || member >= 4) /* NR_MM_COUNTERS */
		return 0;
	bpf_probe_read_kernel(&count, sizeof(count),
			      (void *)mm + bpf_core_field_offset(struct mm_struct, rss_stat) +
				      member * bpf_core_type_size(struct percpu_counter) +
				      bpf_core_field_offset(struct percpu_counter, count));
	return count > 0 ? count : 0;
}

static __always_inline void read_memcg(struct task_struct *task, struct tapio_oom_kill *record)
{
	struct cgroup_subsys_state *css = tapio_memcg_css(task);
	struct mem_cgroup *memcg;

	if (!css)
		return;
	record->memcg_id = tapio_cgroup_id(BPF_CORE_READ(css, cgroup));
	memcg = (void *)css - bpf_core_field_offset(struct mem_cgroup, css);
	record->memcg_usage_pages = BPF_CORE_READ(memcg, memory.usage.counter);
	record->memcg_limit_pages = BPF_CORE_READ(memcg, memory.max);
}

SEC("tp_btf/mark_victim")
int BPF_PROG(tapio_mark_victim, struct task_struct *task, uid_t uid)
{
	struct tapio_oom_kill *record;
	struct mm_struct *mm;

	record = tapio_reserve(sizeof(*record));
	if (!record)
		return 0;
	__builtin_memset(record, 0, sizeof(*record));
	record->time_ns = bpf_ktime_get_boot_ns();
	record->pid = BPF_CORE_READ(task, pid);
	record->tgid = BPF_CORE_READ(task, tgid);
	record->uid = uid;
	record->trigger_pid = bpf_get_current_pid_tgid() >> 32;
	record->oom_score_adj = BPF_CORE_READ(task, signal, oom_score_adj);
	record->cgroup_id = tapio_task_cgroup_id(task);
	BPF_CORE_READ_STR_INTO(&record->comm, task, comm);

	mm = BPF_CORE_READ(task, mm);
	if (mm) {
		record->total_vm_pages = BPF_CORE_READ(mm, total_vm);
		record->anon_rss_pages = mm_counter(mm, MM_ANONPAGES);
		record->file_rss_pages = mm_counter(mm, MM_FILEPAGES);
		record->shmem_rss_pages = mm_counter(mm, MM_SHMEMPAGES);
		record->pgtables_bytes = BPF_CORE_READ(mm, pgtables_bytes.counter);
	}
	read_memcg(task, record);
	tapio_submit(record);
	return 0;
}
