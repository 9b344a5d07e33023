/* SPDX-License-Identifier: (MIT OR GPL-2.0) */
/*
 * BENCHMARK ONLY: the context user space passes to bpf/load_generator.bpf.c through
 * BPF_PROG_TEST_RUN. Never loaded by the agent.
 */
#ifndef TAPIO_BPF_LOAD_GENERATOR_H_
#define TAPIO_BPF_LOAD_GENERATOR_H_

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

struct tapio_load_generator_args {
	__u32 count; /* records to write in this run (bpf_loop allows up to 1 << 23) */
	__u16 dport; /* destination port written into every record */
	__u16 pad;
	__u32 written; /* out: records reserved and submitted; count - written were dropped */
	__u32 pad2;
};

#endif /* TAPIO_BPF_LOAD_GENERATOR_H_ */
