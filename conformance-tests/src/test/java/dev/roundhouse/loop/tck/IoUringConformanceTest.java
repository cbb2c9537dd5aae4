package dev.roundhouse.loop.tck;

import org.junit.jupiter.api.Nested;

/**
 * The conformance suite on the {@code io_uring} backend, found by name in {@code Loops.backends()}: where it is
 * not on the class path or not available, every case is skipped with the reason. Nested classes are
 * declared here (not inherited from {@link ConformanceSuite}) so that reports name the backend.
 */
class IoUringConformanceTest {
    private static final String BACKEND = "io_uring";

    @Nested
    class Readiness extends ReadinessTck {
        @Override
        protected String backend() {
            return BACKEND;
        }
    }

    @Nested
    class Transports extends TransportTck {
        @Override
        protected String backend() {
            return BACKEND;
        }
    }

    @Nested
    class FlowControl extends FlowControlTck {
        @Override
        protected String backend() {
            return BACKEND;
        }
    }

    @Nested
    class Connect extends ConnectTck {
        @Override
        protected String backend() {
            return BACKEND;
        }
    }

    @Nested
    class Loop extends LoopTck {
        @Override
        protected String backend() {
            return BACKEND;
        }
    }

    @Nested
    class Lifecycle extends LifecycleTck {
        @Override
        protected String backend() {
            return BACKEND;
        }
    }

    @Nested
    class Affinity extends AffinityTck {
        @Override
        protected String backend() {
            return BACKEND;
        }
    }

    @Nested
    class AcceptExhaustion extends AcceptExhaustionTck {
        @Override
        protected String backend() {
            return BACKEND;
        }
    }
}
