package dev.roundhouse.loop.tck;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The conformance suite on the {@code iocp} backend in its hand-off design
 * ({@code -Droundhouse.iocp.completions=handoff}): the JDK's I/O thread finishes the operations that
 * had to wait and hands them to the loop thread. It is what Windows and macOS run; on Linux the
 * backend's default is the loop thread running the group's event loop itself, which
 * {@link IocpConformanceTest} covers. Loops read the switch when they open, so it is set around
 * this class only (the build runs test classes one at a time).
 */
class IocpHandoffConformanceTest extends ConformanceSuite {
    private static final String SWITCH = "roundhouse.iocp.completions";

    @BeforeAll
    static void useHandoff() {
        System.setProperty(SWITCH, "handoff");
    }

    @AfterAll
    static void restoreDefault() {
        System.clearProperty(SWITCH);
    }

    @Override
    protected String backend() {
        return "iocp";
    }
}
