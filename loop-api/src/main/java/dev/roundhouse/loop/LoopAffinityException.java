package dev.roundhouse.loop;

/**
 * A loop-thread-only method was called from another thread. Roundhouse never marshals such a
 * call silently; cross threads explicitly with {@link EventLoop#execute(Runnable)}.
 */
public final class LoopAffinityException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * @param method the method that was called, e.g. {@code "Transport.write"}
     * @param loopThread the loop's thread name
     * @param caller the calling thread's name
     */
    public LoopAffinityException(String method, String loopThread, String caller) {
        super(method + " must be called on loop thread '" + loopThread + "' but was called on '"
                + caller + "'; use loop.execute(...) to run it on the loop");
    }
}
