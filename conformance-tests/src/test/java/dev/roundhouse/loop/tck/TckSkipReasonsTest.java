package dev.roundhouse.loop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The TCK's own promise to backend authors: {@link ConformanceSuite} runs every area with one
 * subclass, a backend that is not there skips every case with the reason, and a missing capability
 * skips with {@code "<backend> does not provide <CAPABILITY>"}; nothing passes silently.
 */
class TckSkipReasonsTest {

    /** A backend nobody provides, run through the one-subclass entry point. */
    static final class MissingBackendSuite extends ConformanceSuite {
        @Override
        protected String backend() {
            return "no-such-backend";
        }
    }

    /** The readiness area on nio, which does not declare NATIVE_EDGE. */
    static final class NioReadiness extends ReadinessTck {
        @Override
        protected String backend() {
            return "nio";
        }
    }

    /** A backend that is not on the class path has every case of every area skipped with that reason. */
    @Test
    @Timeout(60)
    void shouldSkipEveryCaseOfAMissingBackendWithTheReason() {
        List<String> outcomes = run(selectClass(MissingBackendSuite.class));
        assertTrue(outcomes.size() > 60, "ConformanceSuite found only " + outcomes.size() + " cases");
        for (String o : outcomes) {
            assertTrue(o.startsWith("ABORTED Assumption failed: backend no-such-backend is not on the class path"), o);
        }
    }

    /** A case needing a capability the backend lacks is skipped with exactly "X does not provide Y". */
    @Test
    @Timeout(60)
    void shouldSkipCaseNeedingMissingCapabilityWithExactReason() {
        List<String> outcomes = run(selectMethod(NioReadiness.class, "shouldNotifyNativeEdgeOnNewArrivalWithoutDrain"));
        assertEquals(List.of("ABORTED Assumption failed: nio does not provide NATIVE_EDGE"), outcomes);
    }

    private static List<String> run(DiscoverySelector selector) {
        List<String> outcomes = new CopyOnWriteArrayList<>();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selector).build(),
                new TestExecutionListener() {
                    @Override
                    public void executionSkipped(TestIdentifier id, String reason) {
                        if (id.isTest()) {
                            outcomes.add("SKIPPED " + reason);
                        }
                    }

                    @Override
                    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                        if (id.isTest()) {
                            outcomes.add(result.getStatus() + " " + result.getThrowable()
                                    .map(Throwable::getMessage).orElse(""));
                        }
                    }
                });
        return outcomes;
    }
}
