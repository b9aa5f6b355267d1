#!/bin/sh
test_syscall_explore() {
	for f in do_syscall_64 syscall_trace_enter syscall_exit_work __traceiter_sys_enter __traceiter_sys_exit x64_sys_call syscall_exit_to_user_mode_work exit_to_user_mode_prepare syscall_enter_from_user_mode_work exit_to_user_mode_loop syscall_exit_to_user_mode __x64_sys_getpid __x64_sys_nanosleep __x64_sys_newfstatat __x64_sys_read; do
		k=$(grep -c " [tT] $f\$" /proc/kallsyms)
		a=$(grep -c "^$f\$" /sys/kernel/tracing/available_filter_functions)
		b=$(bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null | grep -c "FUNC '$f' ")
		echo "$f kallsyms=$k ftrace=$a btf=$b"
	done
	grep -c . /sys/kernel/tracing/kprobe_events
	cat /sys/kernel/tracing/kprobe_events
	fail "explore"
}
