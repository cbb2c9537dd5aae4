package dev.roundhouse.bench.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * {@code sched_summary} of {@code benchmarks/bench-lib.sh}, which {@code PROFILER=sched
 * benchmarks/profile-server.sh} uses to read {@code perf sched timehist}: fed a few switches, it
 * must add each task's runs, give the server's threads' scheduling delays as a distribution, and
 * list the runs of 0.1 ms or more, with task names that hold spaces kept whole.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "the summary is of Linux perf's output; the script runs on Linux")
class SchedSummaryTest {
    private static final String SERVER_PID = "10";

    /** {@code perf sched timehist} of one CPU: time, [cpu], task, wait, scheduling delay, run (ms). */
    private static final String TIMEHIST = String.join("\n",
            "           time    cpu  task name                       wait time  sch delay   run time",
            "                        [tid/pid]                          (msec)     (msec)     (msec)",
            "--------------- ------  ------------------------------  ---------  ---------  ---------",
            "     100.000100 [0000]  <idle>                              0.000      0.000      0.500 ",
            "     100.000200 [0000]  bench-epoll-1[11/10]                0.500      0.002      0.100 ",
            "     100.002200 [0000]  C2 CompilerThre[12/10]              1.000      0.010      2.000 ",
            "     100.003700 [0000]  kdamond.0[50]                       5.000      0.000      1.500 ",
            "     100.003750 [0000]  bench-epoll-1[11/10]                0.010      1.200      0.050 ",
            "     100.003800 [0000]  memfd:sealed-91[77]                 0.000      0.000      0.050 ",
            "     100.003820 [0000]  bench-epoll-1[11/10]                0.010      0.150      0.020 ",
            "");

    @Test
    @Timeout(60)
    void shouldSumRunsByTaskAndGiveTheServerThreadsDelays() throws Exception {
        List<String> out = schedSummary(TIMEHIST);
        int tasks = out.indexOf("== time by task (ms of 7.0 s; runs; longest run, ms)");
        assertTrue(tasks >= 0, "no task table in " + out);
        assertEquals(List.of(
                "       2.0        1     2.000  server: C2 CompilerThre", // a name with a space, the server's
                "       1.5        1     1.500  kdamond.0",                 // a kernel thread: [pid] only
                "       0.5        1     0.500  <idle>",
                "       0.2        3     0.100  server: bench-epoll-1",     // three runs added
                "       0.1        1     0.050  memfd:sealed-91"), out.subList(tasks + 1, tasks + 6));
        int delays = out.indexOf("== the server's threads: scheduling delay, wake-up to run (4 runs; 1 us buckets)");
        assertTrue(delays >= 0, "no delay line in " + out);
        // the server's four runs waited 2, 10, 150 and 1,200 us; the others' delays are not counted
        assertEquals("   p50 10 us  p99 1200 us  p999 1200 us  max 1200 us  >=0.1 ms: 2  >=1 ms: 1", out.get(delays + 1));
        int runs = out.indexOf("== runs of 0.1 ms or more, by task (count, ms in all): what a woken thread waits behind if it cannot preempt");
        assertTrue(runs >= 0, "no long-run table in " + out);
        assertEquals(List.of(
                "      1       2.0  server: C2 CompilerThre",
                "      1       1.5  kdamond.0",
                "      1       0.1  server: bench-epoll-1"), out.subList(runs + 1, out.size()),
                "runs under 0.1 ms and the idle task's are left out");
    }

    /** Runs {@code sched_summary SERVER_PID 7} of bench-lib.sh on {@code timehist} and returns its lines. */
    private static List<String> schedSummary(String timehist) throws IOException, InterruptedException {
        return BenchLib.run("sched_summary " + SERVER_PID + " 7", timehist);
    }
}
