/* SPDX-License-Identifier: (MIT OR GPL-2.0) */
/*
 * Kernel-side pieces every Tapio program has: the ring buffer user space drains and the
 * per-CPU counters it reads, so that a record lost to a full ring buffer is counted, not
 * guessed. Include once per program, after vmlinux.h and the libbpf headers.
 */
#ifndef TAPIO_BPF_TAPIO_BPF_H_
#define TAPIO_BPF_TAPIO_BPF_H_

#include "tapio_events.h"

#ifndef TAPIO_RINGBUF_BYTES
#define TAPIO_RINGBUF_BYTES (256 * 1024)
#endif

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, TAPIO_RINGBUF_BYTES);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TAPIO_COUNTER_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline void tapio_count(__u32 index)
{
	__u64 *value = bpf_map_lookup_elem(&counters, &index);

	if (value)
		*value += 1; /* per-CPU slot: no other CPU writes it */
}

/*
 * Submits a record without waking user space until a quarter of the ring is waiting: the
 * collector drains on its own schedule (every few tens of milliseconds), so a busy kernel does
 * not pay a wakeup per record, and a filling ring still wakes it in time.
 */
static __always_inline void tapio_submit(void *record)
{
	__u64 waiting = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 size = bpf_ringbuf_query(&events, BPF_RB_RING_SIZE);

	bpf_ringbuf_submit(record, waiting >= size / 4 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

/* Reserves a record of `size` bytes, counting the drop when the ring buffer is full. */
static __always_inline void *tapio_reserve(__u64 size)
{
	void *record = bpf_ringbuf_reserve(&events, size, 0);

	if (!record)
		tapio_count(TAPIO_COUNTER_RINGBUF_DROPS);
	return record;
}

/* The kernfs id (the directory's inode number) of `cgrp`, or 0. */
static __always_inline __u64 tapio_cgroup_id(const struct cgroup *cgrp)
{
	if (!cgrp)
		return 0;
	return BPF_CORE_READ(cgrp, kn, id);
}

/* The css of `task`'s memory cgroup, or NULL. */
static __always_inline struct cgroup_subsys_state *tapio_memcg_css(struct task_struct *task)
{
	struct cgroup_subsys_state *css = NULL;
	struct css_set *cgroups = BPF_CORE_READ(task, cgroups);
	int index = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);

	if (!cgroups || index < 0 ||
	    index >= bpf_core_enum_value(enum cgroup_subsys_id, CGROUP_SUBSYS_COUNT))
		return NULL;
	/* A variable index defeats the access-index relocation; offset by hand instead. */
	bpf_probe_read_kernel(&css, sizeof(css),
			      (void *)cgroups + bpf_core_field_offset(struct css_set, subsys) +
				      index * sizeof(css));
	return css;
}

/* The id of the cgroup that holds the memory controller for `task`, or 0. */
static __always_inline __u64 tapio_memcg_id(struct task_struct *task)
{
	struct cgroup_subsys_state *css = tapio_memcg_css(task);

	return css ? tapio_cgroup_id(BPF_CORE_READ(css, cgroup)) : 0;
}

static __always_inline __u64 tapio_task_cgroup_id(struct task_struct *task)
{
	return tapio_cgroup_id(BPF_CORE_READ(task, cgroups, dfl_cgrp));
}

#endif /* TAPIO_BPF_TAPIO_BPF_H_ */
