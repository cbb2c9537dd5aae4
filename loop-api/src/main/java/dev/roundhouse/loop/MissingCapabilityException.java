package dev.roundhouse.loop;

/** A method needs a {@link Capability} that the loop's backend does not provide. */
public final class MissingCapabilityException extends UnsupportedOperationException {
    private static final long serialVersionUID = 1L;
    private final Capability capability;

    /**
     * @param backend the backend's name
     * @param capability the missing capability
     */
    public MissingCapabilityException(String backend, Capability capability) {
        super(backend + " does not provide " + capability);
        this.capability = capability;
    }

    /** The capability that is missing. */
    public Capability capability() {
        return capability;
    }
}
