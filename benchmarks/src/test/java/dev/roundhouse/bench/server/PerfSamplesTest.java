package dev.roundhouse.bench.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * {@code perf_samples} of {@code benchmarks/bench-lib.sh}, which {@code PROFILER=perf
 * benchmarks/profile-server.sh} uses to sort a CPU-wide {@code perf script} into kinds: fed a
 * recording's text with one sample of each case, it must name each sample's kind as the profile's
 * table counts it.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "the profile is Linux perf's; the script runs on Linux")
class PerfSamplesTest {
    private static final String SERVER_PID = "4242";

    /** {@code perf script -F comm,pid,tid,period,ip,sym,dso} of a recording with call chains, leaf first. */
    private static final String SCRIPT = String.join("\n",
            "swapper     0/0        200000 ",
            "\tffffffff8224379b pv_native_safe_halt ([kernel.kallsyms])",
            "\tffffffff822452b5 default_idle ([kernel.kallsyms])",
            "",
            "swapper     0/0        200000 ",
            "\tffffffff82000001 handle_softirqs ([kernel.kallsyms])",
            "\tffffffff82000002 __irq_exit_rcu ([kernel.kallsyms])",
            "",
            "bench-io_uring- 4242/4250   200000 ",
            "\tffffffff82000003 tcp_sendmsg_locked ([kernel.kallsyms])",
            "\tffffffff82000004 io_write ([kernel.kallsyms])",
            "\tffffffff82000005 __do_sys_io_uring_enter ([kernel.kallsyms])",
            "\tffffffff82000006 x64_sys_call ([kernel.kallsyms])",
            "\tffffffff82000007 do_syscall_64 ([kernel.kallsyms])",
            "\tffffffff82000008 entry_SYSCALL_64_after_hwframe ([kernel.kallsyms])",
            "\t7f0000000001 syscall (/usr/lib/x86_64-linux-gnu/libc.so.6)",
            "",
            "bench-io_uring- 4242/4250   200000 ",
            "\tffffffff82000009 tcp_rcv_established ([kernel.kallsyms])",
            "\tffffffff8200000a net_rx_action ([kernel.kallsyms])",
            "\tffffffff8200000b handle_softirqs ([kernel.kallsyms])",
            "\tffffffff8200000c do_softirq ([kernel.kallsyms])",
            "\tffffffff8200000d ksys_write ([kernel.kallsyms])",
            "\tffffffff82000007 do_syscall_64 ([kernel.kallsyms])",
            "",
            "java 4242/4251   200000 ",
            "\tffffffff8200000e vfs_write ([kernel.kallsyms])",
            "\tffffffff8200000f ksys_write ([kernel.kallsyms])",
            "\tffffffff82000007 do_syscall_64 ([kernel.kallsyms])",
            "",
            "java 4242/4251   200000 ",
            "\tffffffff82000010 finish_task_switch.isra.0 ([kernel.kallsyms])",
            "\tffffffff82000011 __schedule ([kernel.kallsyms])",
            "",
            "bench-io_uring- 4242/4250   200000 ",
            "\t7f1234 boolean dev.roundhouse.loop.internal.LoopRunner.step() (/tmp/perf-4242.map)",
            "",
            "C2 CompilerThre 4242/4260   200000 ",
            "\t7f5678 Compile::Optimize (/usr/lib/jvm/lib/server/libjvm.so)",
            "",
            "kworker/0:1 99/99   200000 ",
            "\tffffffff82000012 process_one_work ([kernel.kallsyms])",
            "");

    @Test
    @Timeout(60)
    void shouldSortEachSampleIntoItsKind() throws Exception {
        List<String> kinds = perfSamples(SCRIPT).stream().map(line -> line.split(" ")[0]).toList();
        assertEquals(List.of(
                "idle",                  // the idle task halted
                "softirq",               // a softirq frame in the idle task
                "kernel:io_uring_enter", // the frame do_syscall_64 called, x64_sys_call skipped
                "softirq",               // softirq inside a system call counts as softirq
                "kernel:write",          // ksys_write, named without its prefix
                "kernel",                // the server's thread in the kernel, no system call on the stack
                "user",                  // a Java frame of the server
                "user",                  // any thread of the server's process
                "other"), kinds);
    }

    @Test
    @Timeout(60)
    void shouldKeepEachSamplesPeriodAndLeafFrame() throws Exception {
        List<String> lines = perfSamples(SCRIPT);
        assertEquals("idle 200000 pv_native_safe_halt", lines.get(0));
        assertEquals("user 200000 boolean_dev.roundhouse.loop.internal.LoopRunner.step()", lines.get(6),
                "a frame name with spaces is one field");
    }

    /** Runs {@code perf_samples SERVER_PID} of bench-lib.sh on {@code script} and returns its lines. */
    private static List<String> perfSamples(String script) throws IOException, InterruptedException {
        return BenchLib.run("perf_samples " + SERVER_PID, script);
    }
}
