package dev.roundhouse.loop.tck;

import org.junit.jupiter.api.Nested;

/**
 * Every conformance class for one backend, with one subclass:
 *
 * <pre>{@code
 * class MyBackendConformanceTest extends ConformanceSuite {
 *     @Override protected String backend() { return "mybackend"; }
 * }
 * }</pre>
 *
 * <p>Each nested class runs one contract area against {@link #backend()}. A backend that is not on
 * the class path, or not available here, has every case skipped with its reason; a case that needs
 * a capability the backend lacks is skipped with {@code "<backend> does not provide <CAPABILITY>"}.
 * To run one area only, subclass that class instead (e.g. {@link ReadinessTck}).
 */
public abstract class ConformanceSuite {

    /** The backend under test, as {@link dev.roundhouse.loop.LoopOptions.Builder#backend(String)} takes it. */
    protected abstract String backend();

    /** {@link ReadinessTck} on this suite's backend. */
    @Nested
    class Readiness extends ReadinessTck {
        @Override
        protected String backend() {
            return ConformanceSuite.this.backend();
        }
    }

    /** {@link TransportTck} on this suite's backend. */
    @Nested
    class Transports extends TransportTck {
        @Override
        protected String backend() {
            return ConformanceSuite.this.backend();
        }
    }

    /** {@link FlowControlTck} on this suite's backend. */
    @Nested
    class FlowControl extends FlowControlTck {
        @Override
        protected String backend() {
            return ConformanceSuite.this.backend();
        }
    }

    /** {@link ConnectTck} on this suite's backend. */
    @Nested
    class Connect extends ConnectTck {
        @Override
        protected String backend() {
            return ConformanceSuite.this.backend();
        }
    }

    /** {@link LoopTck} on this suite's backend. */
    @Nested
    class Loop extends LoopTck {
        @Override
        protected String backend() {
            return ConformanceSuite.this.backend();
        }
    }

    /** {@link LifecycleTck} on this suite's backend. */
    @Nested
    class Lifecycle extends LifecycleTck {
        @Override
        protected String backend() {
            return ConformanceSuite.this.backend();
        }
    }

    /** {@link AffinityTck} on this suite's backend. */
    @Nested
    class Affinity extends AffinityTck {
        @Override
        protected String backend() {
            return ConformanceSuite.this.backend();
        }
    }

    /** {@link AcceptExhaustionTck} on this suite's backend. */
    @Nested
    class AcceptExhaustion extends AcceptExhaustionTck {
        @Override
        protected String backend() {
            return ConformanceSuite.this.backend();
        }
    }
}
